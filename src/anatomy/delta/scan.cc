#include "anatomy/delta/scan.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>

#include "anatomy/delta/deletion_vector.h"
#include "anatomy/delta/parquet_read.h"
#include "anatomy/delta/pruning.h"
#include "anatomy/delta/values.h"

namespace anatomy::delta {

namespace cp = arrow::compute;

namespace {

/// Converts a physical array to the logical type of `type` (nested names mapped, missing
/// children null, primitives cast).
Result<std::shared_ptr<arrow::Array>> Conform(const std::shared_ptr<arrow::Array>& arr,
                                              const DeltaType& type, ColumnMappingMode mode,
                                              const std::string& where) {
  ARROW_ASSIGN_OR_RAISE(auto target, ToArrowType(type));
  switch (type.kind) {
    case DeltaType::Kind::kStruct: {
      if (arr->type_id() != arrow::Type::STRUCT) {
        return Status::Invalid(where, ": expected a struct, file has ", arr->type()->ToString());
      }
      auto s = std::static_pointer_cast<arrow::StructArray>(arr);
      arrow::ArrayVector children;
      for (const auto& f : type.fields) {
        int idx = FindPhysical(s->type()->fields(), f, mode);
        ARROW_ASSIGN_OR_RAISE(auto ft, ToArrowType(*f.type));
        if (idx < 0) {
          ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(ft, s->length()));
          children.push_back(nulls);
        } else {
          ARROW_ASSIGN_OR_RAISE(auto child,
                                Conform(s->field(idx), *f.type, mode, where + "." + f.name));
          children.push_back(child);
        }
      }
      return std::make_shared<arrow::StructArray>(target, s->length(), children, s->null_bitmap(),
                                                  s->null_count(), s->offset());
    }
    case DeltaType::Kind::kArray: {
      if (arr->type_id() != arrow::Type::LIST) {
        ARROW_ASSIGN_OR_RAISE(auto casted, cp::Cast(*arr, arrow::list(arr->type()->field(0)),
                                                    cp::CastOptions::Unsafe()));
        return Conform(casted, type, mode, where);
      }
      auto l = std::static_pointer_cast<arrow::ListArray>(arr);
      ARROW_ASSIGN_OR_RAISE(auto values, Conform(l->values(), *type.element, mode, where + "[]"));
      return std::make_shared<arrow::ListArray>(target, l->length(), l->value_offsets(), values,
                                                l->null_bitmap(), l->null_count(), l->offset());
    }
    case DeltaType::Kind::kMap: {
      if (arr->type_id() != arrow::Type::MAP) {
        return Status::Invalid(where, ": expected a map, file has ", arr->type()->ToString());
      }
      auto m = std::static_pointer_cast<arrow::MapArray>(arr);
      ARROW_ASSIGN_OR_RAISE(auto keys, Conform(m->keys(), *type.key, mode, where + ".key"));
      ARROW_ASSIGN_OR_RAISE(auto items, Conform(m->items(), *type.value, mode, where + ".value"));
      return std::make_shared<arrow::MapArray>(target, m->length(), m->value_offsets(), keys, items,
                                               m->null_bitmap(), m->null_count(), m->offset());
    }
    case DeltaType::Kind::kPrimitive: {
      if (arr->type()->Equals(*target)) return arr;
      auto r = cp::Cast(*arr, target, cp::CastOptions::Unsafe());
      if (!r.ok()) {
        return Status::Invalid(where, ": cannot read ", arr->type()->ToString(), " as ",
                               target->ToString(), ": ", r.status().message());
      }
      return *r;
    }
  }
  return Status::Invalid(where, ": bad type");
}

}  // namespace

Result<std::shared_ptr<arrow::Schema>> ScanSchema(const Snapshot& snapshot,
                                                  const ScanOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto full, ToArrowSchema(snapshot.schema));
  if (options.columns.empty()) return full;
  for (const auto& c : options.columns) {
    if (!full->GetFieldByName(c)) return Status::Invalid("unknown column '", c, "'");
  }
  arrow::FieldVector fields;
  for (const auto& f : full->fields()) {
    for (const auto& c : options.columns) {
      if (c == f->name()) {
        fields.push_back(f);
        break;
      }
    }
  }
  return arrow::schema(fields);
}

namespace {

bool IsPartitionColumn(const Snapshot& snapshot, const std::string& name) {
  const auto& pcs = snapshot.metadata.partition_columns;
  return std::find(pcs.begin(), pcs.end(), name) != pcs.end();
}

/// What every file of a scan reads: the logical fields of the output and the Parquet request.
struct ReadPlan {
  std::vector<const StructField*> fields;
  ParquetReadRequest request;
};

Result<ReadPlan> PlanRead(const Snapshot& snapshot, const std::shared_ptr<arrow::Schema>& schema,
                          const std::vector<Predicate>& filters, bool prune_row_groups) {
  ReadPlan plan;
  for (const auto& out_field : schema->fields()) {
    const StructField* f = snapshot.schema.FindField(out_field->name());
    if (!f) return Status::Invalid("column '", out_field->name(), "' is not in the table schema");
    plan.fields.push_back(f);
    if (!IsPartitionColumn(snapshot, f->name)) plan.request.columns.push_back(f);
  }
  // Partition columns are constant per file (file pruning already used them).
  for (const auto& p : filters) {
    if (!IsPartitionColumn(snapshot, p.column)) plan.request.filters.push_back(p);
  }
  plan.request.schema = &snapshot.schema;
  plan.request.mode = snapshot.column_mapping_mode();
  plan.request.prune_row_groups = prune_row_groups;
  return plan;
}

Result<ParquetInput> OpenInput(const Snapshot& snapshot, const AddFile& file) {
  auto& storage = *snapshot.storage;
  ARROW_ASSIGN_OR_RAISE(auto rel, ResolveLogPath(storage, file.path, "add " + file.path));
  auto shared = snapshot.storage;
  return ParquetInput{[shared, rel] { return shared->OpenRead(rel); }, storage.LocalPath(rel)};
}

/// One file's logical columns of `schema` from its Parquet rows: columns conformed to the
/// logical types (column mapping), partition values typed, deletion vector applied.
Result<std::shared_ptr<arrow::Table>> Assemble(const Snapshot& snapshot, const AddFile& file,
                                               const std::shared_ptr<arrow::Schema>& schema,
                                               const ReadPlan& plan, const ParquetReadResult& read,
                                               ScanMetrics* metrics) {
  auto& storage = *snapshot.storage;
  ColumnMappingMode mode = plan.request.mode;
  bool mapping = mode != ColumnMappingMode::kNone;
  const auto& fields = plan.fields;
  if (metrics) {
    metrics->files_read += 1;
    metrics->row_groups_total += read.row_groups_total;
    metrics->row_groups_read += read.row_groups_read;
  }
  const auto& physical = read.table;
  int64_t rows = read.num_rows;
  arrow::ChunkedArrayVector columns;
  auto one = [](std::shared_ptr<arrow::Array> a) {
    return std::make_shared<arrow::ChunkedArray>(std::move(a));
  };
  for (size_t c = 0; c < fields.size(); ++c) {
    const StructField* f = fields[c];
    const auto& out_field = schema->field(static_cast<int>(c));
    if (IsPartitionColumn(snapshot, f->name)) {
      auto it = file.partition_values.find(f->PhysicalName(mapping));
      std::optional<std::string> text =
          it == file.partition_values.end() ? std::nullopt : it->second;
      auto v = ParsePartitionValue(text, out_field->type());
      if (!v.ok())
        return Status::Invalid(file.path, ": column ", f->name, ": ", v.status().message());
      ARROW_ASSIGN_OR_RAISE(auto arr, arrow::MakeArrayFromScalar(**v, rows));
      columns.push_back(one(std::move(arr)));
      continue;
    }
    int idx = FindPhysical(physical->schema()->fields(), *f, mode);
    if (idx < 0) {
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(out_field->type(), rows));
      columns.push_back(one(std::move(nulls)));
      continue;
    }
    // One chunk per scanned batch (no copy to join them); each conformed on its own.
    const auto& chunked = physical->column(idx);
    arrow::ArrayVector chunks;
    for (const auto& chunk : chunked->chunks()) {
      ARROW_ASSIGN_OR_RAISE(auto conformed,
                            Conform(chunk, *f->type, mode, file.path + ": " + f->name));
      chunks.push_back(std::move(conformed));
    }
    if (chunks.empty()) {
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(out_field->type(), rows));
      chunks.push_back(std::move(nulls));
    }
    columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(chunks), out_field->type()));
  }
  auto table = arrow::Table::Make(schema, columns, rows);
  if (file.deletion_vector) {
    // DV entries are physical row positions in the whole file; the kept row groups' ranges
    // map them onto the rows read (a row group's first row is the sum of the previous groups'
    // row counts), so pruning stays correct for files with DVs.
    auto deleted = LoadDeletionVector(storage, *file.deletion_vector);
    if (!deleted.ok()) return Status::Invalid(file.path, ": ", deleted.status().message());
    arrow::BooleanBuilder keep;
    ARROW_RETURN_NOT_OK(keep.Reserve(rows));
    for (const auto& [first, count] : read.row_ranges) {
      auto d = std::lower_bound(deleted->begin(), deleted->end(), static_cast<uint64_t>(first));
      for (int64_t i = first; i < first + count; ++i) {
        while (d != deleted->end() && *d < static_cast<uint64_t>(i)) ++d;
        keep.UnsafeAppend(!(d != deleted->end() && *d == static_cast<uint64_t>(i)));
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto mask, keep.Finish());
    ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(table, mask));
    table = filtered.table();
  }
  return table;
}

/// Reads one file's logical columns of `schema`, DV applied. With `filters`, row groups whose
/// statistics rule out every row are skipped (rows are still filtered exactly afterwards).
Result<std::shared_ptr<arrow::Table>> ReadFile(const Snapshot& snapshot, const AddFile& file,
                                               const std::shared_ptr<arrow::Schema>& schema,
                                               const std::vector<Predicate>& filters,
                                               bool prune_row_groups, ScanMetrics* metrics) {
  ARROW_ASSIGN_OR_RAISE(auto plan, PlanRead(snapshot, schema, filters, prune_row_groups));
  ARROW_ASSIGN_OR_RAISE(auto input, OpenInput(snapshot, file));
  ARROW_ASSIGN_OR_RAISE(auto reads, ReadParquetFiles({input}, plan.request));
  const auto& read = reads[0];
  return Assemble(snapshot, file, schema, plan, read, metrics);
}

/// Reads the candidate files as one Arrow Dataset scan (ReadParquetFiles), then each file's
/// rows into logical columns.
Result<std::vector<std::shared_ptr<arrow::Table>>> ReadFiles(
    const Snapshot& snapshot, const std::vector<AddFile>& files,
    const std::shared_ptr<arrow::Schema>& schema, const std::vector<Predicate>& filters,
    bool prune_row_groups, ScanMetrics* metrics) {
  ARROW_ASSIGN_OR_RAISE(auto plan, PlanRead(snapshot, schema, filters, prune_row_groups));
  std::vector<ParquetInput> inputs;
  inputs.reserve(files.size());
  for (const auto& f : files) {
    ARROW_ASSIGN_OR_RAISE(auto in, OpenInput(snapshot, f));
    inputs.push_back(std::move(in));
  }
  ARROW_ASSIGN_OR_RAISE(auto reads, ReadParquetFiles(inputs, plan.request));
  std::vector<std::shared_ptr<arrow::Table>> out;
  out.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto t, Assemble(snapshot, files[i], schema, plan, reads[i], metrics));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<arrow::Table>> ReadDataFile(const Snapshot& snapshot, const AddFile& file,
                                                   const std::shared_ptr<arrow::Schema>& schema,
                                                   bool apply_deletion_vector) {
  if (!apply_deletion_vector && file.deletion_vector) {
    AddFile physical = file;
    physical.deletion_vector.reset();
    return ReadFile(snapshot, physical, schema, {}, false, nullptr);
  }
  return ReadFile(snapshot, file, schema, {}, false, nullptr);
}

Result<std::shared_ptr<arrow::Table>> ReadDataFileRows(const Snapshot& snapshot,
                                                       const AddFile& file,
                                                       const std::shared_ptr<arrow::Schema>& schema,
                                                       const std::vector<uint64_t>& rows) {
  AddFile physical = file;
  physical.deletion_vector.reset();
  ARROW_ASSIGN_OR_RAISE(auto plan, PlanRead(snapshot, schema, {}, false));
  plan.request.only_rows = rows;
  ARROW_ASSIGN_OR_RAISE(auto input, OpenInput(snapshot, physical));
  ARROW_ASSIGN_OR_RAISE(auto reads, ReadParquetFiles({input}, plan.request));
  const auto& read = reads[0];
  ARROW_ASSIGN_OR_RAISE(auto table, Assemble(snapshot, physical, schema, plan, read, nullptr));
  // The rows read are the kept row groups' ranges, one after the other. A few rows are asked
  // for: each is sliced out (Take would first join the chunks of every column).
  std::vector<std::shared_ptr<arrow::Table>> picked;
  int64_t before = 0;  // rows read before the current range
  auto row = rows.begin();
  for (const auto& [first, count] : read.row_ranges) {
    for (; row != rows.end() && *row < static_cast<uint64_t>(first + count); ++row) {
      if (*row < static_cast<uint64_t>(first)) {
        return Status::Invalid(file.path, ": row ", *row, " is not in the file");
      }
      picked.push_back(table->Slice(before + static_cast<int64_t>(*row) - first, 1));
    }
    before += count;
  }
  if (row != rows.end()) return Status::Invalid(file.path, ": row ", *row, " is not in the file");
  if (picked.empty()) return table->Slice(0, 0);
  ARROW_ASSIGN_OR_RAISE(auto joined, arrow::ConcatenateTables(picked));
  return joined->CombineChunks();
}

Result<std::shared_ptr<arrow::Table>> ScanToTable(const Snapshot& snapshot,
                                                  const ScanOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto schema, ScanSchema(snapshot, options));
  // Filter columns are read too, then dropped after filtering rows.
  ScanOptions read_opts = options;
  for (const auto& p : options.filters) {
    if (!schema->GetFieldByName(p.column) && !options.columns.empty())
      read_opts.columns.push_back(p.column);
  }
  ARROW_ASSIGN_OR_RAISE(auto read_schema, ScanSchema(snapshot, read_opts));
  ARROW_ASSIGN_OR_RAISE(auto pruned, PruneFiles(snapshot, options.filters));
  if (options.metrics) *options.metrics = ScanMetrics{};
  ARROW_ASSIGN_OR_RAISE(auto parts,
                        ReadFiles(snapshot, pruned.candidates, read_schema, options.filters,
                                  options.prune_row_groups, options.metrics.get()));
  std::shared_ptr<arrow::Table> table;
  if (parts.empty()) {
    ARROW_ASSIGN_OR_RAISE(table, arrow::Table::MakeEmpty(read_schema));
  } else {
    ARROW_ASSIGN_OR_RAISE(table, arrow::ConcatenateTables(parts));
  }
  if (!options.filters.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto expr, ToExpression(options.filters, *read_schema));
    ARROW_ASSIGN_OR_RAISE(expr, expr.Bind(*read_schema));
    ARROW_ASSIGN_OR_RAISE(table, table->CombineChunks());
    ARROW_ASSIGN_OR_RAISE(auto batch, table->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto mask,
                          cp::ExecuteScalarExpression(expr, *read_schema, arrow::Datum(batch)));
    ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(table, mask));
    table = filtered.table();
  }
  if (read_schema->num_fields() != schema->num_fields()) {
    std::vector<int> idx;
    for (const auto& f : schema->fields()) idx.push_back(read_schema->GetFieldIndex(f->name()));
    ARROW_ASSIGN_OR_RAISE(table, table->SelectColumns(idx));
  }
  return table;
}

namespace {

/// Reads candidate files one at a time, so memory holds one file's rows, not the table's.
class FileByFileReader final : public arrow::RecordBatchReader {
 public:
  FileByFileReader(std::shared_ptr<const Snapshot> snap, std::vector<AddFile> files,
                   std::shared_ptr<arrow::Schema> read_schema,
                   std::shared_ptr<arrow::Schema> out_schema, std::optional<cp::Expression> filter,
                   ScanOptions options)
      : snap_(std::move(snap)),
        files_(std::move(files)),
        read_schema_(std::move(read_schema)),
        out_schema_(std::move(out_schema)),
        filter_(std::move(filter)),
        options_(std::move(options)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return out_schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    while (true) {
      if (current_) {
        ARROW_RETURN_NOT_OK(current_->ReadNext(out));
        if (*out) return arrow::Status::OK();
        current_.reset();
      }
      if (next_ >= files_.size()) {
        *out = nullptr;
        return arrow::Status::OK();
      }
      ARROW_ASSIGN_OR_RAISE(auto table,
                            ReadFile(*snap_, files_[next_++], read_schema_, options_.filters,
                                     options_.prune_row_groups, options_.metrics.get()));
      if (filter_) {
        ARROW_ASSIGN_OR_RAISE(auto batch, table->CombineChunksToBatch());
        ARROW_ASSIGN_OR_RAISE(
            auto mask, cp::ExecuteScalarExpression(*filter_, *read_schema_, arrow::Datum(batch)));
        ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(table, mask));
        table = filtered.table();
      }
      if (read_schema_->num_fields() != out_schema_->num_fields()) {
        std::vector<int> idx;
        for (const auto& f : out_schema_->fields())
          idx.push_back(read_schema_->GetFieldIndex(f->name()));
        ARROW_ASSIGN_OR_RAISE(table, table->SelectColumns(idx));
      }
      table_ = table;
      current_ = std::make_unique<arrow::TableBatchReader>(*table_);
    }
  }

 private:
  std::shared_ptr<const Snapshot> snap_;
  std::vector<AddFile> files_;
  std::shared_ptr<arrow::Schema> read_schema_, out_schema_;
  std::optional<cp::Expression> filter_;
  ScanOptions options_;
  size_t next_ = 0;
  std::shared_ptr<arrow::Table> table_;
  std::unique_ptr<arrow::TableBatchReader> current_;
};

}  // namespace

Result<std::shared_ptr<arrow::RecordBatchReader>> ScanBatches(
    std::shared_ptr<const Snapshot> snapshot, const ScanOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto schema, ScanSchema(*snapshot, options));
  ScanOptions read_opts = options;
  for (const auto& p : options.filters) {
    if (!schema->GetFieldByName(p.column) && !options.columns.empty())
      read_opts.columns.push_back(p.column);
  }
  ARROW_ASSIGN_OR_RAISE(auto read_schema, ScanSchema(*snapshot, read_opts));
  ARROW_ASSIGN_OR_RAISE(auto pruned, PruneFiles(*snapshot, options.filters));
  std::optional<cp::Expression> filter;
  if (!options.filters.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto expr, ToExpression(options.filters, *read_schema));
    ARROW_ASSIGN_OR_RAISE(expr, expr.Bind(*read_schema));
    filter = std::move(expr);
  }
  if (options.metrics) *options.metrics = ScanMetrics{};
  return std::make_shared<FileByFileReader>(std::move(snapshot), std::move(pruned.candidates),
                                            read_schema, schema, std::move(filter), options);
}

}  // namespace anatomy::delta
