#include "anatomy/delta/parquet_read.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/dataset/dataset.h>
#include <arrow/dataset/file_parquet.h>
#include <arrow/dataset/scanner.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <parquet/properties.h>

#include <algorithm>
#include <exception>
#include <numeric>
#include <optional>

namespace anatomy::delta {

namespace cp = arrow::compute;
namespace ds = arrow::dataset;

int FindPhysical(const arrow::FieldVector& physical, const StructField& logical,
                 ColumnMappingMode mode) {
  if (mode == ColumnMappingMode::kId && logical.mapping_id) {
    for (size_t i = 0; i < physical.size(); ++i) {
      const auto& md = physical[i]->metadata();
      if (!md) continue;
      auto id = md->Get("PARQUET:field_id");
      if (id.ok() && *id == std::to_string(*logical.mapping_id)) return static_cast<int>(i);
    }
  }
  const std::string& name = logical.PhysicalName(mode != ColumnMappingMode::kNone);
  for (size_t i = 0; i < physical.size(); ++i) {
    if (physical[i]->name() == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

/// The filter bound to the file's schema, and the physical columns it reads (top-level index,
/// whether the filter rejects that column's nulls).
struct PhysicalFilterTerms {
  cp::Expression filter;
  std::vector<std::pair<int, bool>> columns;
};

/// Whether a column's null rows can never satisfy the filter: true when some term on it is
/// null-rejecting (a comparison, IN or IS NOT NULL yields null or false on a null, and a
/// conjunction with such a term is then not true).
bool RejectsNulls(const std::vector<Predicate>& filters, const std::string& column) {
  for (const auto& p : filters) {
    if (p.column == column && p.op != PredicateOp::kIsNull) return true;
  }
  return false;
}

/// The filter terms that statistics can decide, rewritten onto physical column names and bound
/// to the file's schema; nullopt when no term qualifies. Only top-level primitive columns whose
/// file type already is the logical type take part: then the statistics and the literal compare
/// in one type, with no cast for the simplifier to reason through. Dropping terms of a
/// conjunction only keeps more row groups, never fewer.
std::optional<PhysicalFilterTerms> PhysicalFilter(const arrow::Schema& physical,
                                                  const ParquetReadRequest& request) {
  PhysicalFilterTerms out;
  std::vector<Predicate> terms;
  arrow::FieldVector fields;
  for (const auto& p : request.filters) {
    const StructField* f = request.schema ? request.schema->FindField(p.column) : nullptr;
    if (!f || f->type->kind != DeltaType::Kind::kPrimitive) continue;
    int idx = FindPhysical(physical.fields(), *f, request.mode);
    if (idx < 0) continue;
    auto logical = ToArrowType(*f->type);
    const auto& pf = physical.field(idx);
    if (!logical.ok() || !pf->type()->Equals(**logical)) continue;
    Predicate renamed = p;
    renamed.column = pf->name();
    terms.push_back(std::move(renamed));
    bool seen = false;  // a column with several terms appears once in the schema
    for (const auto& have : fields) seen = seen || have->name() == pf->name();
    if (!seen) {
      fields.push_back(pf);
      out.columns.emplace_back(idx, RejectsNulls(request.filters, p.column));
    }
  }
  if (terms.empty()) return std::nullopt;
  auto expr = ToExpression(terms, *arrow::schema(fields));
  if (!expr.ok()) return std::nullopt;
  // Binding fails on ambiguous names (duplicate physical columns): then no pruning.
  auto bound = expr->Bind(physical);
  if (!bound.ok()) return std::nullopt;
  out.filter = std::move(*bound);
  return out;
}

/// Indices of the row groups whose statistics may hold a matching row, ascending. Arrow
/// Dataset turns each column chunk's statistics into a guarantee
/// (ParquetFileFragment::EvaluateStatisticsAsExpression) and decides the filter under it
/// (SimplifyWithGuarantee), as ParquetFileFragment::SplitByRowGroup does. That method is not
/// called directly because, in Arrow 26, a chunk holding any null yields the guarantee
/// `in_range OR is_null(c)`, which the simplifier cannot use, so row groups of nullable
/// columns were never skipped; for a column the filter rejects nulls on, the null alternative
/// is dropped here (null rows fail the exact row filter anyway).
Result<std::vector<int>> KeptRowGroups(const parquet::FileMetaData& metadata,
                                       const parquet::arrow::SchemaManifest& manifest,
                                       const arrow::Schema& physical,
                                       const PhysicalFilterTerms& terms) {
  std::vector<int> kept;
  for (int rg = 0; rg < metadata.num_row_groups(); ++rg) {
    auto row_group = metadata.RowGroup(rg);
    std::vector<cp::Expression> guarantees;
    for (const auto& [idx, rejects_nulls] : terms.columns) {
      const auto& schema_field = manifest.schema_fields[static_cast<size_t>(idx)];
      if (!schema_field.is_leaf()) continue;
      auto chunk = row_group->ColumnChunk(schema_field.column_index);
      if (!chunk->is_stats_set()) continue;
      auto stats = chunk->statistics();
      if (!stats) continue;
      auto g =
          ds::ParquetFileFragment::EvaluateStatisticsAsExpression(*physical.field(idx), *stats);
      if (!g) continue;
      if (const auto* call = g->call(); rejects_nulls && call &&
                                        call->function_name == "or_kleene" &&
                                        call->arguments.size() == 2) {
        auto rest = call->arguments[0];
        g = std::move(rest);
      }
      guarantees.push_back(std::move(*g));
    }
    if (guarantees.empty()) {
      kept.push_back(rg);
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto guarantee, cp::and_(std::move(guarantees)).Bind(physical));
    ARROW_ASSIGN_OR_RAISE(auto simplified, cp::SimplifyWithGuarantee(terms.filter, guarantee));
    if (simplified.IsSatisfiable()) kept.push_back(rg);
  }
  return kept;
}

void CollectLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* leaves) {
  if (field.column_index >= 0) leaves->push_back(field.column_index);
  for (const auto& child : field.children) CollectLeaves(child, leaves);
}

/// One file after its footer is read: what to decode, or the finished result when nothing is.
struct Prepared {
  ParquetReadResult result;                  ///< table set only when `fragment` is null
  std::shared_ptr<ds::Fragment> fragment;    ///< the kept row groups, to scan
  std::shared_ptr<arrow::Schema> projected;  ///< physical fields read, file order
};

std::shared_ptr<ds::ParquetFileFormat> MakeFormat() {
  auto format = std::make_shared<ds::ParquetFileFormat>();
  // Legacy INT96 timestamps as microseconds, the unit Delta uses.
  format->reader_options.coerce_int96_timestamp_unit = arrow::TimeUnit::MICRO;
  return format;
}

Result<Prepared> PrepareUnguarded(const std::shared_ptr<ds::ParquetFileFormat>& format,
                                  const ParquetInput& input, const ParquetReadRequest& request) {
  ARROW_ASSIGN_OR_RAISE(
      auto whole, format->MakeFragment(ds::FileSource(input.open, /*size=*/0), cp::literal(true),
                                       /*physical_schema=*/nullptr, /*row_groups=*/{}));
  ARROW_RETURN_NOT_OK(whole->EnsureCompleteMetadata());
  auto metadata = whole->metadata();
  if (!metadata) return Status::Invalid("no footer");
  ARROW_ASSIGN_OR_RAISE(auto physical, whole->ReadPhysicalSchema());
  parquet::ArrowReaderProperties props;
  props.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
  parquet::arrow::SchemaManifest manifest;
  ARROW_RETURN_NOT_OK(parquet::arrow::SchemaManifest::Make(
      metadata->schema(), metadata->key_value_metadata(), props, &manifest));

  Prepared out;
  ParquetReadResult& r = out.result;
  r.row_groups_total = metadata->num_row_groups();
  std::vector<int> kept(static_cast<size_t>(r.row_groups_total));
  std::iota(kept.begin(), kept.end(), 0);
  if (request.prune_row_groups && r.row_groups_total > 1) {
    if (auto filter = PhysicalFilter(*physical, request)) {
      // Pruning is an optimisation: statistics it cannot reason about keep every row group.
      auto pruned = KeptRowGroups(*metadata, manifest, *physical, *filter);
      if (pruned.ok()) kept = std::move(*pruned);
    }
  }
  std::vector<int64_t> first_row(static_cast<size_t>(r.row_groups_total) + 1, 0);
  for (int i = 0; i < r.row_groups_total; ++i)
    first_row[i + 1] = first_row[i] + metadata->RowGroup(i)->num_rows();
  if (!request.only_rows.empty()) {
    std::erase_if(kept, [&](int rg) {
      auto it = std::lower_bound(request.only_rows.begin(), request.only_rows.end(),
                                 static_cast<uint64_t>(first_row[rg]));
      return it == request.only_rows.end() || *it >= static_cast<uint64_t>(first_row[rg + 1]);
    });
  }
  r.row_groups_read = static_cast<int>(kept.size());
  for (int rg : kept) {
    int64_t n = first_row[rg + 1] - first_row[rg];
    r.row_ranges.emplace_back(first_row[rg], n);
    r.num_rows += n;
  }

  std::vector<int> top;
  for (const StructField* f : request.columns) {
    int idx = FindPhysical(physical->fields(), *f, request.mode);
    if (idx >= 0 && std::find(top.begin(), top.end(), idx) == top.end()) top.push_back(idx);
  }
  std::sort(top.begin(), top.end());
  std::vector<int> leaves;
  for (int idx : top) CollectLeaves(manifest.schema_fields[static_cast<size_t>(idx)], &leaves);
  arrow::FieldVector fields;
  for (int idx : top) fields.push_back(physical->field(idx));
  out.projected = arrow::schema(fields);

  if (kept.empty() || leaves.empty()) {
    // Nothing to decode: the schema of the projected columns and the row count suffice.
    ARROW_ASSIGN_OR_RAISE(r.table, arrow::Table::MakeEmpty(out.projected));
    if (fields.empty()) {
      r.table = arrow::Table::Make(arrow::schema({}), arrow::ChunkedArrayVector{}, r.num_rows);
    }
    return out;
  }
  ARROW_ASSIGN_OR_RAISE(out.fragment, whole->Subset(kept));
  return out;
}

Result<Prepared> Prepare(const std::shared_ptr<ds::ParquetFileFormat>& format,
                         const ParquetInput& input, const ParquetReadRequest& request) {
  try {
    auto r = PrepareUnguarded(format, input, request);
    if (!r.ok()) return Status::Invalid(input.path, ": ", r.status().message());
    return r;
  } catch (const std::exception& e) {
    return Status::Invalid(input.path, ": corrupt Parquet: ", e.what());
  }
}

/// Scans the fragments of `group` (files with the same projected schema) as one
/// FileSystemDataset and stores each file's rows in its result.
Status ScanGroup(const std::shared_ptr<ds::ParquetFileFormat>& format,
                 const std::vector<Prepared*>& group) {
  const auto& schema = group[0]->projected;
  std::vector<std::shared_ptr<ds::FileFragment>> fragments;
  std::vector<std::vector<std::shared_ptr<arrow::RecordBatch>>> batches(group.size());
  for (auto* p : group) {
    fragments.push_back(std::static_pointer_cast<ds::FileFragment>(p->fragment));
  }
  ARROW_ASSIGN_OR_RAISE(auto dataset,
                        ds::FileSystemDataset::Make(schema, cp::literal(true), format,
                                                    /*filesystem=*/nullptr, fragments));
  ds::ScannerBuilder builder(dataset);
  std::vector<std::string> names;
  for (const auto& f : schema->fields()) names.push_back(f->name());
  ARROW_RETURN_NOT_OK(builder.Project(names));
  ARROW_RETURN_NOT_OK(builder.UseThreads(true));
  ARROW_ASSIGN_OR_RAISE(auto scanner, builder.Finish());
  ARROW_ASSIGN_OR_RAISE(auto it, scanner->ScanBatches());
  size_t at = 0;  // batches come in fragment order
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto tagged, it.Next());
    if (!tagged.record_batch) break;
    while (at < group.size() && tagged.fragment.get() != group[at]->fragment.get()) ++at;
    if (at == group.size()) return Status::Invalid("a scanned batch of no requested file");
    batches[at].push_back(std::move(tagged.record_batch));
  }
  for (size_t i = 0; i < group.size(); ++i) {
    ParquetReadResult& r = group[i]->result;
    // The file's own fields (with their field-id metadata) over the scanned columns, one chunk
    // per batch (joining them would copy every column once more).
    arrow::ChunkedArrayVector columns;
    for (int c = 0; c < schema->num_fields(); ++c) {
      arrow::ArrayVector chunks;
      for (const auto& b : batches[i]) chunks.push_back(b->column(c));
      ARROW_ASSIGN_OR_RAISE(auto column,
                            arrow::ChunkedArray::Make(std::move(chunks), schema->field(c)->type()));
      columns.push_back(std::move(column));
    }
    r.table = arrow::Table::Make(group[i]->projected, columns);
    if (r.table->num_rows() != r.num_rows) {
      return Status::Invalid("row groups hold ", r.num_rows, " rows, read ", r.table->num_rows());
    }
  }
  return Status::OK();
}

Status ScanGroupGuarded(const std::shared_ptr<ds::ParquetFileFormat>& format,
                        const std::vector<Prepared*>& group) {
  try {
    return ScanGroup(format, group);
  } catch (const std::exception& e) {
    return Status::Invalid("corrupt Parquet: ", e.what());
  }
}

}  // namespace

Result<std::vector<ParquetReadResult>> ReadParquetFiles(const std::vector<ParquetInput>& inputs,
                                                        const ParquetReadRequest& request) {
  auto format = MakeFormat();
  std::vector<Prepared> prepared;
  prepared.reserve(inputs.size());
  for (const auto& in : inputs) {
    ARROW_ASSIGN_OR_RAISE(auto p, Prepare(format, in, request));
    prepared.push_back(std::move(p));
  }
  // Files to decode, grouped by projected physical schema (one dataset per group; a table
  // whose schema never changed is one group). Projection is by name, so a file with duplicate
  // column names is a group of its own.
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (!prepared[i].fragment) continue;
    const auto& schema = *prepared[i].projected;
    bool unique_names = true;
    for (int c = 0; c < schema.num_fields(); ++c)
      unique_names = unique_names && schema.GetFieldIndex(schema.field(c)->name()) == c;
    if (!unique_names) {
      return Status::Invalid(inputs[i].path, ": duplicate column names in the file");
    }
    bool placed = false;
    for (auto& g : groups) {
      if (prepared[g[0]].projected->Equals(schema, /*check_metadata=*/true)) {
        g.push_back(i);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({i});
  }
  for (const auto& g : groups) {
    std::vector<Prepared*> members;
    for (size_t i : g) members.push_back(&prepared[i]);
    Status st = ScanGroupGuarded(format, members);
    if (st.ok()) continue;
    // Name the file: rescan the group's files one by one (only on this error path).
    for (size_t i : g) {
      Status one = ScanGroupGuarded(format, {&prepared[i]});
      if (!one.ok()) return Status::Invalid(inputs[i].path, ": ", one.message());
    }
    return st;
  }
  std::vector<ParquetReadResult> out;
  out.reserve(prepared.size());
  for (auto& p : prepared) out.push_back(std::move(p.result));
  return out;
}

Result<ParquetReadResult> ReadParquetRowGroups(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file, const std::string& path,
    const ParquetReadRequest& request) {
  ParquetInput input{
      [file]() -> Result<std::shared_ptr<arrow::io::RandomAccessFile>> { return file; }, path};
  ARROW_ASSIGN_OR_RAISE(auto results, ReadParquetFiles({input}, request));
  return std::move(results[0]);
}

}  // namespace anatomy::delta
