#include "anatomy/cpg/nest.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <optional>
#include <string_view>

namespace anatomy::cpg {

Result<std::shared_ptr<arrow::Table>> NestSortedRuns(const arrow::Table& sorted,
                                                     const std::vector<std::string>& keys,
                                                     const std::vector<std::string>& value_columns,
                                                     const std::string& list_name) {
  ARROW_ASSIGN_OR_RAISE(auto batch, sorted.CombineChunksToBatch());
  std::vector<std::shared_ptr<arrow::StringArray>> key_arrays;
  for (const auto& k : keys) {
    auto col = batch->GetColumnByName(k);
    if (!col || col->type_id() != arrow::Type::STRING) {
      return Status::Invalid("nest: key column '", k, "' missing or not a string column");
    }
    key_arrays.push_back(std::static_pointer_cast<arrow::StringArray>(col));
  }
  arrow::ArrayVector values;
  for (const auto& v : value_columns) {
    auto col = batch->GetColumnByName(v);
    if (!col) return Status::Invalid("nest: no value column '", v, "'");
    values.push_back(col);
  }
  ARROW_ASSIGN_OR_RAISE(auto structs, arrow::StructArray::Make(values, value_columns));

  // Run boundaries: a new group starts where any key differs from the row before.
  arrow::Int32Builder offsets;
  arrow::Int64Builder starts;
  const int64_t n = batch->num_rows();
  for (int64_t i = 0; i < n; ++i) {
    bool boundary = i == 0;
    for (size_t k = 0; !boundary && k < key_arrays.size(); ++k) {
      const auto& a = *key_arrays[k];
      boundary = a.IsNull(i) != a.IsNull(i - 1) || a.GetView(i) != a.GetView(i - 1);
    }
    if (boundary) {
      ARROW_RETURN_NOT_OK(offsets.Append(static_cast<int32_t>(i)));
      ARROW_RETURN_NOT_OK(starts.Append(i));
    }
  }
  ARROW_RETURN_NOT_OK(offsets.Append(static_cast<int32_t>(n)));
  ARROW_ASSIGN_OR_RAISE(auto offset_array, offsets.Finish());
  ARROW_ASSIGN_OR_RAISE(auto start_array, starts.Finish());
  ARROW_ASSIGN_OR_RAISE(auto lists, arrow::ListArray::FromArrays(*offset_array, *structs));

  arrow::FieldVector fields;
  arrow::ArrayVector columns;
  for (size_t k = 0; k < keys.size(); ++k) {
    ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(key_arrays[k], start_array));
    fields.push_back(arrow::field(keys[k], arrow::utf8()));
    columns.push_back(taken.make_array());
  }
  fields.push_back(arrow::field(list_name, lists->type()));
  columns.push_back(lists);
  return arrow::Table::Make(arrow::schema(fields), columns, start_array->length());
}

Result<std::shared_ptr<arrow::Table>> ClusterUnownedLists(const arrow::Table& nested,
                                                          const std::string& file_column,
                                                          const std::string& list_name,
                                                          const std::string& source_column) {
  ARROW_ASSIGN_OR_RAISE(auto batch, nested.CombineChunksToBatch());
  const int file_index = batch->schema()->GetFieldIndex(file_column);
  auto files = std::dynamic_pointer_cast<arrow::StringArray>(batch->GetColumnByName(file_column));
  auto lists = std::dynamic_pointer_cast<arrow::ListArray>(batch->GetColumnByName(list_name));
  if (!files || !lists || lists->value_type()->id() != arrow::Type::STRUCT) {
    return Status::Invalid("ClusterUnownedLists: no string column '", file_column,
                           "' or list of structs '", list_name, "'");
  }
  auto elements = std::static_pointer_cast<arrow::StructArray>(lists->values());
  auto element_files =
      std::dynamic_pointer_cast<arrow::StringArray>(elements->GetFieldByName("file_id"));
  if (!element_files) {
    return Status::Invalid("ClusterUnownedLists: the elements of '", list_name,
                           "' have no string field file_id");
  }
  // The one file of each row's elements.
  std::vector<std::optional<std::string_view>> sources(static_cast<size_t>(batch->num_rows()));
  arrow::StringBuilder source_builder;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    std::optional<std::string_view> source;
    const int64_t begin = lists->value_offset(i), end = begin + lists->value_length(i);
    for (int64_t k = begin; k < end; ++k) {
      if (element_files->IsNull(k) || (source && *source != element_files->GetView(k))) {
        source.reset();
        break;
      }
      source = element_files->GetView(k);
    }
    sources[i] = source;
    ARROW_RETURN_NOT_OK(source ? source_builder.Append(*source) : source_builder.AppendNull());
  }
  ARROW_ASSIGN_OR_RAISE(auto source_array, source_builder.Finish());
  ARROW_ASSIGN_OR_RAISE(batch, batch->AddColumn(file_index + 1, source_column, source_array));
  struct Unowned {
    std::optional<std::string_view> source;
    int64_t row;
  };
  std::vector<Unowned> unowned;
  std::vector<int64_t> places;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    if (!files->IsNull(i)) continue;
    unowned.push_back({sources[i], i});
    places.push_back(i);
  }
  std::stable_sort(unowned.begin(), unowned.end(), [](const Unowned& a, const Unowned& b) {
    if (a.source.has_value() != b.source.has_value()) return a.source.has_value();
    return a.source && *a.source < *b.source;
  });
  arrow::Int64Builder order;
  ARROW_RETURN_NOT_OK(order.Reserve(batch->num_rows()));
  size_t next = 0;
  bool moved = false;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    int64_t from = i;
    if (next < places.size() && places[next] == i) from = unowned[next++].row;
    moved |= from != i;
    order.UnsafeAppend(from);
  }
  if (!moved) return arrow::Table::FromRecordBatches({batch});
  ARROW_ASSIGN_OR_RAISE(auto indices, order.Finish());
  ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(batch, indices));
  return arrow::Table::FromRecordBatches({taken.record_batch()});
}

Result<std::shared_ptr<arrow::Table>> UnnestRuns(const arrow::Table& nested,
                                                 const std::string& list_name) {
  ARROW_ASSIGN_OR_RAISE(auto batch, nested.CombineChunksToBatch());
  auto list_column = batch->GetColumnByName(list_name);
  if (!list_column || list_column->type_id() != arrow::Type::LIST) {
    return Status::Invalid("UnnestRuns: no list column '", list_name, "'");
  }
  auto lists = std::static_pointer_cast<arrow::ListArray>(list_column);
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());  // idempotent: the kernels below need it
  ARROW_ASSIGN_OR_RAISE(auto parents, arrow::compute::CallFunction("list_parent_indices", {lists}));
  ARROW_ASSIGN_OR_RAISE(auto flat, lists->Flatten());
  arrow::FieldVector fields;
  arrow::ArrayVector columns;
  for (int i = 0; i < batch->num_columns(); ++i) {
    if (batch->schema()->field(i)->name() == list_name) continue;
    ARROW_ASSIGN_OR_RAISE(auto repeated, arrow::compute::Take(batch->column(i), parents));
    fields.push_back(batch->schema()->field(i));
    columns.push_back(repeated.make_array());
  }
  auto structs = std::static_pointer_cast<arrow::StructArray>(flat);
  ARROW_ASSIGN_OR_RAISE(auto struct_fields, structs->Flatten());
  for (int i = 0; i < structs->num_fields(); ++i) {
    fields.push_back(structs->type()->field(i));
    columns.push_back(struct_fields[i]);
  }
  return arrow::Table::Make(arrow::schema(fields), columns, flat->length());
}

}  // namespace anatomy::cpg
