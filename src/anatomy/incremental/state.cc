#include "anatomy/incremental/state.h"

#include <arrow/api.h>

#include <filesystem>

#include "anatomy/delta/scan.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/extract/schemas.h"
#include "anatomy/incremental/columns.h"
#include "anatomy/pipeline/build.h"

namespace anatomy::incremental {

std::string SnapshotUri(const std::string& out) { return out + "/state/repo_snapshot"; }
std::string CursorsUri(const std::string& out) { return out + "/state/cursors"; }

std::vector<std::pair<std::string, std::string>> TrackedTables(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> tables;
  for (const auto& d : extract::DatasetNames())
    tables.emplace_back("extract/" + d, out + "/extract/" + d);
  for (const char* o : {"cpg_nodes", "cpg_edges", "cpg_props", "cpg_props_map", "cpg_edges_by_src",
                        "cpg_edges_by_dst"}) {
    tables.emplace_back(o, out + "/" + o);
  }
  tables.emplace_back("state/qualified_names", pipeline::QualifiedNamesUri(out));
  return tables;
}

Result<int64_t> TableVersion(const std::string& uri) {
  ARROW_ASSIGN_OR_RAISE(auto storage, delta::OpenLocalStorage(uri));
  return delta::LatestVersion(*storage);
}

Result<std::shared_ptr<arrow::Table>> ReadTable(const std::string& uri,
                                                std::vector<std::string> columns,
                                                std::vector<delta::Predicate> filters) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::LoadSnapshot(uri));
  delta::ScanOptions options;
  options.columns = std::move(columns);
  options.filters = std::move(filters);
  return delta::ScanToTable(*snapshot, options);
}

Result<std::shared_ptr<arrow::Table>> SnapshotRows(const std::vector<FileState>& files) {
  arrow::StringBuilder path, file_id, sha;
  arrow::Int64Builder size, mtime;
  for (const auto& f : files) {
    ARROW_RETURN_NOT_OK(path.Append(f.path));
    ARROW_RETURN_NOT_OK(file_id.Append(f.file_id));
    ARROW_RETURN_NOT_OK(sha.Append(f.sha256));
    ARROW_RETURN_NOT_OK(size.Append(f.size));
    ARROW_RETURN_NOT_OK(mtime.Append(f.mtime_ms));
  }
  std::shared_ptr<arrow::Array> a, b, c, d, e;
  ARROW_RETURN_NOT_OK(file_id.Finish(&a));
  ARROW_RETURN_NOT_OK(path.Finish(&b));
  ARROW_RETURN_NOT_OK(sha.Finish(&c));
  ARROW_RETURN_NOT_OK(size.Finish(&d));
  ARROW_RETURN_NOT_OK(mtime.Finish(&e));
  auto schema = arrow::schema(
      {arrow::field("file_id", arrow::utf8(), false), arrow::field("path", arrow::utf8(), false),
       arrow::field("sha256", arrow::utf8(), false), arrow::field("size", arrow::int64(), false),
       arrow::field("mtime_ms", arrow::int64(), false)});
  return arrow::Table::Make(schema, {a, b, c, d, e});
}

Result<RepoSnapshot> LoadRepoSnapshot(const std::string& out) {
  ARROW_ASSIGN_OR_RAISE(auto table, ReadTable(SnapshotUri(out)));
  ARROW_ASSIGN_OR_RAISE(auto batch, table->CombineChunksToBatch());
  const std::string table_name = SnapshotUri(out);
  ARROW_ASSIGN_OR_RAISE(auto path, ColumnAs<arrow::StringArray>(*batch, "path", table_name));
  ARROW_ASSIGN_OR_RAISE(auto file_id, ColumnAs<arrow::StringArray>(*batch, "file_id", table_name));
  ARROW_ASSIGN_OR_RAISE(auto sha, ColumnAs<arrow::StringArray>(*batch, "sha256", table_name));
  ARROW_ASSIGN_OR_RAISE(auto size, ColumnAs<arrow::Int64Array>(*batch, "size", table_name));
  ARROW_ASSIGN_OR_RAISE(auto mtime, ColumnAs<arrow::Int64Array>(*batch, "mtime_ms", table_name));
  RepoSnapshot snapshot;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    snapshot[path->GetString(i)] = {path->GetString(i), file_id->GetString(i), sha->GetString(i),
                                    size->Value(i), mtime->Value(i)};
  }
  return snapshot;
}

Result<std::shared_ptr<arrow::Table>> CursorRows(const std::string& out,
                                                 const std::map<std::string, int64_t>& versions,
                                                 const std::string& run_id) {
  arrow::StringBuilder names, uris, runs;
  arrow::Int64Builder numbers;
  for (const auto& [name, uri] : TrackedTables(out)) {
    auto it = versions.find(name);
    if (it == versions.end()) return Status::Invalid("no version for table ", name);
    ARROW_RETURN_NOT_OK(names.Append(name));
    ARROW_RETURN_NOT_OK(uris.Append(uri));
    ARROW_RETURN_NOT_OK(numbers.Append(it->second));
    ARROW_RETURN_NOT_OK(runs.Append(run_id));
  }
  std::shared_ptr<arrow::Array> a, b, c, d;
  ARROW_RETURN_NOT_OK(names.Finish(&a));
  ARROW_RETURN_NOT_OK(uris.Finish(&b));
  ARROW_RETURN_NOT_OK(numbers.Finish(&c));
  ARROW_RETURN_NOT_OK(runs.Finish(&d));
  auto schema = arrow::schema({arrow::field("table_name", arrow::utf8(), false),
                               arrow::field("table_uri", arrow::utf8(), false),
                               arrow::field("delta_version", arrow::int64(), false),
                               arrow::field("run_id", arrow::utf8(), false)});
  return arrow::Table::Make(schema, {a, b, c, d});
}

Result<std::map<std::string, int64_t>> LoadCursors(const std::string& out) {
  ARROW_ASSIGN_OR_RAISE(auto table, ReadTable(CursorsUri(out), {"table_name", "delta_version"}));
  ARROW_ASSIGN_OR_RAISE(auto batch, table->CombineChunksToBatch());
  ARROW_ASSIGN_OR_RAISE(auto names,
                        ColumnAs<arrow::StringArray>(*batch, "table_name", CursorsUri(out)));
  ARROW_ASSIGN_OR_RAISE(auto versions,
                        ColumnAs<arrow::Int64Array>(*batch, "delta_version", CursorsUri(out)));
  std::map<std::string, int64_t> out_map;
  for (int64_t i = 0; i < batch->num_rows(); ++i) out_map[names->GetString(i)] = versions->Value(i);
  return out_map;
}

Result<std::optional<artifacts::IncrementalRunRow>> LastRun(const artifacts::ArtifactStore& store) {
  const std::string path = store.TablePath("incremental_runs_v1");
  if (!std::filesystem::exists(path + "/_delta_log")) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto rows, artifacts::ReadArtifacts<artifacts::IncrementalRunRow>(path));
  std::optional<artifacts::IncrementalRunRow> last;
  auto key = [](const artifacts::IncrementalRunRow& x) {
    return std::pair(x.event_time_unix_ms, x.status == "ok");
  };
  for (auto& r : rows) {
    if (!last || key(r) >= key(*last)) last = std::move(r);
  }
  return last;
}

}  // namespace anatomy::incremental
