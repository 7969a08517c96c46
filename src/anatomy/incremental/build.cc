#include "anatomy/incremental/build.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <filesystem>
#include <iterator>
#include <set>
#include <tuple>

#include "anatomy/artifacts/store.h"
#include "anatomy/core/clock.h"
#include "anatomy/core/hash.h"
#include "anatomy/cpg/kinds.h"
#include "anatomy/cpg/nest.h"
#include "anatomy/cpg/views.h"
#include "anatomy/delta/scan.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/engine/session.h"
#include "anatomy/engine/write_pipeline.h"
#include "anatomy/extract/extract.h"
#include "anatomy/extract/scan.h"
#include "anatomy/incremental/changes.h"
#include "anatomy/incremental/impact.h"
#include "anatomy/pipeline/views.h"
#include "anatomy/serde/msgpack_codec.h"

namespace anatomy::incremental {

namespace {

namespace fs = std::filesystem;
using delta::Predicate;
using delta::PredicateOp;
using Conjunctions = std::vector<std::vector<Predicate>>;

constexpr const char* kExtractDatasets[] = {
    "files",       "scopes",      "bindings",         "occurrences", "definitions",
    "parameters",  "call_sites",  "call_resolutions", "imports",     "references",
    "type_params", "annotations", "diagnostics",      "errors"};
constexpr const char* kOutputs[] = {"cpg_nodes",     "cpg_edges",        "cpg_props",
                                    "cpg_props_map", "cpg_edges_by_src", "cpg_edges_by_dst"};

std::string SnapshotUri(const std::string& out) { return out + "/state/repo_snapshot"; }
std::string CursorsUri(const std::string& out) { return out + "/state/cursors"; }

// Every table a build writes, by the name its cursor carries, with its location.
std::vector<std::pair<std::string, std::string>> BuildTables(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> tables;
  for (const char* d : kExtractDatasets)
    tables.emplace_back(std::string("extract/") + d, out + "/extract/" + d);
  for (const char* o : kOutputs) tables.emplace_back(o, out + "/" + o);
  return tables;
}

std::vector<std::string> ScanGlobs(const pipeline::BuildOptions& o) {
  std::vector<std::string> globs;
  for (const auto& g : o.include) globs.push_back("include:" + g);
  for (const auto& g : o.exclude) globs.push_back("exclude:" + g);
  return globs;
}

Result<std::shared_ptr<arrow::Table>> ReadTable(const std::string& uri,
                                                std::vector<std::string> columns = {},
                                                std::vector<Predicate> filters = {}) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::LoadSnapshot(uri));
  delta::ScanOptions options;
  options.columns = std::move(columns);
  options.filters = std::move(filters);
  return delta::ScanToTable(*snapshot, options);
}

Result<std::vector<std::string>> Strings(const arrow::Table& table, const std::string& column) {
  std::vector<std::string> out;
  auto col = table.GetColumnByName(column);
  if (!col) return Status::Invalid("no column ", column);
  for (const auto& chunk : col->chunks()) {
    auto s = std::static_pointer_cast<arrow::StringArray>(chunk);
    for (int64_t i = 0; i < s->length(); ++i) {
      if (s->IsValid(i)) out.push_back(s->GetString(i));
    }
  }
  return out;
}

std::shared_ptr<arrow::Table> SnapshotRows(const std::vector<FileState>& files) {
  arrow::StringBuilder path, file_id, sha;
  arrow::Int64Builder size, mtime;
  for (const auto& f : files) {
    (void)path.Append(f.path);
    (void)file_id.Append(f.file_id);
    (void)sha.Append(f.sha256);
    (void)size.Append(f.size);
    (void)mtime.Append(f.mtime_ms);
  }
  auto finish = [](auto& b) {
    std::shared_ptr<arrow::Array> a;
    (void)b.Finish(&a);
    return a;
  };
  auto schema = arrow::schema(
      {arrow::field("file_id", arrow::utf8(), false), arrow::field("path", arrow::utf8(), false),
       arrow::field("sha256", arrow::utf8(), false), arrow::field("size", arrow::int64(), false),
       arrow::field("mtime_ms", arrow::int64(), false)});
  return arrow::Table::Make(
      schema, {finish(file_id), finish(path), finish(sha), finish(size), finish(mtime)});
}

Result<RepoSnapshot> LoadRepoSnapshot(const std::string& out) {
  ARROW_ASSIGN_OR_RAISE(auto table, ReadTable(SnapshotUri(out)));
  ARROW_ASSIGN_OR_RAISE(auto batch, table->CombineChunksToBatch());
  auto str = [&](const char* n) {
    return std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName(n));
  };
  auto i64 = [&](const char* n) {
    return std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName(n));
  };
  auto path = str("path"), file_id = str("file_id"), sha = str("sha256");
  auto size = i64("size"), mtime = i64("mtime_ms");
  RepoSnapshot snapshot;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    snapshot[path->GetString(i)] = {path->GetString(i), file_id->GetString(i), sha->GetString(i),
                                    size->Value(i), mtime->Value(i)};
  }
  return snapshot;
}

// The latest finished-or-not row of the previous builds.
Result<std::optional<artifacts::IncrementalRunRow>> LastRun(const artifacts::ArtifactStore& store) {
  const std::string path = store.TablePath("incremental_runs_v1");
  if (!fs::exists(path + "/_delta_log")) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto rows, artifacts::ReadArtifacts<artifacts::IncrementalRunRow>(path));
  std::optional<artifacts::IncrementalRunRow> last;
  for (auto& r : rows) {
    // A run's `ok` row comes after its `started` row, even within one millisecond.
    auto key = [](const artifacts::IncrementalRunRow& x) {
      return std::pair(x.event_time_unix_ms, x.status == "ok");
    };
    if (!last || key(r) >= key(*last)) last = std::move(r);
  }
  return last;
}

class Builder {
 public:
  Builder(const pipeline::BuildOptions& options, const pipeline::ProgressFn& progress,
          std::string out)
      : options_(options),
        progress_(progress),
        store_(out + "/artifacts"),
        writer_(&store_, options.profile),
        ctx_{out,
             options.run_id.empty() ? pipeline::NewRunId() : options.run_id,
             options.profile,
             pipeline::RuntimeHash(options.profile),
             &store_,
             &writer_} {}

  Result<IncrementalSummary> Run(bool incremental) {
    start_ = core::MonotonicMs();
    ARROW_ASSIGN_OR_RAISE(fingerprints_, pipeline::ViewFingerprints(options_.profile));
    if (!incremental) return Full("a full build was asked for");
    ARROW_ASSIGN_OR_RAISE(auto last, LastRun(store_));
    if (!last) return Full("no previous build in " + ctx_.out);
    if (last->status != "ok")
      return Full("the previous build (" + last->run_id + ") did not finish");
    if (last->anatomy_version != ANATOMY_VERSION) {
      return Full("the anatomy version changed from " + last->anatomy_version + " to " +
                  ANATOMY_VERSION);
    }
    if (last->profile_name != options_.profile) {
      return Full("the profile changed from '" + last->profile_name + "' to '" + options_.profile +
                  "'");
    }
    if (last->scan_globs != ScanGlobs(options_))
      return Full("the --include/--exclude globs changed");
    for (const auto& [view, fp] : fingerprints_) {
      auto it = last->plan_fingerprints.find(view);
      if (it == last->plan_fingerprints.end() || it->second != fp) {
        return Full("the plan fingerprint of " + view + " changed");
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto cursors, ReadTable(CursorsUri(ctx_.out)));
    ARROW_ASSIGN_OR_RAISE(auto names, Strings(*cursors, "table_name"));
    auto versions = std::static_pointer_cast<arrow::Int64Array>(
        cursors->GetColumnByName("delta_version")->chunk(0));
    std::map<std::string, int64_t> expected;
    for (size_t i = 0; i < names.size(); ++i)
      expected[names[i]] = versions->Value(static_cast<int64_t>(i));
    for (const auto& [name, uri] : BuildTables(ctx_.out)) {
      auto storage = delta::OpenLocalStorage(uri);
      int64_t now = -1;
      if (storage.ok()) {
        auto latest = delta::LatestVersion(**storage);
        if (latest.ok()) now = *latest;
      }
      auto it = expected.find(name);
      if (it == expected.end() || it->second != now) {
        return Full(name + " is at version " + std::to_string(now) + ", not at its cursor " +
                    (it == expected.end() ? std::string("(none)") : std::to_string(it->second)) +
                    ": it changed outside anatomy");
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto snapshot, LoadRepoSnapshot(ctx_.out));
    Report("scan", 0, 1);
    ARROW_ASSIGN_OR_RAISE(
        scan_, extract::ScanRepository({options_.repo, options_.include, options_.exclude}));
    ARROW_ASSIGN_OR_RAISE(auto changes, DetectChanges(snapshot, scan_));
    Report("scan", 1, 1);
    row_.files_scanned = static_cast<int64_t>(scan_.files.size());
    row_.files_hashed = changes.files_hashed;
    if (changes.empty()) {
      summary_.mode = "unchanged";
      summary_.reason = "no file changed since " + last->run_id;
      ARROW_RETURN_NOT_OK(Record("started"));
      batch_.emplace(&store_);
      return Finish(last->table_versions);
    }
    return Incremental(std::move(changes));
  }

 private:
  // Closes the running stage's wall time (in the summary) and starts `next`.
  void Stage(const std::string& next) {
    const double now = core::MonotonicMs();
    if (!stage_.empty()) summary_.build.stage_seconds[stage_] += (now - stage_start_) / 1000.0;
    stage_ = next;
    stage_start_ = now;
  }

  void Report(const std::string& stage, int64_t done, int64_t total) {
    if (progress_) progress_(stage, done, total);
  }

  Status Record(const std::string& status) {
    row_.event_time_unix_ms = core::DefaultClock().NowUnixMs();
    row_.run_id = ctx_.run_id;
    row_.status = status;
    row_.mode = summary_.mode;
    row_.reason = summary_.reason;
    row_.anatomy_version = ANATOMY_VERSION;
    row_.profile_name = options_.profile;
    row_.scan_globs = ScanGlobs(options_);
    row_.plan_fingerprints = fingerprints_;
    row_.changes = summary_.changes;
    row_.impacted = summary_.impacted;
    row_.seconds = (core::MonotonicMs() - start_) / 1000.0;
    return store_.Append(row_);
  }

  // Cursors, then the `ok` row: the state the next build starts from.
  Result<IncrementalSummary> Finish(std::map<std::string, int64_t> versions) {
    if (versions.empty()) {
      for (const auto& [name, uri] : BuildTables(ctx_.out)) {
        ARROW_ASSIGN_OR_RAISE(auto storage, delta::OpenLocalStorage(uri));
        ARROW_ASSIGN_OR_RAISE(versions[name], delta::LatestVersion(*storage));
      }
      arrow::StringBuilder names, uris, runs;
      arrow::Int64Builder numbers;
      for (const auto& [name, uri] : BuildTables(ctx_.out)) {
        ARROW_RETURN_NOT_OK(names.Append(name));
        ARROW_RETURN_NOT_OK(uris.Append(uri));
        ARROW_RETURN_NOT_OK(numbers.Append(versions[name]));
        ARROW_RETURN_NOT_OK(runs.Append(ctx_.run_id));
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
      engine::WriteRequest req;
      req.dataset_name = "state_cursors";
      req.table_uri = CursorsUri(ctx_.out);
      req.data = arrow::Table::Make(schema, {a, b, c, d});
      req.commit_metadata = ctx_.CommitMetadata("state");
      ARROW_RETURN_NOT_OK(writer_.Write(req).status());
    }
    row_.table_versions = versions;
    if (batch_) ARROW_RETURN_NOT_OK(batch_->Flush());
    ARROW_RETURN_NOT_OK(Record("ok"));
    summary_.build.run_id = ctx_.run_id;
    summary_.build.out = ctx_.out;
    summary_.build.seconds = (core::MonotonicMs() - start_) / 1000.0;
    return summary_;
  }

  Result<IncrementalSummary> Full(const std::string& reason) {
    summary_.mode = "full";
    summary_.reason = reason;
    ARROW_RETURN_NOT_OK(Record("started"));
    batch_.emplace(&store_);
    pipeline::BuildOptions options = options_;
    options.run_id = ctx_.run_id;
    ARROW_ASSIGN_OR_RAISE(summary_.build, pipeline::RunBuild(options, progress_));
    // The repository snapshot is what the extraction saw.
    ARROW_ASSIGN_OR_RAISE(auto files, ReadTable(ctx_.out + "/extract/files",
                                                {"file_id", "path", "sha256", "size", "mtime_ms"}));
    row_.files_scanned = files->num_rows();
    row_.files_hashed = files->num_rows();
    engine::WriteRequest req = SnapshotWrite();
    req.data = files;
    ARROW_RETURN_NOT_OK(writer_.Write(req).status());
    const double seconds = summary_.build.seconds;
    ARROW_ASSIGN_OR_RAISE(auto done, Finish({}));
    done.build.seconds = seconds;
    return done;
  }

  engine::WriteRequest SnapshotWrite() {
    engine::WriteRequest req;
    req.dataset_name = "state_repo_snapshot";
    req.table_uri = SnapshotUri(ctx_.out);
    req.write_policy.stats_policy = artifacts::StatsPolicy::kAuto;
    req.lineage_columns = {"path"};
    req.commit_metadata = ctx_.CommitMetadata("state");
    return req;
  }

  // Replaces the rows matching `where` in output or extraction table `req` by `req.data`.
  Result<int64_t> Upsert(engine::WriteRequest req, Conjunctions where) {
    std::erase_if(where, [](const std::vector<Predicate>& c) {
      return std::any_of(c.begin(), c.end(), [](const Predicate& p) {
        return p.op == PredicateOp::kIn && p.values.empty();
      });
    });
    if (where.empty()) {
      req.mode = "append";
    } else {
      req.mode = "upsert";
      req.replace_rows_where = std::move(where);
    }
    for (auto& [k, v] : change_metadata_) req.commit_metadata[k] = v;
    ARROW_ASSIGN_OR_RAISE(auto outcome, writer_.Write(req));
    outputs_.push_back({req.dataset_name, req.table_uri, outcome.delta_version, outcome.rows});
    Report("write", static_cast<int64_t>(outputs_.size()), 14 + 6);
    return outcome.delta_version;
  }

  Result<IncrementalSummary> Incremental(ChangeSet changes) {
    summary_.mode = "incremental";
    summary_.changes = changes.changes;
    ImpactInputs impact;
    impact.changes = changes.changes;
    for (const auto& f : scan_.files) impact.current_paths.push_back(f.path);
    ARROW_ASSIGN_OR_RAISE(impact.imports, ReadTable(ctx_.out + "/extract/imports",
                                                    {"path", "scope_id", "module", "imported_name",
                                                     "asname", "is_from", "is_star"}));
    ARROW_ASSIGN_OR_RAISE(auto module_scopes,
                          ReadTable(ctx_.out + "/extract/scopes", {"scope_id"},
                                    {{"scope_kind", PredicateOp::kEq, {"module"}}}));
    ARROW_ASSIGN_OR_RAISE(auto module_scope_ids, Strings(*module_scopes, "scope_id"));
    impact.module_scopes.emplace(module_scope_ids.begin(), module_scope_ids.end());
    // Changed files are extracted first: those whose surface stayed the same reach only the
    // files that resolve into them.
    std::set<std::string> changed;
    for (const auto& c : changes.changes) {
      if (c.change == "changed" || c.change == "touched") changed.insert(c.path);
    }
    std::optional<extract::ExtractionResult> extraction;
    if (!changed.empty()) {
      Stage("extract");
      ARROW_ASSIGN_OR_RAISE(extraction, Extract(changed));
      Stage("impact");
      ARROW_ASSIGN_OR_RAISE(impact.same_surface, SameSurface(changed, *extraction));
    }
    ARROW_ASSIGN_OR_RAISE(summary_.impacted, ImpactOf(impact));
    summary_.reason = std::to_string(changes.changes.size()) + " files changed, " +
                      std::to_string(summary_.impacted.size()) + " impacted";
    ARROW_RETURN_NOT_OK(Record("started"));
    batch_.emplace(&store_);
    change_metadata_ = {{"anatomy.incremental", "true"},
                        {"anatomy.changed_files", std::to_string(changes.changes.size())},
                        {"anatomy.impacted_files", std::to_string(summary_.impacted.size())}};

    // The rows to replace are those of the impacted files and of the files that went away.
    std::set<std::string> rebuilt;
    for (const auto& f : summary_.impacted) rebuilt.insert(f.path);
    std::vector<std::string> paths(rebuilt.begin(), rebuilt.end());
    for (const auto& p : changes.removed_paths) paths.push_back(p);
    std::vector<std::string> file_ids;
    for (const auto& p : paths) file_ids.push_back(core::StableId("file", {p}));

    // 1. Extract the impacted files (resolved over their import closure).
    if (!extraction || rebuilt != changed) {
      Stage("extract");
      ARROW_ASSIGN_OR_RAISE(extraction, Extract(rebuilt));
    }
    summary_.build.files = extraction->files->num_rows();
    summary_.build.errors = extraction->errors->num_rows();
    summary_.build.diagnostics = extraction->diagnostics->num_rows();

    Stage("read_previous");
    // 2. Where the previous edges of these files pointed, read before anything is replaced.
    ARROW_ASSIGN_OR_RAISE(auto old_edges,
                          ReadTable(ctx_.out + "/cpg_edges", {"dst_node_id", "dst_file_id"},
                                    {{"file_id", PredicateOp::kIn, file_ids}}));

    Stage("extract_upserts");
    // 3. Extraction tables. Scan errors belong to no parsed file: they are all replaced.
    for (const auto& [name, table] : extraction->Tables()) {
      Conjunctions where = {{{"path", PredicateOp::kIn, paths}}};  // path-ordered tables
      if (name == "errors") where.push_back({{"stage", PredicateOp::kEq, {"scan"}}});
      ARROW_RETURN_NOT_OK(Upsert(pipeline::ExtractionWrite(ctx_, name, table), where).status());
    }

    Stage("qualified_names");
    // 4. Qualified names are shared by all files: computed again over the whole extraction.
    ARROW_ASSIGN_OR_RAISE(auto whole, NewSession());
    for (const char* d : {"definitions", "imports", "call_resolutions", "references"}) {
      ARROW_ASSIGN_OR_RAISE(auto table, ReadTable(ctx_.out + "/extract/" + d));
      ARROW_RETURN_NOT_OK(whole->Ingest(cpg::ExtractTableName(d), table));
    }
    ARROW_ASSIGN_OR_RAISE(auto qnames_view, cpg::BuildQualifiedNamesView(*whole));
    ARROW_ASSIGN_OR_RAISE(auto qnames, pipeline::RunView(*whole, qnames_view, ctx_));
    plan_fingerprints_[qnames.name] = qnames.plan_fingerprint;

    Stage("base_views");
    // 5. The base views over the impacted files' rows (and all qualified names). Every row of
    // an output carries the file it comes from (file_id; null for the qualified names, which
    // all files share): the rows to replace are those of these files, and those of the
    // qualified names no file names any more; the rows to add, those of these files and of
    // the qualified names that are new.
    ARROW_ASSIGN_OR_RAISE(auto part, NewSession());
    ARROW_RETURN_NOT_OK(pipeline::IngestExtraction(*part, extraction->Tables()));
    ARROW_RETURN_NOT_OK(part->Ingest(qnames.name, qnames.table));
    ARROW_ASSIGN_OR_RAISE(auto old_qnames,
                          ReadTable(ctx_.out + "/cpg_nodes", {"node_id"},
                                    {{"node_kind", PredicateOp::kEq, {"PY_QUALIFIED_NAME"}}}));
    ARROW_ASSIGN_OR_RAISE(auto old_qname_ids, Strings(*old_qnames, "node_id"));
    std::vector<std::string> added_qnames, removed_qnames;
    const std::vector<Predicate> of_files = {{"file_id", PredicateOp::kIn, file_ids}};
    auto where_for = [&](const std::string& id_column) {
      Conjunctions where = {of_files};
      where.push_back(
          {{"file_id", PredicateOp::kIsNull, {}}, {id_column, PredicateOp::kIn, removed_qnames}});
      return where;
    };
    std::shared_ptr<arrow::Table> new_edges;
    ARROW_ASSIGN_OR_RAISE(auto base_views, cpg::BuildBaseViews(*part));
    for (const auto& view : base_views) {
      ARROW_ASSIGN_OR_RAISE(auto result, pipeline::RunView(*part, view, ctx_));
      plan_fingerprints_[view.name] = result.plan_fingerprint;
      ARROW_RETURN_NOT_OK(part->Ingest(view.name, result.table));
      if (view.name == "cpg_edges") {
        new_edges = result.table;
        ARROW_RETURN_NOT_OK(Upsert(pipeline::OutputWrite(ctx_, result), {of_files}).status());
        continue;
      }
      const std::string id_column = view.name == "cpg_nodes" ? "node_id" : "entity_id";
      if (view.name == "cpg_nodes") {
        ARROW_ASSIGN_OR_RAISE(std::tie(added_qnames, removed_qnames),
                              QualifiedNameChanges(*result.table, old_qname_ids));
      }
      ARROW_ASSIGN_OR_RAISE(result.table,
                            WithoutOldQualifiedNames(result.table, id_column, added_qnames));
      ARROW_RETURN_NOT_OK(
          Upsert(pipeline::OutputWrite(ctx_, result), where_for(id_column)).status());
    }

    Stage("derived_views");
    // 6. Derived views: the props of the same entities, the edges of the same sources.
    ARROW_ASSIGN_OR_RAISE(auto derived, cpg::BuildDerivedViews(*part));
    for (const auto& view : derived) {
      if (view.name == "cpg_edges_by_dst") continue;
      ARROW_ASSIGN_OR_RAISE(auto result, pipeline::RunView(*part, view, ctx_));
      plan_fingerprints_[view.name] = result.plan_fingerprint;
      Conjunctions where = {of_files};
      if (view.name == "cpg_props_map") {
        ARROW_ASSIGN_OR_RAISE(result.table,
                              WithoutOldQualifiedNames(result.table, "entity_id", added_qnames));
        where = where_for("entity_id");
      }
      ARROW_RETURN_NOT_OK(Upsert(pipeline::OutputWrite(ctx_, result), where).status());
    }
    // Edges into a node come from any file. The destinations these files' edges pointed or
    // point at keep their other edges: their previous lists, without the edges of these
    // files, with the new ones.
    std::set<std::string> dst_files, dst_in_files, dst_qnames;
    for (const auto& edges : {old_edges, new_edges}) {
      ARROW_ASSIGN_OR_RAISE(auto batch,
                            edges->SelectColumns({edges->schema()->GetFieldIndex("dst_node_id"),
                                                  edges->schema()->GetFieldIndex("dst_file_id")}));
      ARROW_ASSIGN_OR_RAISE(auto ids, Strings(*batch, "dst_node_id"));
      auto files = batch->GetColumnByName("dst_file_id");
      int64_t row = 0;
      for (const auto& chunk : files->chunks()) {
        auto f = std::static_pointer_cast<arrow::StringArray>(chunk);
        for (int64_t i = 0; i < f->length(); ++i, ++row) {
          if (f->IsNull(i)) {
            dst_qnames.insert(ids[row]);
          } else {
            dst_files.insert(f->GetString(i));
            dst_in_files.insert(ids[row]);
          }
        }
      }
    }
    const Conjunctions into_dst = {
        {{"dst_file_id", PredicateOp::kIn, {dst_files.begin(), dst_files.end()}},
         {"dst_node_id", PredicateOp::kIn, {dst_in_files.begin(), dst_in_files.end()}}},
        {{"dst_file_id", PredicateOp::kIsNull, {}},
         {"dst_node_id", PredicateOp::kIn, {dst_qnames.begin(), dst_qnames.end()}}}};
    ARROW_ASSIGN_OR_RAISE(auto edges_into, EdgesInto(into_dst, file_ids, *new_edges));
    ARROW_ASSIGN_OR_RAISE(auto into, NewSession());
    ARROW_ASSIGN_OR_RAISE(auto props, part->Table("cpg_props"));
    ARROW_ASSIGN_OR_RAISE(auto no_props, arrow::Table::MakeEmpty(props->schema));
    ARROW_RETURN_NOT_OK(into->Ingest("cpg_props", no_props));
    ARROW_RETURN_NOT_OK(into->Ingest("cpg_edges", edges_into));
    ARROW_ASSIGN_OR_RAISE(auto into_views, cpg::BuildDerivedViews(*into));
    for (const auto& view : into_views) {
      if (view.name != "cpg_edges_by_dst") continue;
      ARROW_ASSIGN_OR_RAISE(auto result, pipeline::RunView(*into, view, ctx_));
      plan_fingerprints_[view.name] = result.plan_fingerprint;
      ARROW_RETURN_NOT_OK(Upsert(pipeline::OutputWrite(ctx_, result), into_dst).status());
    }

    Stage("state");
    // 7. The repository snapshot, then the run's closing rows.
    engine::WriteRequest snap = SnapshotWrite();
    snap.data = SnapshotRows(changes.upserted);
    std::vector<std::string> snapshot_paths = changes.removed_paths;
    for (const auto& f : changes.upserted) snapshot_paths.push_back(f.path);
    snap.mode = "upsert";
    snap.replace_rows_where = {{{"path", PredicateOp::kIn, snapshot_paths}}};
    ARROW_RETURN_NOT_OK(writer_.Write(snap).status());
    ARROW_RETURN_NOT_OK(CloseRun(*extraction));
    Stage("");
    return Finish({});
  }

  // The qualified-name nodes in `nodes` that were not in `old_ids`, and those of `old_ids` no
  // longer in `nodes`.
  static Result<std::pair<std::vector<std::string>, std::vector<std::string>>> QualifiedNameChanges(
      const arrow::Table& nodes, const std::vector<std::string>& old_ids) {
    ARROW_ASSIGN_OR_RAISE(auto kinds, Strings(nodes, "node_kind"));
    ARROW_ASSIGN_OR_RAISE(auto ids, Strings(nodes, "node_id"));
    std::set<std::string> now;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (kinds[i] == "PY_QUALIFIED_NAME") now.insert(ids[i]);
    }
    const std::set<std::string> before(old_ids.begin(), old_ids.end());
    std::pair<std::vector<std::string>, std::vector<std::string>> out;
    std::set_difference(now.begin(), now.end(), before.begin(), before.end(),
                        std::back_inserter(out.first));
    std::set_difference(before.begin(), before.end(), now.begin(), now.end(),
                        std::back_inserter(out.second));
    return out;
  }

  // The rows of `table` that belong to a file, or to a qualified name of `added`.
  static Result<std::shared_ptr<arrow::Table>> WithoutOldQualifiedNames(
      const std::shared_ptr<arrow::Table>& table, const std::string& id_column,
      const std::vector<std::string>& added) {
    namespace cp = arrow::compute;
    arrow::StringBuilder b;
    ARROW_RETURN_NOT_OK(b.AppendValues(added));
    ARROW_ASSIGN_OR_RAISE(auto added_array, b.Finish());
    ARROW_ASSIGN_OR_RAISE(auto has_file,
                          cp::CallFunction("is_valid", {table->GetColumnByName("file_id")}));
    ARROW_ASSIGN_OR_RAISE(auto is_added, cp::IsIn(table->GetColumnByName(id_column),
                                                  cp::SetLookupOptions(added_array)));
    ARROW_ASSIGN_OR_RAISE(auto keep, cp::Or(has_file, is_added));
    ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(table, keep));
    return kept.table();
  }

  // The rows of `paths` (and every other file they import, for resolution, not emitted).
  Result<extract::ExtractionResult> Extract(const std::set<std::string>& paths) {
    Report("extract", 0, 1);
    extract::ExtractOptions eo;
    eo.repo_root = options_.repo;
    eo.include = options_.include;
    eo.exclude = options_.exclude;
    eo.jobs = options_.jobs;
    eo.only_paths = paths;
    ARROW_ASSIGN_OR_RAISE(auto extraction, extract::ExtractScanned(scan_, eo));
    Report("extract", 1, 1);
    return extraction;
  }

  // The changed files whose surface is as before.
  Result<std::set<std::string>> SameSurface(const std::set<std::string>& changed,
                                            const extract::ExtractionResult& now) {
    const std::vector<std::string> paths(changed.begin(), changed.end());
    const std::vector<Predicate> of_paths = {{"path", PredicateOp::kIn, paths}};
    std::map<std::string, std::shared_ptr<arrow::Table>> before;
    for (const char* d : {"definitions", "bindings", "imports", "scopes"}) {
      ARROW_ASSIGN_OR_RAISE(before[d], ReadTable(ctx_.out + "/extract/" + d, {}, of_paths));
    }
    ARROW_ASSIGN_OR_RAISE(auto old_sigs,
                          SurfaceSignatures(*before["definitions"], *before["bindings"],
                                            *before["imports"], *before["scopes"]));
    ARROW_ASSIGN_OR_RAISE(auto new_sigs, SurfaceSignatures(*now.definitions, *now.bindings,
                                                           *now.imports, *now.scopes));
    std::set<std::string> same;
    for (const auto& p : paths) {
      const std::string id = core::StableId("file", {p});
      auto o = old_sigs.find(id), n = new_sigs.find(id);
      const bool absent = o == old_sigs.end() && n == new_sigs.end();
      if (absent || (o != old_sigs.end() && n != new_sigs.end() && o->second == n->second))
        same.insert(p);
    }
    return same;
  }

  // The edges into the destinations `into_dst` selects, as cpg_edges rows: the previous
  // cpg_edges_by_dst lists, unnested, without the edges of `rebuilt_files`, and `new_edges`.
  Result<std::shared_ptr<arrow::Table>> EdgesInto(const Conjunctions& into_dst,
                                                  const std::vector<std::string>& rebuilt_files,
                                                  const arrow::Table& new_edges) {
    const auto& schema = new_edges.schema();
    std::vector<std::shared_ptr<arrow::Table>> parts;
    ARROW_ASSIGN_OR_RAISE(auto fresh, new_edges.CombineChunks());
    parts.push_back(fresh);
    arrow::StringBuilder rebuilt_builder;
    ARROW_RETURN_NOT_OK(rebuilt_builder.AppendValues(rebuilt_files));
    ARROW_ASSIGN_OR_RAISE(auto rebuilt, rebuilt_builder.Finish());
    for (const auto& where : into_dst) {
      if (std::any_of(where.begin(), where.end(), [](const Predicate& p) {
            return p.op == PredicateOp::kIn && p.values.empty();
          })) {
        continue;
      }
      ARROW_ASSIGN_OR_RAISE(auto lists, ReadTable(ctx_.out + "/cpg_edges_by_dst", {}, where));
      ARROW_ASSIGN_OR_RAISE(auto flat, cpg::UnnestRuns(*lists, "edges"));
      ARROW_ASSIGN_OR_RAISE(auto kept_mask,
                            arrow::compute::IsIn(flat->GetColumnByName("file_id"),
                                                 arrow::compute::SetLookupOptions(rebuilt)));
      ARROW_ASSIGN_OR_RAISE(kept_mask, arrow::compute::Invert(kept_mask));
      ARROW_ASSIGN_OR_RAISE(auto kept, arrow::compute::Filter(flat, kept_mask));
      // As cpg_edges rows: its columns, in its order and types.
      std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
      for (const auto& f : schema->fields()) {
        auto column = kept.table()->GetColumnByName(f->name());
        if (!column) return Status::Invalid("cpg_edges_by_dst has no edge column ", f->name());
        ARROW_ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(column, f->type()));
        columns.push_back(cast.chunked_array());
      }
      ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::Make(schema, columns)->CombineChunks());
      parts.push_back(table);
    }
    return arrow::ConcatenateTables(parts);
  }

  Status CloseRun(const extract::ExtractionResult& extraction) {
    const int64_t now = core::DefaultClock().NowUnixMs();
    std::vector<std::string> datasets;
    int64_t rows = 0;
    for (const auto& [name, table] : extraction.Tables()) {
      datasets.push_back(name);
      rows += table->num_rows();
    }
    ARROW_RETURN_NOT_OK(
        store_.Append(artifacts::NormalizeOutputsRow{now, ctx_.run_id, ctx_.out, datasets, rows}));
    ARROW_ASSIGN_OR_RAISE(auto errors, pipeline::ExtractErrorsOf(*extraction.errors));
    const auto count = static_cast<int64_t>(errors.size());
    ARROW_RETURN_NOT_OK(store_.Append(
        artifacts::ExtractErrorsRow{now, ctx_.run_id, ctx_.out, std::move(errors), count}));
    artifacts::RunManifestRow manifest;
    manifest.run_id = ctx_.run_id;
    manifest.status = "ok";
    manifest.event_time_unix_ms = now;
    manifest.plan_signature = serde::Fingerprint(plan_fingerprints_);
    manifest.plan_fingerprints = plan_fingerprints_;
    manifest.delta_inputs_msgpack =
        serde::Bytes{serde::EncodeMsgpack(std::vector<artifacts::DeltaInputPin>{})};
    manifest.outputs_msgpack = serde::Bytes{serde::EncodeMsgpack(outputs_)};
    manifest.artifact_ids = artifacts::StringMap{{"incremental_runs_v1", ctx_.run_id},
                                                 {"build_mode", summary_.mode},
                                                 {"build_reason", summary_.reason}};
    manifest.runtime_profile_name = options_.profile;
    manifest.runtime_profile_hash = ctx_.runtime_hash;
    manifest.determinism_tier = "contents";
    manifest.output_dir = ctx_.out;
    return store_.Append(manifest);
  }

  static std::vector<int> FieldIndices(const arrow::Table& table, const arrow::Schema& wanted) {
    std::vector<int> out;
    for (const auto& f : wanted.fields()) out.push_back(table.schema()->GetFieldIndex(f->name()));
    return out;
  }

  Result<std::shared_ptr<engine::Session>> NewSession() {
    engine::SessionOptions options;
    options.profile_name = options_.profile;
    ARROW_ASSIGN_OR_RAISE(auto session, engine::Session::Make(options));
    return std::shared_ptr<engine::Session>(std::move(session));
  }

  const pipeline::BuildOptions& options_;
  const pipeline::ProgressFn& progress_;
  artifacts::ArtifactStore store_;
  engine::WritePipeline writer_;
  pipeline::RunContext ctx_;
  double start_ = 0, stage_start_ = 0;
  std::string stage_;
  std::map<std::string, std::string> fingerprints_, plan_fingerprints_, change_metadata_;
  extract::ScanResult scan_;
  artifacts::IncrementalRunRow row_;
  // The run's artifact rows, committed together before its `ok` row.
  std::optional<artifacts::ArtifactBatch> batch_;
  IncrementalSummary summary_;
  std::vector<artifacts::OutputDescriptor> outputs_;
};

}  // namespace

Result<IncrementalSummary> Build(const pipeline::BuildOptions& options, bool incremental,
                                 const pipeline::ProgressFn& progress) {
  std::error_code ec;
  if (!fs::is_directory(options.repo, ec)) {
    return Status::IOError("repository '", options.repo, "' is not a folder");
  }
  fs::create_directories(options.out, ec);
  if (ec) return Status::IOError("cannot create output folder '", options.out, "': ", ec.message());
  Builder builder(options, progress, fs::absolute(options.out).lexically_normal().string());
  return builder.Run(incremental);
}

}  // namespace anatomy::incremental
