#include "anatomy/delta/parquet_read.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/dataset/file_parquet.h>
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

Result<ParquetReadResult> ReadUnguarded(const std::shared_ptr<arrow::io::RandomAccessFile>& file,
                                        const std::string& path,
                                        const ParquetReadRequest& request) {
  parquet::ArrowReaderProperties props;
  props.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
  props.set_use_threads(true);
  parquet::arrow::FileReaderBuilder builder;
  ARROW_RETURN_NOT_OK(builder.Open(file));
  builder.properties(props);
  auto built = builder.Build();
  if (!built.ok()) return Status::Invalid(path, ": ", built.status().message());
  std::unique_ptr<parquet::arrow::FileReader> reader = std::move(*built);
  std::shared_ptr<arrow::Schema> physical;
  ARROW_RETURN_NOT_OK(reader->GetSchema(&physical));

  ParquetReadResult out;
  auto metadata = reader->parquet_reader()->metadata();
  out.row_groups_total = metadata->num_row_groups();
  std::vector<int> kept(static_cast<size_t>(out.row_groups_total));
  std::iota(kept.begin(), kept.end(), 0);
  if (request.prune_row_groups && out.row_groups_total > 1) {
    if (auto filter = PhysicalFilter(*physical, request)) {
      // Pruning is an optimisation: statistics it cannot reason about keep every row group.
      auto pruned = KeptRowGroups(*metadata, reader->manifest(), *physical, *filter);
      if (pruned.ok()) kept = std::move(*pruned);
    }
  }
  out.row_groups_read = static_cast<int>(kept.size());
  std::vector<int64_t> first_row(static_cast<size_t>(out.row_groups_total) + 1, 0);
  for (int i = 0; i < out.row_groups_total; ++i)
    first_row[i + 1] = first_row[i] + metadata->RowGroup(i)->num_rows();
  for (int rg : kept) {
    int64_t n = first_row[rg + 1] - first_row[rg];
    out.row_ranges.emplace_back(first_row[rg], n);
    out.num_rows += n;
  }

  std::vector<int> top;
  for (const StructField* f : request.columns) {
    int idx = FindPhysical(physical->fields(), *f, request.mode);
    if (idx >= 0 && std::find(top.begin(), top.end(), idx) == top.end()) top.push_back(idx);
  }
  std::sort(top.begin(), top.end());
  std::vector<int> leaves;
  const auto& manifest = reader->manifest();
  for (int idx : top) CollectLeaves(manifest.schema_fields[static_cast<size_t>(idx)], &leaves);

  if (kept.empty() || leaves.empty()) {
    // Nothing to decode: the schema of the projected columns and the row count suffice.
    arrow::FieldVector fields;
    for (int idx : top) fields.push_back(physical->field(idx));
    ARROW_ASSIGN_OR_RAISE(out.table, arrow::Table::MakeEmpty(arrow::schema(fields)));
    if (!fields.empty()) return out;
    out.table = arrow::Table::Make(arrow::schema({}), arrow::ChunkedArrayVector{}, out.num_rows);
    return out;
  }
  ARROW_ASSIGN_OR_RAISE(auto table, reader->ReadRowGroups(kept, leaves));
  ARROW_ASSIGN_OR_RAISE(out.table, table->CombineChunks());
  if (out.table->num_rows() != out.num_rows) {
    return Status::Invalid(path, ": row groups hold ", out.num_rows, " rows, read ",
                           out.table->num_rows());
  }
  return out;
}

}  // namespace

Result<ParquetReadResult> ReadParquetRowGroups(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file, const std::string& path,
    const ParquetReadRequest& request) {
  try {
    return ReadUnguarded(file, path, request);
  } catch (const std::exception& e) {
    return Status::Invalid(path, ": corrupt Parquet: ", e.what());
  }
}

}  // namespace anatomy::delta
