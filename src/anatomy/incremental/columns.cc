#include "anatomy/incremental/columns.h"

#include <arrow/api.h>

namespace anatomy::incremental {

Result<std::vector<std::string>> Strings(const arrow::Table& table, const std::string& column) {
  std::vector<std::string> out;
  auto col = table.GetColumnByName(column);
  if (!col) return Status::Invalid("no column ", column);
  if (col->type()->id() != arrow::Type::STRING)
    return Status::Invalid("column '", column, "' is ", col->type()->ToString(), ", not utf8");
  for (const auto& chunk : col->chunks()) {
    auto s = std::static_pointer_cast<arrow::StringArray>(chunk);
    for (int64_t i = 0; i < s->length(); ++i) {
      if (s->IsValid(i)) out.push_back(s->GetString(i));
    }
  }
  return out;
}

template <typename ArrayT>
Result<std::shared_ptr<ArrayT>> ColumnAs(const arrow::RecordBatch& batch, const std::string& name,
                                         const std::string& table) {
  auto column = batch.GetColumnByName(name);
  if (!column) return Status::Invalid(table, " lacks the column '", name, "'");
  if (column->type_id() != ArrayT::TypeClass::type_id) {
    return Status::Invalid(table, ": column '", name, "' is ", column->type()->ToString(), ", not ",
                           ArrayT::TypeClass::type_name());
  }
  return std::static_pointer_cast<ArrayT>(column);
}
template Result<std::shared_ptr<arrow::StringArray>> ColumnAs(const arrow::RecordBatch&,
                                                              const std::string&,
                                                              const std::string&);
template Result<std::shared_ptr<arrow::Int64Array>> ColumnAs(const arrow::RecordBatch&,
                                                             const std::string&,
                                                             const std::string&);
template Result<std::shared_ptr<arrow::BooleanArray>> ColumnAs(const arrow::RecordBatch&,
                                                               const std::string&,
                                                               const std::string&);

}  // namespace anatomy::incremental
