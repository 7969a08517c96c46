#include "anatomy/delta/write.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/thread_pool.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "anatomy/core/parallel.h"
#include "anatomy/delta/checkpoint_writer.h"
#include "anatomy/delta/column_mapping.h"
#include "anatomy/delta/constraints.h"
#include "anatomy/delta/deletion_vector.h"
#include "anatomy/delta/json_util.h"
#include "anatomy/delta/log_files.h"
#include "anatomy/delta/protocol.h"
#include "anatomy/delta/pruning.h"
#include "anatomy/delta/scan.h"
#include "anatomy/delta/schema.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/delta/stats.h"
#include "anatomy/delta/transaction.h"

namespace anatomy::delta {

namespace cp = arrow::compute;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string JsonList(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

/// Casts `data` to `schema` by column name: missing nullable columns become null, extra
/// columns fail (unless allowed), non-nullable columns must hold no nulls.
Result<std::shared_ptr<arrow::Table>> Conform(const std::shared_ptr<arrow::Table>& data,
                                              const arrow::Schema& schema) {
  for (const auto& f : data->schema()->fields()) {
    if (!schema.GetFieldByName(f->name())) {
      return Status::Invalid("column '", f->name(),
                             "' is not in the table schema (use schema merge or schema overwrite)");
    }
  }
  std::vector<std::shared_ptr<arrow::ChunkedArray>> cols;
  for (const auto& f : schema.fields()) {
    auto col = data->GetColumnByName(f->name());
    if (!col) {
      if (!f->nullable())
        return Status::Invalid("non-nullable column '", f->name(), "' is missing from the data");
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(f->type(), data->num_rows()));
      cols.push_back(std::make_shared<arrow::ChunkedArray>(nulls));
      continue;
    }
    if (!col->type()->Equals(*f->type())) {
      auto cast = cp::Cast(col, f->type());
      if (!cast.ok()) {
        return Status::Invalid("column '", f->name(), "' has type ", col->type()->ToString(),
                               ", the table has ", f->type()->ToString());
      }
      col = cast->chunked_array();
    }
    if (!f->nullable() && col->null_count() > 0) {
      return Status::Invalid("column '", f->name(), "' is not nullable but the data has ",
                             col->null_count(), " nulls");
    }
    cols.push_back(col);
  }
  return arrow::Table::Make(std::make_shared<arrow::Schema>(schema.fields()), cols,
                            data->num_rows());
}

Result<Metadata> NewMetadata(const arrow::Schema& schema, const WriteOptions& o) {
  for (const auto& pc : o.partition_columns) {
    if (!schema.GetFieldByName(pc))
      return Status::Invalid("partition column '", pc, "' is not in the schema");
  }
  Metadata m;
  m.id = NewUuid();
  m.name = o.name;
  m.description = o.description;
  ARROW_ASSIGN_OR_RAISE(auto dt, FromArrowSchema(schema));
  m.configuration = o.properties;
  // The property that makes checkpoints V2 (PROTOCOL.md "V2 Checkpoint Table Feature").
  if (Contains(o.features, "v2Checkpoint") && !m.configuration.count("delta.checkpointPolicy")) {
    m.configuration["delta.checkpointPolicy"] = "v2";
  }
  ARROW_ASSIGN_OR_RAISE(auto mode, ParseColumnMappingMode(m.configuration));
  if (mode != ColumnMappingMode::kNone) {
    // maxColumnId is internal: whatever the caller passed, ids start after it.
    int64_t max_id = 0;
    ARROW_RETURN_NOT_OK(AssignColumnMapping(&dt, nullptr, &max_id));
    m.configuration[kColumnMappingMaxId] = std::to_string(max_id);
  }
  m.schema_string = SerializeSchema(dt);
  m.partition_columns = o.partition_columns;
  m.created_time = NowMs();
  return m;
}

/// Every row a write adds must satisfy the table's CHECK constraints and invariants.
Status CheckRows(const Metadata& meta, const arrow::Table& data) {
  const bool any =
      meta.schema_string.find("delta.invariants") != std::string::npos ||
      std::any_of(meta.configuration.begin(), meta.configuration.end(),
                  [](const auto& kv) { return kv.first.rfind("delta.constraints.", 0) == 0; });
  if (!any) return Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto schema, ParseSchema(meta.schema_string, "metaData"));
  ARROW_ASSIGN_OR_RAISE(auto constraints, TableConstraints(meta, schema));
  return EnforceConstraints(constraints, data);
}

/// Writes logical rows, in one chunk or several, as data files of a table with this metadata:
/// under column mapping the files, partition values and stats use the physical names (and
/// Parquet field ids).
class LogicalFileWriter {
 public:
  static Result<std::unique_ptr<LogicalFileWriter>> Make(Storage& storage, const Metadata& meta,
                                                         DataWriteOptions files) {
    ARROW_ASSIGN_OR_RAISE(auto mode, ParseColumnMappingMode(meta.configuration));
    if (mode == ColumnMappingMode::kNone) {
      return std::unique_ptr<LogicalFileWriter>(new LogicalFileWriter(
          std::nullopt, DataFileWriter(storage, meta.partition_columns, std::move(files))));
    }
    ARROW_ASSIGN_OR_RAISE(auto schema, ParseSchema(meta.schema_string, "metaData"));
    ARROW_ASSIGN_OR_RAISE(auto partition_columns, PhysicalNames(schema, meta.partition_columns));
    if (files.stats_columns) {
      std::vector<std::string> known;
      for (const auto& c : *files.stats_columns) {
        if (schema.FindField(c)) known.push_back(c);
      }
      ARROW_ASSIGN_OR_RAISE(files.stats_columns, PhysicalNames(schema, known));
    }
    return std::unique_ptr<LogicalFileWriter>(new LogicalFileWriter(
        std::move(schema), DataFileWriter(storage, partition_columns, std::move(files))));
  }

  /// `last`: no chunk follows (a partition's rows short of a full file are held until then).
  Result<std::vector<AddFile>> Write(const std::shared_ptr<arrow::Table>& data, bool last) {
    if (!mapped_schema_) return files_.Write(data, last);
    ARROW_ASSIGN_OR_RAISE(auto physical, ToPhysicalTable(data, *mapped_schema_));
    return files_.Write(physical, last);
  }

 private:
  LogicalFileWriter(std::optional<DeltaType> mapped_schema, DataFileWriter files)
      : mapped_schema_(std::move(mapped_schema)), files_(std::move(files)) {}
  std::optional<DeltaType> mapped_schema_;
  DataFileWriter files_;
};

Result<std::vector<AddFile>> WriteFiles(Storage& storage, const std::shared_ptr<arrow::Table>& data,
                                        const Metadata& meta, const DataWriteOptions& files) {
  ARROW_ASSIGN_OR_RAISE(auto writer, LogicalFileWriter::Make(storage, meta, files));
  return writer->Write(data, /*last=*/true);
}

/// WriteFiles of `data`, then of every table `options.more_data` hands out (conformed to
/// `target` and checked), as one stream of files; `rows` counts them all.
Result<std::vector<AddFile>> WriteAllFiles(Storage& storage, std::shared_ptr<arrow::Table> data,
                                           const Metadata& meta, const arrow::Schema& target,
                                           const WriteOptions& options, int64_t* rows) {
  ARROW_ASSIGN_OR_RAISE(auto writer, LogicalFileWriter::Make(storage, meta, options.files));
  const bool streamed = static_cast<bool>(options.more_data);
  ARROW_ASSIGN_OR_RAISE(auto adds, writer->Write(data, !streamed));
  *rows = data->num_rows();
  while (streamed) {
    ARROW_ASSIGN_OR_RAISE(auto more, options.more_data());
    if (!more) {
      ARROW_ASSIGN_OR_RAISE(more, arrow::Table::MakeEmpty(data->schema()));
      ARROW_ASSIGN_OR_RAISE(auto held, writer->Write(more, /*last=*/true));
      for (auto& a : held) adds.push_back(std::move(a));
      break;
    }
    ARROW_ASSIGN_OR_RAISE(more, Conform(more, target));
    ARROW_RETURN_NOT_OK(CheckRows(meta, *more));
    ARROW_ASSIGN_OR_RAISE(auto more_adds, writer->Write(more, /*last=*/false));
    *rows += more->num_rows();
    for (auto& a : more_adds) adds.push_back(std::move(a));
  }
  return adds;
}

CommitInfo MakeCommitInfo(const std::string& op, StringMap params, const WriteOptions& o,
                          bool blind) {
  CommitInfo c;
  c.timestamp = NowMs();
  c.operation = op;
  c.operation_parameters = std::move(params);
  c.engine_info = o.engine_info;
  c.is_blind_append = blind;
  c.user_metadata = o.commit_metadata;
  return c;
}

RemoveFile ToRemove(const AddFile& a, int64_t now) {
  RemoveFile r;
  r.path = a.path;
  r.deletion_timestamp = now;
  r.data_change = true;
  r.extended_file_metadata = true;
  r.partition_values = a.partition_values;
  r.size = a.size;
  r.deletion_vector = a.deletion_vector;
  r.base_row_id = a.base_row_id;
  r.default_row_commit_version = a.default_row_commit_version;
  return r;
}

Status CheckPartitionFilters(const Snapshot& snap, const std::vector<Predicate>& filters,
                             const char* what) {
  for (const auto& p : filters) {
    if (!Contains(snap.metadata.partition_columns, p.column)) {
      return Status::NotImplemented(what, " supports partition-column filters only; '", p.column,
                                    "' is not a partition column");
    }
  }
  return Status::OK();
}

/// Whether a file (added by a concurrent commit) may hold rows matching any of the conjunctions:
/// the pruning logic on its partition values and stats.
std::function<bool(const AddFile&)> PartitionMatcher(const Snapshot& snap,
                                                     std::vector<std::vector<Predicate>> any) {
  auto base = std::make_shared<Snapshot>(snap);  // schema and partitioning; the file is the one
  base->files.clear();
  base->tombstones.clear();
  return [base, any = std::move(any)](const AddFile& f) {
    Snapshot one = *base;
    one.files = {f};
    auto r = PruneFilesAny(one, any);
    return !r.ok() || r->candidate_files > 0;  // unsure → conflict
  };
}

/// The files a row-level replace or delete rewrites, and the rows of theirs that stay.
struct RowRewrite {
  std::vector<AddFile> removed;
  std::vector<std::shared_ptr<arrow::Table>> kept;
  std::vector<std::shared_ptr<arrow::Table>> matched;  // kept only when asked for
  /// Merge-on-read: files of `removed` added back with a deletion vector marking the matched
  /// rows (instead of their other rows in `kept`); their `stats` say the bounds are wide.
  std::vector<AddFile> marked;
};

/// `stats` (an add's JSON statistics) with tightBounds=false: after rows are marked deleted, the
/// file's min/max still bound its valid rows but may no longer be attained (PROTOCOL.md
/// "Per-file Statistics"); numRecords stays the physical count, as a DV requires.
std::optional<std::string> WideBounds(const std::optional<std::string>& stats) {
  if (!stats) return stats;
  auto json = ParseJson(*stats, "stats");
  if (!json.ok() || !json->is_object()) return stats;
  (*json)["tightBounds"] = false;
  return SafeDump(*json);
}

/// Reads the files that may hold rows matching any of the conjunctions `any` and splits each
/// one that does into removed file + kept rows (as `schema`). Rows where a predicate is null
/// are kept. With `mark_deleted`, the kept rows are not read or written again: the file comes
/// back in `marked` with a deletion vector (one new DV file for all of them) that adds the
/// matching rows to those it already marked, or is only removed when no row is left.
Result<RowRewrite> RewriteMatching(const Snapshot& snap,
                                   const std::vector<std::vector<Predicate>>& any,
                                   const arrow::Schema& schema, bool keep_matched = false,
                                   bool mark_deleted = false) {
  ARROW_ASSIGN_OR_RAISE(auto logical, ToArrowSchema(snap.schema));
  std::map<std::string, AddFile> candidates;  // by path: the order they are read and committed in
  std::vector<cp::Expression> terms;
  std::set<std::string> key_names;
  ARROW_ASSIGN_OR_RAISE(auto pruned, PruneFilesAny(snap, any));
  for (auto& f : pruned.candidates) candidates.emplace(f.path, std::move(f));
  for (const auto& filters : any) {
    ARROW_ASSIGN_OR_RAISE(auto term, ToExpression(filters, *logical));
    terms.push_back(cp::call("coalesce", {std::move(term), cp::literal(false)}));
    for (const auto& p : filters) key_names.insert(p.column);
  }
  auto expr = cp::or_(terms);
  ARROW_ASSIGN_OR_RAISE(auto bound, expr.Bind(*logical));
  // Statistics prune files by ranges, so many candidates hold no matching row: each is first
  // read in the predicate's columns only, and read whole only if one of its rows matches.
  arrow::FieldVector key_fields;
  for (const auto& f : logical->fields()) {
    if (key_names.count(f->name())) key_fields.push_back(f);
  }
  auto keys = arrow::schema(key_fields);
  ARROW_ASSIGN_OR_RAISE(auto key_expr, expr.Bind(*keys));
  std::vector<AddFile> files;
  for (auto& [path, file] : candidates) files.push_back(std::move(file));
  struct Split {
    bool matched = false;
    std::shared_ptr<arrow::Table> kept, matched_rows;
    std::vector<uint64_t> deleted;  // mark_deleted: the file's deleted rows after this write
    int64_t physical_rows = 0;
  };
  std::vector<Split> splits(files.size());
  // Which rows of a file match, from its key columns only (all physical rows, or its live ones).
  auto key_mask = [&](const AddFile& file, bool physical) -> Result<arrow::Datum> {
    ARROW_ASSIGN_OR_RAISE(auto key_rows, ReadDataFile(snap, file, keys, !physical));
    ARROW_ASSIGN_OR_RAISE(auto key_batch, key_rows->CombineChunksToBatch());
    return cp::ExecuteScalarExpression(key_expr, *keys, arrow::Datum(key_batch));
  };
  auto mark = [&](size_t i) -> Status {
    // Row positions are physical: rows the file's DV already marks are read too, and stay
    // marked whether they match or not.
    const AddFile& file = files[i];
    ARROW_ASSIGN_OR_RAISE(auto matches, key_mask(file, true));
    const auto mask_array = matches.make_array();
    const auto& mask = static_cast<const arrow::BooleanArray&>(*mask_array);
    std::vector<uint64_t> before;
    if (file.deletion_vector) {
      ARROW_ASSIGN_OR_RAISE(before, LoadDeletionVector(*snap.storage, *file.deletion_vector));
    }
    std::vector<uint64_t> fresh;
    auto d = before.begin();
    for (int64_t r = 0; r < mask.length(); ++r) {
      while (d != before.end() && *d < static_cast<uint64_t>(r)) ++d;
      const bool already = d != before.end() && *d == static_cast<uint64_t>(r);
      if (!already && mask.IsValid(r) && mask.Value(r)) fresh.push_back(r);
    }
    if (fresh.empty()) return Status::OK();
    Split& out = splits[i];
    out.matched = true;
    out.physical_rows = mask.length();
    std::set_union(before.begin(), before.end(), fresh.begin(), fresh.end(),
                   std::back_inserter(out.deleted));
    if (keep_matched) {
      ARROW_ASSIGN_OR_RAISE(out.matched_rows, ReadDataFileRows(snap, file, logical, fresh));
    }
    return Status::OK();
  };
  auto split = [&](size_t i) -> Status {
    if (mark_deleted) return mark(i);
    const AddFile& file = files[i];
    ARROW_ASSIGN_OR_RAISE(auto matches, key_mask(file, false));
    ARROW_ASSIGN_OR_RAISE(auto any_match, cp::CallFunction("any", {matches}));
    if (!any_match.scalar_as<arrow::BooleanScalar>().value) return Status::OK();
    splits[i].matched = true;
    ARROW_ASSIGN_OR_RAISE(auto rows, ReadDataFile(snap, file, logical));
    ARROW_ASSIGN_OR_RAISE(auto batch, rows->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto mask,
                          cp::ExecuteScalarExpression(bound, *logical, arrow::Datum(batch)));
    if (keep_matched) {
      ARROW_ASSIGN_OR_RAISE(auto matched, cp::Filter(arrow::Datum(batch), mask));
      ARROW_ASSIGN_OR_RAISE(splits[i].matched_rows,
                            arrow::Table::FromRecordBatches({matched.record_batch()}));
    }
    ARROW_ASSIGN_OR_RAISE(auto keep, cp::Invert(mask));
    ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(arrow::Datum(batch), keep));
    if (kept.length() == 0) return Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches({kept.record_batch()}));
    ARROW_ASSIGN_OR_RAISE(splits[i].kept, Conform(table, schema));
    return Status::OK();
  };
  ARROW_RETURN_NOT_OK(core::ParallelFor(files.size(), arrow::GetCpuThreadPoolCapacity(), split));
  RowRewrite out;
  std::vector<std::vector<uint64_t>> vectors;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!splits[i].matched) continue;
    if (splits[i].matched_rows) out.matched.push_back(std::move(splits[i].matched_rows));
    if (splits[i].kept) out.kept.push_back(std::move(splits[i].kept));
    if (mark_deleted && static_cast<int64_t>(splits[i].deleted.size()) < splits[i].physical_rows) {
      AddFile again = files[i];
      again.stats = WideBounds(again.stats);
      out.marked.push_back(std::move(again));
      vectors.push_back(std::move(splits[i].deleted));
    }
    out.removed.push_back(std::move(files[i]));
  }
  if (!vectors.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto dvs, WriteDeletionVectors(*snap.storage, vectors));
    for (size_t i = 0; i < dvs.size(); ++i) out.marked[i].deletion_vector = std::move(dvs[i]);
  }
  return out;
}

constexpr const char* kEnableDeletionVectors = "delta.enableDeletionVectors";

/// A write whose features ask for deletionVectors on a table without them adds the feature and
/// enables it in the write's own commit (`protocol`, `meta` set when they change).
void AskForDeletionVectors(const Snapshot& snap, const WriteOptions& o,
                           std::optional<Protocol>* protocol, std::optional<Metadata>* meta) {
  if (std::find(o.features.begin(), o.features.end(), "deletionVectors") == o.features.end())
    return;
  Protocol p = WithFeatures(snap.protocol, {"deletionVectors"});
  if (!(p == snap.protocol)) *protocol = std::move(p);
  const Metadata& now = *meta ? **meta : snap.metadata;
  auto it = now.configuration.find(kEnableDeletionVectors);
  if (it == now.configuration.end() || it->second != "true") {
    if (!*meta) *meta = snap.metadata;
    (*meta)->configuration[kEnableDeletionVectors] = "true";
  }
}

/// Row-level replaces and deletes mark rows in deletion vectors (merge-on-read) when the table
/// enables them, as Delta's own writers do; otherwise they rewrite the files' other rows.
bool MarksDeletedRows(const Protocol& protocol, const Metadata& meta) {
  auto it = meta.configuration.find(kEnableDeletionVectors);
  return it != meta.configuration.end() && it->second == "true" &&
         HasWriterFeature(protocol, "deletionVectors");
}

/// `first` followed by the tables of `rest` (all of `first`'s schema).
Result<std::shared_ptr<arrow::Table>> Concat(std::vector<std::shared_ptr<arrow::Table>> rest,
                                             std::shared_ptr<arrow::Table> first) {
  if (rest.empty()) return first;
  rest.insert(rest.begin(), std::move(first));
  return arrow::ConcatenateTables(rest);
}

std::string PredicateText(const std::vector<Predicate>& filters) {
  std::string pred;
  for (const auto& p : filters) pred += (pred.empty() ? "" : " AND ") + p.ToString();
  return pred;
}

std::string PredicateText(const std::vector<std::vector<Predicate>>& any) {
  if (any.size() == 1) return PredicateText(any[0]);
  std::string pred;
  for (const auto& filters : any)
    pred += (pred.empty() ? "(" : " OR (") + PredicateText(filters) + ")";
  return pred;
}

Result<WriteResult> Finish(Storage& storage, CommitIntent intent, WriteResult result,
                           const StringMap& config) {
  intent.in_commit_timestamp = config.count("delta.enableInCommitTimestamps") &&
                               config.at("delta.enableInCommitTimestamps") == "true";
  ARROW_ASSIGN_OR_RAISE(auto committed, Commit(storage, std::move(intent)));
  result.version = committed.version;
  result.attempts = committed.attempts;
  result.committed = true;
  // The commit stands even if the checkpoint fails: checkpoints only speed up replay, and the
  // next writer at a multiple of the interval (or `anatomy delta checkpoint`) writes one.
  (void)MaybeCheckpoint(storage, committed.version, config);
  return result;
}

}  // namespace

Result<Protocol> ProtocolForFeatures(const std::vector<std::string>& requested,
                                     const arrow::Schema& schema, const StringMap& properties) {
  std::set<std::string> f(requested.begin(), requested.end());
  ARROW_ASSIGN_OR_RAISE(auto dt, FromArrowSchema(schema));
  if (UsesTimestampNtz(dt)) f.insert("timestampNtz");
  auto on = [&](const char* key) {
    auto it = properties.find(key);
    return it != properties.end() && it->second == "true";
  };
  if (on("delta.enableChangeDataFeed")) f.insert("changeDataFeed");
  if (on("delta.appendOnly")) f.insert("appendOnly");
  if (on("delta.enableInCommitTimestamps")) f.insert("inCommitTimestamp");
  if (on("delta.enableDeletionVectors")) f.insert("deletionVectors");
  ARROW_ASSIGN_OR_RAISE(auto mapping, ParseColumnMappingMode(properties));
  if (mapping != ColumnMappingMode::kNone) f.insert("columnMapping");
  for (const auto& [key, value] : properties) {
    if (key.rfind("delta.constraints.", 0) == 0) f.insert("checkConstraints");
  }
  if (auto it = properties.find("delta.checkpointPolicy");
      it != properties.end() && it->second == "v2") {
    f.insert("v2Checkpoint");
  }
  for (const auto& x : f) {
    if (!Contains(SupportedWriterFeatures(), x)) {
      return Status::NotImplemented(
          "cannot create a table with feature '", x, "' (anatomy writes: ",
          [] {
            std::string s;
            for (const auto& w : SupportedWriterFeatures()) s += (s.empty() ? "" : ", ") + w;
            return s;
          }(),
          ")");
    }
  }
  Protocol p;
  std::vector<std::string> reader, writer(f.begin(), f.end());
  for (const auto& x : f) {
    if (Contains(SupportedReaderFeatures(), x)) reader.push_back(x);
  }
  bool legacy_only = std::all_of(f.begin(), f.end(), [](const std::string& x) {
    return x == "appendOnly" || x == "invariants";
  });
  if (legacy_only) {
    p.min_reader_version = 1;
    p.min_writer_version = 2;
  } else if (reader.empty()) {
    p.min_reader_version = 1;
    p.min_writer_version = 7;
    p.writer_features = writer;
  } else {
    p.min_reader_version = 3;
    p.min_writer_version = 7;
    p.reader_features = reader;
    p.writer_features = writer;
  }
  return p;
}

Result<WriteResult> WriteTable(std::shared_ptr<Storage> storage,
                               const std::shared_ptr<arrow::Table>& input, const WriteOptions& o) {
  ARROW_RETURN_NOT_OK(EnsureComputeInitialized());
  if (o.more_data && !o.replace_where.empty()) {
    return Status::Invalid(storage->root(), ": more_data cannot be combined with replace_where");
  }
  ARROW_ASSIGN_OR_RAISE(int64_t latest, LatestVersion(*storage));
  WriteResult result;
  const char* mode_name = o.mode == WriteMode::kOverwrite ? "Overwrite"
                          : o.mode == WriteMode::kAppend  ? "Append"
                          : o.mode == WriteMode::kIgnore  ? "Ignore"
                                                          : "ErrorIfExists";
  if (latest < 0) {
    // Create the table with this write.
    if (!o.replace_where.empty()) return Status::Invalid("replaceWhere needs an existing table");
    // Replacing rows of a table that does not exist yet is creating it with the new rows.
    ARROW_ASSIGN_OR_RAISE(auto protocol,
                          ProtocolForFeatures(o.features, *input->schema(), o.properties));
    ARROW_ASSIGN_OR_RAISE(auto meta, NewMetadata(*input->schema(), o));
    ARROW_ASSIGN_OR_RAISE(auto data, Conform(input, *input->schema()));
    ARROW_RETURN_NOT_OK(CheckRows(meta, *data));
    int64_t rows = 0;
    ARROW_ASSIGN_OR_RAISE(auto adds,
                          WriteAllFiles(*storage, data, meta, *input->schema(), o, &rows));
    CommitIntent intent;
    intent.read_version = -1;
    intent.max_retries = o.max_retries;
    intent.actions.push_back(MakeCommitInfo(
        "WRITE", {{"mode", mode_name}, {"partitionBy", JsonList(meta.partition_columns)}}, o,
        true));
    intent.actions.push_back(protocol);
    intent.actions.push_back(meta);
    if (o.app_id) intent.actions.push_back(Txn{*o.app_id, o.app_version, NowMs()});
    for (auto& a : adds) intent.actions.push_back(a);
    result.files_added = static_cast<int64_t>(adds.size());
    result.rows_written = rows;
    return Finish(*storage, std::move(intent), result, meta.configuration);
  }

  ARROW_ASSIGN_OR_RAISE(auto snap, LoadSnapshot(storage));
  result.version = snap->version;
  if (o.mode == WriteMode::kErrorIfExists)
    return Status::Invalid(storage->root(), ": table already exists");
  if (o.mode == WriteMode::kIgnore) return result;
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snap->protocol, snap->metadata));
  ARROW_ASSIGN_OR_RAISE(auto mapping, ParseColumnMappingMode(snap->metadata.configuration));
  if (auto it = o.properties.find(kColumnMappingMode); it != o.properties.end()) {
    ARROW_ASSIGN_OR_RAISE(auto asked, ParseColumnMappingMode({{kColumnMappingMode, it->second}}));
    if (asked != mapping) {
      return Status::NotImplemented(
          storage->root(), ": changing ", kColumnMappingMode, " of an existing table (from '",
          snap->Property(kColumnMappingMode, "none"), "' to '", it->second, "') is not supported");
    }
  }
  // Ids only grow (PROTOCOL.md): continue after both the property and the schema's largest id.
  int64_t max_id = MaxColumnId(snap->schema);
  if (auto p = snap->Property(kColumnMappingMaxId); !p.empty()) {
    try {
      max_id = std::max<int64_t>(max_id, std::stoll(p));
    } catch (const std::exception&) {
      return Status::Invalid(storage->root(), ": table property ", kColumnMappingMaxId, " '", p,
                             "' is not a number");
    }
  }
  auto assign_mapping = [&](DeltaType* dt, Metadata* m) -> Status {
    if (mapping == ColumnMappingMode::kNone) return Status::OK();
    ARROW_RETURN_NOT_OK(AssignColumnMapping(dt, &snap->schema, &max_id));
    m->configuration[kColumnMappingMaxId] = std::to_string(max_id);
    return Status::OK();
  };
  if (o.app_id) {
    auto it = snap->txns.find(*o.app_id);
    if (it != snap->txns.end() && it->second.version >= o.app_version)
      return result;  // already applied
  }
  bool overwrite = o.mode == WriteMode::kOverwrite;
  if (!o.partition_columns.empty() && o.partition_columns != snap->metadata.partition_columns &&
      o.schema_mode != SchemaMode::kOverwrite) {
    return Status::Invalid("partition columns ", JsonList(o.partition_columns),
                           " differ from the table's ", JsonList(snap->metadata.partition_columns));
  }
  ARROW_ASSIGN_OR_RAISE(auto table_schema, ToArrowSchema(snap->schema));
  std::optional<Metadata> new_meta;
  std::shared_ptr<arrow::Schema> target = table_schema;
  if (o.schema_mode == SchemaMode::kOverwrite) {
    if (!overwrite) return Status::Invalid("schema overwrite needs overwrite mode");
    Metadata m = snap->metadata;
    ARROW_ASSIGN_OR_RAISE(auto dt, FromArrowSchema(*input->schema()));
    // Columns kept by name keep their id and physical name, so files a partial overwrite
    // leaves in place still read.
    ARROW_RETURN_NOT_OK(assign_mapping(&dt, &m));
    m.schema_string = SerializeSchema(dt);
    if (!o.partition_columns.empty()) m.partition_columns = o.partition_columns;
    for (const auto& pc : m.partition_columns) {
      if (!input->schema()->GetFieldByName(pc)) {
        return Status::Invalid("partition column '", pc, "' is not in the new schema");
      }
    }
    new_meta = m;
    target = input->schema();
  } else if (o.schema_mode == SchemaMode::kMerge) {
    arrow::FieldVector fields = table_schema->fields();
    for (const auto& f : input->schema()->fields()) {
      if (!table_schema->GetFieldByName(f->name())) fields.push_back(f->WithNullable(true));
    }
    if (fields.size() != table_schema->fields().size()) {
      target = arrow::schema(fields);
      Metadata m = snap->metadata;
      ARROW_ASSIGN_OR_RAISE(auto dt, FromArrowSchema(*target));
      // Keep existing fields' metadata (column mapping ids, comments) as written.
      for (size_t i = 0; i < snap->schema.fields.size(); ++i) dt.fields[i] = snap->schema.fields[i];
      ARROW_RETURN_NOT_OK(assign_mapping(&dt, &m));  // new columns get fresh ids
      m.schema_string = SerializeSchema(dt);
      new_meta = m;
    }
  }
  std::optional<Protocol> new_protocol;
  AskForDeletionVectors(*snap, o, &new_protocol, &new_meta);
  const Protocol& protocol = new_protocol ? *new_protocol : snap->protocol;
  const bool mark_deleted = MarksDeletedRows(protocol, new_meta ? *new_meta : snap->metadata);
  if (new_meta) {
    ARROW_ASSIGN_OR_RAISE(auto proto_needed,
                          ProtocolForFeatures({}, *target, new_meta->configuration));
    for (const auto& f : proto_needed.writer_features.value_or(std::vector<std::string>{})) {
      if (!HasWriterFeature(protocol, f)) {
        return Status::NotImplemented("the new schema needs feature '", f,
                                      "', a protocol upgrade, which is not supported");
      }
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto data, Conform(input, *target));
  const auto& partition_columns =
      new_meta ? new_meta->partition_columns : snap->metadata.partition_columns;

  // Files to replace, and those added back with deletion vectors.
  std::vector<AddFile> removed, marked;
  if (!o.replace_rows_where.empty() && (!overwrite || !o.replace_where.empty())) {
    return Status::Invalid("replace_rows_where needs overwrite mode without replace_where");
  }
  if (overwrite && !o.replace_rows_where.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto rewrite,
                          RewriteMatching(*snap, o.replace_rows_where, *target,
                                          static_cast<bool>(o.rewrite_matched), mark_deleted));
    marked = std::move(rewrite.marked);
    removed = std::move(rewrite.removed);
    if (o.rewrite_matched) {
      // Read-modify-write in one commit: the caller turns the replaced rows into new ones.
      ARROW_ASSIGN_OR_RAISE(auto logical, ToArrowSchema(snap->schema));
      std::shared_ptr<arrow::Table> matched;
      if (rewrite.matched.empty()) {
        ARROW_ASSIGN_OR_RAISE(matched, arrow::Table::MakeEmpty(logical));
      } else {
        ARROW_ASSIGN_OR_RAISE(matched, arrow::ConcatenateTables(rewrite.matched));
      }
      ARROW_ASSIGN_OR_RAISE(auto replacement, o.rewrite_matched(matched));
      ARROW_ASSIGN_OR_RAISE(replacement, Conform(replacement, *target));
      rewrite.kept.push_back(std::move(replacement));
    }
    ARROW_ASSIGN_OR_RAISE(data, Concat(std::move(rewrite.kept), data));
  } else if (overwrite) {
    if (o.replace_where.empty()) {
      removed = snap->files;
    } else {
      ARROW_RETURN_NOT_OK(CheckPartitionFilters(*snap, o.replace_where, "replaceWhere"));
      ARROW_ASSIGN_OR_RAISE(auto pruned, PruneFiles(*snap, o.replace_where));
      removed = pruned.candidates;
      // Every new row must fall inside the replaced partitions.
      ARROW_ASSIGN_OR_RAISE(auto expr, ToExpression(o.replace_where, *data->schema()));
      ARROW_ASSIGN_OR_RAISE(expr, expr.Bind(*data->schema()));
      ARROW_ASSIGN_OR_RAISE(auto batch, data->CombineChunksToBatch());
      ARROW_ASSIGN_OR_RAISE(
          auto mask, cp::ExecuteScalarExpression(expr, *data->schema(), arrow::Datum(batch)));
      ARROW_ASSIGN_OR_RAISE(auto all, cp::CallFunction("all", {mask}));
      ARROW_ASSIGN_OR_RAISE(auto nulls, cp::CallFunction("is_null", {mask}));
      ARROW_ASSIGN_OR_RAISE(auto any_null, cp::CallFunction("any", {nulls}));
      if (!all.scalar_as<arrow::BooleanScalar>().value ||
          any_null.scalar_as<arrow::BooleanScalar>().value) {
        return Status::Invalid("replaceWhere: some rows do not match ",
                               o.replace_where[0].ToString(), "...");
      }
    }
  }
  if (!removed.empty() && snap->Property("delta.appendOnly") == "true") {
    return Status::Invalid("table is append-only (delta.appendOnly=true): overwrite refused");
  }
  ARROW_RETURN_NOT_OK(CheckRows(new_meta ? *new_meta : snap->metadata, *data));
  int64_t rows = 0;
  ARROW_ASSIGN_OR_RAISE(
      auto adds,
      WriteAllFiles(*storage, data, new_meta ? *new_meta : snap->metadata, *target, o, &rows));

  CommitIntent intent;
  intent.read_version = snap->version;
  intent.max_retries = o.max_retries;
  intent.blind_append = !overwrite && !new_meta;
  StringMap params{{"mode", mode_name}, {"partitionBy", JsonList(partition_columns)}};
  if (!o.replace_where.empty()) params["predicate"] = PredicateText(o.replace_where);
  if (!o.replace_rows_where.empty()) params["predicate"] = PredicateText(o.replace_rows_where);
  intent.actions.push_back(MakeCommitInfo("WRITE", params, o, intent.blind_append));
  if (new_protocol) intent.actions.push_back(*new_protocol);
  if (new_meta) intent.actions.push_back(*new_meta);
  if (o.app_id) {
    intent.actions.push_back(Txn{*o.app_id, o.app_version, NowMs()});
    intent.app_id = *o.app_id;
  }
  int64_t now = NowMs();
  for (const auto& r : removed) {
    intent.actions.push_back(ToRemove(r, now));
    auto d = UriDecode(r.path);
    intent.removed_paths.insert(d.ok() ? *d : r.path);
  }
  for (auto& a : adds) intent.actions.push_back(a);
  for (auto& a : marked) intent.actions.push_back(a);
  if (overwrite && !o.replace_where.empty())
    intent.reads = PartitionMatcher(*snap, {o.replace_where});
  if (overwrite && !o.replace_rows_where.empty())
    intent.reads = PartitionMatcher(*snap, o.replace_rows_where);
  result.files_added = static_cast<int64_t>(adds.size() + marked.size());
  result.files_removed = static_cast<int64_t>(removed.size());
  result.rows_written = rows;
  return Finish(*storage, std::move(intent), result,
                new_meta ? new_meta->configuration : snap->metadata.configuration);
}

Result<WriteResult> WriteTable(const std::string& path, const std::shared_ptr<arrow::Table>& data,
                               const WriteOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto storage, OpenLocalStorage(path));
  return WriteTable(storage, data, options);
}

Result<WriteResult> CreateTable(std::shared_ptr<Storage> storage,
                                const std::shared_ptr<arrow::Schema>& schema,
                                const WriteOptions& options) {
  ARROW_ASSIGN_OR_RAISE(int64_t latest, LatestVersion(*storage));
  if (latest >= 0) return Status::Invalid(storage->root(), ": table already exists");
  ARROW_ASSIGN_OR_RAISE(auto empty, arrow::Table::MakeEmpty(schema));
  WriteOptions o = options;
  o.mode = WriteMode::kErrorIfExists;
  return WriteTable(std::move(storage), empty, o);
}

Result<WriteResult> DeleteWhere(std::shared_ptr<Storage> storage,
                                const std::vector<Predicate>& filters, const WriteOptions& o) {
  ARROW_ASSIGN_OR_RAISE(auto snap, LoadSnapshot(storage));
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snap->protocol, snap->metadata));
  if (snap->Property("delta.appendOnly") == "true") {
    return Status::Invalid("table is append-only (delta.appendOnly=true): delete refused");
  }
  const bool partition_only = CheckPartitionFilters(*snap, filters, "delete").ok();
  std::optional<Protocol> new_protocol;
  std::optional<Metadata> new_meta;
  AskForDeletionVectors(*snap, o, &new_protocol, &new_meta);
  RowRewrite rewrite;
  if (partition_only) {
    ARROW_ASSIGN_OR_RAISE(auto pruned, PruneFiles(*snap, filters));
    rewrite.removed = std::move(pruned.candidates);
  } else {
    ARROW_ASSIGN_OR_RAISE(auto schema, ToArrowSchema(snap->schema));
    const bool mark =
        MarksDeletedRows(new_protocol.value_or(snap->protocol), new_meta.value_or(snap->metadata));
    ARROW_ASSIGN_OR_RAISE(rewrite, RewriteMatching(*snap, {filters}, *schema, false, mark));
  }
  WriteResult result;
  result.version = snap->version;
  if (rewrite.removed.empty()) return result;
  std::vector<AddFile> adds;
  if (!rewrite.kept.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto kept, arrow::ConcatenateTables(rewrite.kept));
    ARROW_ASSIGN_OR_RAISE(adds, WriteFiles(*storage, kept, snap->metadata, o.files));
    result.rows_written = kept->num_rows();
  }
  CommitIntent intent;
  intent.read_version = snap->version;
  intent.max_retries = o.max_retries;
  intent.blind_append = false;
  intent.actions.push_back(
      MakeCommitInfo("DELETE", {{"predicate", PredicateText(filters)}}, o, false));
  if (new_protocol) intent.actions.push_back(*new_protocol);
  if (new_meta) intent.actions.push_back(*new_meta);
  int64_t now = NowMs();
  for (const auto& f : rewrite.removed) {
    intent.actions.push_back(ToRemove(f, now));
    auto d = UriDecode(f.path);
    intent.removed_paths.insert(d.ok() ? *d : f.path);
  }
  for (auto& a : adds) intent.actions.push_back(a);
  for (auto& a : rewrite.marked) intent.actions.push_back(a);
  intent.reads = PartitionMatcher(*snap, {filters});
  result.files_removed = static_cast<int64_t>(rewrite.removed.size());
  result.files_added = static_cast<int64_t>(adds.size() + rewrite.marked.size());
  return Finish(*storage, std::move(intent), result,
                new_meta ? new_meta->configuration : snap->metadata.configuration);
}

Result<OptimizeResult> Optimize(std::shared_ptr<Storage> storage, const OptimizeOptions& o) {
  ARROW_ASSIGN_OR_RAISE(auto snap, LoadSnapshot(storage));
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snap->protocol, snap->metadata));
  ARROW_RETURN_NOT_OK(CheckPartitionFilters(*snap, o.partition_filters, "optimize"));
  const int64_t min_size = o.min_file_size.value_or(o.files.target_file_size / 2);
  ARROW_ASSIGN_OR_RAISE(auto pruned, PruneFiles(*snap, o.partition_filters));
  // The small files of each partition, in path order (the commit does not depend on the
  // order the log lists them in). A file with a deletion vector counts by the share of its
  // rows still live, so files that row-level replaces marked mostly deleted are purged too.
  auto live_size = [](const AddFile& f) {
    if (!f.deletion_vector || !f.stats) return f.size;
    auto records = NumRecordsFromStats(*f.stats);
    if (!records || *records <= 0) return f.size;
    return f.size * std::max<int64_t>(0, *records - f.deletion_vector->cardinality) / *records;
  };
  std::map<PartitionValues, std::vector<AddFile>> small;
  for (auto& f : pruned.candidates) {
    if (live_size(f) < min_size) small[f.partition_values].push_back(std::move(f));
  }
  OptimizeResult result;
  result.version = snap->version;
  ARROW_ASSIGN_OR_RAISE(auto logical, ToArrowSchema(snap->schema));
  std::vector<AddFile> removed, added;
  for (auto& [partition, files] : small) {
    if (static_cast<int>(files.size()) < std::max(2, o.min_files)) continue;
    std::sort(files.begin(), files.end(),
              [](const AddFile& a, const AddFile& b) { return a.path < b.path; });
    std::vector<std::shared_ptr<arrow::Table>> parts;
    for (const auto& f : files) {
      ARROW_ASSIGN_OR_RAISE(auto rows, ReadDataFile(*snap, f, logical));
      parts.push_back(std::move(rows));
      result.bytes_removed += f.size;
    }
    ARROW_ASSIGN_OR_RAISE(auto rows, arrow::ConcatenateTables(parts));
    if (!o.order_by.empty()) {
      std::vector<cp::SortKey> keys;
      for (const auto& c : o.order_by) keys.emplace_back(c);
      ARROW_ASSIGN_OR_RAISE(auto order, cp::SortIndices(arrow::Datum(rows), cp::SortOptions(keys)));
      ARROW_ASSIGN_OR_RAISE(auto sorted, cp::Take(rows, order));
      rows = sorted.table();
    }
    ARROW_ASSIGN_OR_RAISE(auto adds, WriteFiles(*storage, rows, snap->metadata, o.files));
    for (auto& a : adds) {
      a.data_change = false;
      result.bytes_added += a.size;
      added.push_back(std::move(a));
    }
    removed.insert(removed.end(), files.begin(), files.end());
    ++result.partitions;
  }
  if (removed.empty()) return result;

  CommitIntent intent;
  intent.read_version = snap->version;
  intent.max_retries = o.max_retries;
  intent.blind_append = false;
  intent.reads = [](const AddFile&) { return false; };  // concurrent appends commute
  WriteOptions commit_options;
  commit_options.engine_info = o.engine_info;
  commit_options.commit_metadata = o.commit_metadata;
  intent.actions.push_back(MakeCommitInfo("OPTIMIZE",
                                          {{"predicate", PredicateText(o.partition_filters)},
                                           {"targetSize", std::to_string(o.files.target_file_size)},
                                           {"orderBy",
                                            [&] {
                                              std::string cols;
                                              for (const auto& c : o.order_by)
                                                cols += (cols.empty() ? "" : ",") + c;
                                              return cols;
                                            }()}},
                                          commit_options, false));
  const int64_t now = NowMs();
  for (const auto& f : removed) {
    RemoveFile r = ToRemove(f, now);
    r.data_change = false;
    intent.actions.push_back(std::move(r));
    auto d = UriDecode(f.path);
    intent.removed_paths.insert(d.ok() ? *d : f.path);
  }
  for (auto& a : added) intent.actions.push_back(std::move(a));
  result.files_removed = static_cast<int64_t>(removed.size());
  result.files_added = static_cast<int64_t>(added.size());
  WriteResult written;
  ARROW_ASSIGN_OR_RAISE(written,
                        Finish(*storage, std::move(intent), written, snap->metadata.configuration));
  result.version = written.version;
  result.committed = written.committed;
  return result;
}

}  // namespace anatomy::delta
