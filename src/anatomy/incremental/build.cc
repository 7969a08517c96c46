#include "anatomy/incremental/build.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/thread_pool.h>

#include <filesystem>
#include <future>
#include <set>
#include <tuple>
#include <unordered_map>

#include "anatomy/artifacts/store.h"
#include "anatomy/core/clock.h"
#include "anatomy/core/hash.h"
#include "anatomy/core/parallel.h"
#include "anatomy/cpg/views.h"
#include "anatomy/delta/schema.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/engine/session.h"
#include "anatomy/engine/write_pipeline.h"
#include "anatomy/extract/extract.h"
#include "anatomy/extract/scan.h"
#include "anatomy/incremental/changes.h"
#include "anatomy/incremental/columns.h"
#include "anatomy/incremental/impact.h"
#include "anatomy/incremental/patch.h"
#include "anatomy/incremental/state.h"
#include "anatomy/pipeline/views.h"

namespace anatomy::incremental {

namespace {

namespace fs = std::filesystem;
using delta::Predicate;
using delta::PredicateOp;
using Conjunctions = std::vector<std::vector<Predicate>>;

std::vector<std::string> ScanGlobs(const pipeline::BuildOptions& o) {
  std::vector<std::string> globs;
  for (const auto& g : o.include) globs.push_back("include:" + g);
  for (const auto& g : o.exclude) globs.push_back("exclude:" + g);
  return globs;
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
    Stage("changes");
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
    // State that cannot be read is a reason to rebuild, not to fail.
    auto cursors = LoadCursors(ctx_.out);
    if (!cursors.ok()) return Full("the cursors cannot be read: " + cursors.status().message());
    auto snapshot = LoadRepoSnapshot(ctx_.out);
    if (!snapshot.ok())
      return Full("the repository snapshot cannot be read: " + snapshot.status().message());
    const auto& expected = *cursors;
    for (const auto& [name, uri] : TrackedTables(ctx_.out)) {
      const int64_t now = TableVersion(uri).ValueOr(-1);  // unreadable: not at its cursor
      if (now < 0)
        return Full(name +
                    " is missing (deleted, or not written by the build that made this output)");
      auto it = expected.find(name);
      if (it == expected.end() || it->second != now) {
        return Full(name + " is at version " + std::to_string(now) + ", not at its cursor " +
                    (it == expected.end() ? std::string("(none)") : std::to_string(it->second)) +
                    ": it changed outside anatomy");
      }
    }
    Report("scan", 0, 1);
    ARROW_ASSIGN_OR_RAISE(
        scan_, extract::ScanRepository({options_.repo, options_.include, options_.exclude}));
    ARROW_ASSIGN_OR_RAISE(auto changes, DetectChanges(*snapshot, scan_));
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
      for (const auto& [name, uri] : TrackedTables(ctx_.out)) {
        ARROW_ASSIGN_OR_RAISE(versions[name], TableVersion(uri));
      }
      engine::WriteRequest req;
      req.dataset_name = "state_cursors";
      req.table_uri = CursorsUri(ctx_.out);
      ARROW_ASSIGN_OR_RAISE(req.data, CursorRows(ctx_.out, versions, ctx_.run_id));
      req.commit_metadata = ctx_.CommitMetadata("state");
      ARROW_RETURN_NOT_OK(writer_.Write(pipeline::ReplacingTable(std::move(req))).status());
    }
    row_.table_versions = versions;
    if (batch_) ARROW_RETURN_NOT_OK(batch_->Flush());
    ARROW_RETURN_NOT_OK(Record("ok"));
    Stage("");
    summary_.build.run_id = ctx_.run_id;
    summary_.build.out = ctx_.out;
    summary_.build.seconds = (core::MonotonicMs() - start_) / 1000.0;
    return summary_;
  }

  Result<IncrementalSummary> Full(const std::string& reason) {
    Stage("");  // the build's own stages are reported
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
    engine::WriteRequest req = pipeline::ReplacingTable(SnapshotWrite());
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

  // Tables to upsert: each write request, with the conjunctions of the rows it replaces.
  using Upserts = std::vector<std::pair<engine::WriteRequest, Conjunctions>>;

  // `req` as the write that replaces the rows matching `where` by its data (an append when no
  // row can match), with the run's change in its commit metadata.
  engine::WriteRequest AsUpsert(engine::WriteRequest req, Conjunctions where) const {
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
    for (const auto& [k, v] : change_metadata_) req.commit_metadata[k] = v;
    return req;
  }

  // Runs each upsert of `upserts` (replaces the rows matching its conjunctions in an output
  // or extraction table by its data), as many tables at a time as there are cores: each is
  // its own Delta table. Safe to run beside other writes; RecordAll records them.
  Result<std::vector<engine::WriteOutcome>> UpsertAll(const Upserts& upserts) {
    std::vector<engine::WriteOutcome> outcomes(upserts.size());
    ARROW_RETURN_NOT_OK(core::ParallelFor(
        upserts.size(), arrow::GetCpuThreadPoolCapacity(), [&](size_t i) -> Status {
          ARROW_ASSIGN_OR_RAISE(outcomes[i],
                                writer_.Write(AsUpsert(upserts[i].first, upserts[i].second)));
          return Status::OK();
        }));
    return outcomes;
  }

  // Records the upserts' outputs in the order given, and the compactions they call for.
  void RecordAll(const Upserts& upserts, const std::vector<engine::WriteOutcome>& outcomes) {
    for (size_t i = 0; i < upserts.size(); ++i) {
      const engine::WriteRequest& req = upserts[i].first;
      outputs_.push_back(
          {req.dataset_name, req.table_uri, outcomes[i].delta_version, outcomes[i].rows});
      if (options_.compact_after > 0) {
        // Compacted at the end of the run with the files' own size, row groups and clustering.
        engine::MaintenanceRequest compact;
        compact.operation = engine::MaintenanceOperation::kOptimize;
        compact.dataset_name = req.dataset_name;
        compact.table_uri = req.table_uri;
        compact.target_file_size =
            req.write_policy.target_file_size.value_or(compact.target_file_size);
        compact.row_group_rows = req.row_group_rows.value_or(compact.row_group_rows);
        compact.min_files = options_.compact_after;
        compact.order_by = req.write_policy.zorder_by;
        compact.commit_metadata = ctx_.CommitMetadata("compaction");
        compactions_.push_back(std::move(compact));
      }
      Report("write", static_cast<int64_t>(outputs_.size()), 14 + 6);
    }
  }

  Result<IncrementalSummary> Incremental(ChangeSet changes) {
    summary_.mode = "incremental";
    summary_.changes = changes.changes;
    ImpactInputs impact;
    impact.changes = changes.changes;
    for (const auto& f : scan_.files) impact.current_paths.push_back(f.path);
    impact.import_graph = [this]() -> Result<ImportGraph> {
      ImportGraph graph;
      ARROW_ASSIGN_OR_RAISE(graph.imports, ReadTable(ctx_.out + "/extract/imports",
                                                     {"path", "scope_id", "module", "imported_name",
                                                      "asname", "is_from", "is_star"}));
      // One scan of the definitions serves the classes and what functions return.
      ARROW_ASSIGN_OR_RAISE(auto definitions,
                            ReadTable(ctx_.out + "/extract/definitions",
                                      {"def_id", "path", "qualified_name", "def_kind", "bases",
                                       "metaclass", "returns"}));
      ARROW_ASSIGN_OR_RAISE(auto is_class, arrow::compute::CallFunction(
                                               "equal", {definitions->GetColumnByName("def_kind"),
                                                         arrow::Datum(std::string("class"))}));
      ARROW_ASSIGN_OR_RAISE(auto classes, arrow::compute::Filter(definitions, is_class));
      graph.classes = classes.table();
      ARROW_ASSIGN_OR_RAISE(graph.returns, ReturnsRead(*definitions));
      ARROW_ASSIGN_OR_RAISE(auto module_scopes,
                            ReadTable(ctx_.out + "/extract/scopes", {"scope_id"},
                                      {{"scope_kind", PredicateOp::kEq, {"module"}}}));
      ARROW_ASSIGN_OR_RAISE(auto module_scope_ids, Strings(*module_scopes, "scope_id"));
      graph.module_scopes.emplace(module_scope_ids.begin(), module_scope_ids.end());
      graph.aliases = ModuleAliases(std::make_shared<std::set<std::string>>(*graph.module_scopes));
      return graph;
    };
    impact.read_texts = ByPath<std::string>(
        [this](const std::vector<Predicate>& where) -> Result<Grouped<std::string>> {
          // A file reads other modules' names through its callees, annotations and aliases.
          static constexpr std::pair<const char*, const char*> kTexts[] = {
              {"call_sites", "callee_text"},
              {"annotations", "annotation_text"},
              {"bindings", "alias_of"}};
          Grouped<std::string> out;
          for (const auto& [table, column] : kTexts) {
            std::vector<Predicate> terms = where;
            terms.push_back({column, PredicateOp::kIsNotNull, {}});
            ARROW_ASSIGN_OR_RAISE(
                auto rows, ReadTable(ctx_.out + "/extract/" + table, {"path", column}, terms));
            ARROW_ASSIGN_OR_RAISE(auto paths, Strings(*rows, "path"));
            ARROW_ASSIGN_OR_RAISE(auto texts, Strings(*rows, column));
            for (size_t i = 0; i < paths.size(); ++i) out[paths[i]].push_back(std::move(texts[i]));
          }
          return out;
        });
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
      ARROW_ASSIGN_OR_RAISE(impact.surface_changes, SurfaceChanges(changed, *extraction));
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
    // 2. Where the previous edges of these files pointed, and the qualified names their rows
    // used, read before anything is replaced.
    const std::vector<Predicate> of_files = {{"file_id", PredicateOp::kIn, file_ids}};
    ARROW_ASSIGN_OR_RAISE(auto old_edges, ReadTable(ctx_.out + "/cpg_edges",
                                                    {"dst_node_id", "dst_file_id"}, {of_files}));
    std::vector<std::pair<std::string, std::shared_ptr<arrow::Table>>> old_rows, new_rows;
    for (const auto& [name, table] : extraction->Tables()) {
      const auto& read = cpg::QualifiedNameDatasets();
      if (std::find(read.begin(), read.end(), name) == read.end()) continue;
      new_rows.emplace_back(name, table);
      ARROW_ASSIGN_OR_RAISE(auto old, ReadTable(ctx_.out + "/extract/" + name, {}, of_files));
      old_rows.emplace_back(name, std::move(old));
    }
    ARROW_ASSIGN_OR_RAISE(auto old_uses, NameUses(old_rows));
    old_rows.clear();

    // 3. Extraction tables. Scan errors belong to no parsed file: they are all replaced. They
    // are written while the views below read the same rows (waited for before the outputs).
    Upserts extraction_upserts;
    for (const auto& [name, table] : extraction->Tables()) {
      Conjunctions where = {of_files};
      if (name == "errors") where.push_back({{"stage", PredicateOp::kEq, {"scan"}}});
      extraction_upserts.emplace_back(pipeline::ExtractionWrite(ctx_, name, table), where);
    }
    auto extraction_written = std::async(std::launch::async, [this, &extraction_upserts]() {
      return UpsertAll(extraction_upserts);
    });

    Stage("qualified_names");
    // 4. Qualified names are shared by all files: the names these files use now and no file
    // used before are added, those no file uses any more removed. Each name's uses are kept
    // (state/qualified_names): those of these files' old rows go, their new rows' come. Only
    // the rows of the names these files use are read and replaced (merge-on-read, as the
    // outputs), while the views run.
    ARROW_ASSIGN_OR_RAISE(auto new_uses, NameUses(new_rows));
    new_rows.clear();
    ARROW_ASSIGN_OR_RAISE(auto named, NamesUsed(*old_uses, *new_uses));
    const Conjunctions of_names = {{{"qualified_name", PredicateOp::kIn, named}}};
    ARROW_ASSIGN_OR_RAISE(auto uses_before, ReadTable(pipeline::QualifiedNamesUri(ctx_.out),
                                                      {"qualified_name", "uses"}, of_names[0]));
    ARROW_ASSIGN_OR_RAISE(auto name_changes, UpdateNameUses(*uses_before, *old_uses, *new_uses));
    engine::WriteRequest uses_write = pipeline::QualifiedNamesWrite(ctx_, name_changes.uses);
    uses_write.write_policy.enable_features.push_back(artifacts::DeltaFeature::kDeletionVectors);
    auto uses_written = std::async(
        std::launch::async,
        [this, req = AsUpsert(std::move(uses_write), of_names)]() { return writer_.Write(req); });
    std::vector<std::string> removed_qnames;
    for (const auto& name : name_changes.removed)
      removed_qnames.push_back(core::StableId("qname", {name}));

    Stage("base_views");
    // 5. The base views over the impacted files' rows and the added qualified names. Every row
    // of an output carries the file it comes from (file_id; null for the qualified names,
    // which all files share): the rows to replace are those of these files, and those of the
    // qualified names no file names any more.
    ARROW_ASSIGN_OR_RAISE(auto part, NewSession());
    ARROW_RETURN_NOT_OK(pipeline::IngestExtraction(*part, extraction->Tables()));
    ARROW_RETURN_NOT_OK(part->Ingest(cpg::kQualifiedNamesView, name_changes.added));
    auto where_for = [&](const std::string& id_column) {
      Conjunctions where = {of_files};
      where.push_back(
          {{"file_id", PredicateOp::kIsNull, {}}, {id_column, PredicateOp::kIn, removed_qnames}});
      return where;
    };
    std::shared_ptr<arrow::Table> new_edges;
    Upserts output_upserts;
    ARROW_ASSIGN_OR_RAISE(auto base_views, cpg::BuildBaseViews(*part));
    for (const auto& view : base_views) {
      ARROW_ASSIGN_OR_RAISE(auto result, pipeline::RunView(*part, view, ctx_));
      plan_fingerprints_[view.name] = result.plan_fingerprint;
      ARROW_RETURN_NOT_OK(part->Ingest(view.name, result.table));
      if (view.name == "cpg_edges") {
        new_edges = result.table;
        output_upserts.emplace_back(pipeline::OutputWrite(ctx_, result), Conjunctions{of_files});
        continue;
      }
      const std::string id_column = view.name == "cpg_nodes" ? "node_id" : "entity_id";
      output_upserts.emplace_back(pipeline::OutputWrite(ctx_, result), where_for(id_column));
    }

    Stage("derived_views");
    // 6. Derived views: the props of the same entities, the edges of the same sources.
    for (const char* name : {"cpg_props_map", "cpg_edges_by_src"}) {
      ARROW_ASSIGN_OR_RAISE(auto view, cpg::BuildDerivedView(*part, name));
      ARROW_ASSIGN_OR_RAISE(auto result, pipeline::RunView(*part, view, ctx_));
      plan_fingerprints_[view.name] = result.plan_fingerprint;
      Conjunctions where = {of_files};
      if (view.name == "cpg_props_map") where = where_for("entity_id");
      output_upserts.emplace_back(pipeline::OutputWrite(ctx_, result), where);
    }
    // Edges into a node come from any file. The destinations these files' edges pointed or
    // point at keep their other edges: their previous lists, without the edges of these
    // files, with the new ones.
    std::set<std::string> dst_files, dst_in_files;
    std::set<std::string> qnames[2];  // the qualified names the old and the new edges point at
    for (int now = 0; now < 2; ++now) {
      const auto& edges = now ? new_edges : old_edges;
      ARROW_ASSIGN_OR_RAISE(auto batch,
                            edges->SelectColumns({edges->schema()->GetFieldIndex("dst_node_id"),
                                                  edges->schema()->GetFieldIndex("dst_file_id")}));
      ARROW_ASSIGN_OR_RAISE(auto ids, Strings(*batch, "dst_node_id"));
      ARROW_ASSIGN_OR_RAISE(auto rows, batch->CombineChunksToBatch());
      ARROW_ASSIGN_OR_RAISE(auto files,
                            ColumnAs<arrow::StringArray>(*rows, "dst_file_id", "cpg_edges"));
      for (int64_t i = 0; i < files->length(); ++i) {
        if (files->IsNull(i)) {
          qnames[now].insert(ids[i]);
        } else {
          dst_files.insert(files->GetString(i));
          dst_in_files.insert(ids[i]);
        }
      }
    }
    // A list into a qualified name holds these files' edges (it is to be patched) only if
    // its edges all come from them (src_file_id names the one file) or from several files; a
    // list of another file's edges only if the new edges join it (a name they did not point
    // at before). Statistics on src_file_id and dst_node_id prune the files to read.
    std::vector<std::string> all_qnames, joined;
    std::set_union(qnames[0].begin(), qnames[0].end(), qnames[1].begin(), qnames[1].end(),
                   std::back_inserter(all_qnames));
    std::set_difference(qnames[1].begin(), qnames[1].end(), qnames[0].begin(), qnames[0].end(),
                        std::back_inserter(joined));
    const Conjunctions into_dst = {
        {{"dst_file_id", PredicateOp::kIn, {dst_files.begin(), dst_files.end()}},
         {"dst_node_id", PredicateOp::kIn, {dst_in_files.begin(), dst_in_files.end()}}},
        {{"dst_file_id", PredicateOp::kIsNull, {}}, {"src_file_id", PredicateOp::kIn, file_ids}},
        {{"dst_file_id", PredicateOp::kIsNull, {}},
         {"src_file_id", PredicateOp::kIsNull, {}},
         {"dst_node_id", PredicateOp::kIn, all_qnames}},
        {{"dst_file_id", PredicateOp::kIsNull, {}}, {"dst_node_id", PredicateOp::kIn, joined}}};
    // One read-modify-write: the lists being replaced come back from the delta layer's rewrite
    // (the files holding them are read once), and the view recomputes them with the new edges.
    auto relist = [&](const std::shared_ptr<arrow::Table>& old_lists)
        -> Result<std::shared_ptr<arrow::Table>> {
      ARROW_ASSIGN_OR_RAISE(auto edges_into, EdgesInto(*old_lists, file_ids, *new_edges));
      ARROW_ASSIGN_OR_RAISE(auto into, NewSession());
      ARROW_RETURN_NOT_OK(into->Ingest("cpg_edges", edges_into));
      ARROW_ASSIGN_OR_RAISE(auto view, cpg::BuildDerivedView(*into, "cpg_edges_by_dst"));
      ARROW_ASSIGN_OR_RAISE(auto result, pipeline::RunView(*into, view, ctx_));
      plan_fingerprints_[view.name] = result.plan_fingerprint;
      return result.table;
    };
    pipeline::ViewResult by_dst;
    by_dst.name = "cpg_edges_by_dst";
    by_dst.cluster_by = {"dst_file_id"};
    by_dst.nested = true;
    by_dst.plan_fingerprint = fingerprints_.at(by_dst.name);
    ARROW_ASSIGN_OR_RAISE(auto table_now, delta::LoadSnapshot(ctx_.out + "/" + by_dst.name));
    ARROW_ASSIGN_OR_RAISE(auto schema_now, delta::ToArrowSchema(table_now->schema));
    ARROW_ASSIGN_OR_RAISE(by_dst.table, arrow::Table::MakeEmpty(schema_now));
    engine::WriteRequest by_dst_write = pipeline::OutputWrite(ctx_, by_dst);
    by_dst_write.rewrite_matched = relist;
    // First: the longest of the six (the lists it rewrites are the largest rows).
    output_upserts.emplace(output_upserts.begin(), std::move(by_dst_write), into_dst);
    // Merge-on-read: the replaced rows of an output are marked in deletion vectors instead of
    // writing their files' other rows again. Clustering by file keeps a file's rows in a few
    // data files, but those files hold neighbours' rows too (over ten rows rewritten per row
    // replaced, on a large module), and the lists into a popular name gather edges from every
    // file; with DVs an upsert reads the matching files' key columns and writes only the new
    // rows. The first incremental build adds the feature (delta-rs's DataFusion reader, DuckDB
    // and Spark apply DVs); full builds leave it off, so their tables stay readable by readers
    // without DV support.
    for (auto& [req, where] : output_upserts)
      req.write_policy.enable_features.push_back(artifacts::DeltaFeature::kDeletionVectors);
    // The six outputs are written together.
    Stage("upserts");
    ARROW_ASSIGN_OR_RAISE(auto extraction_outcomes, extraction_written.get());
    ARROW_RETURN_NOT_OK(uses_written.get().status());
    RecordAll(extraction_upserts, extraction_outcomes);
    ARROW_ASSIGN_OR_RAISE(auto output_outcomes, UpsertAll(output_upserts));
    RecordAll(output_upserts, output_outcomes);

    Stage("compaction");
    // 7. Partitions where upserts left many small files are compacted (content unchanged).
    for (const auto& compact : compactions_)
      ARROW_RETURN_NOT_OK(writer_.Maintain(compact).status());

    Stage("state");
    // 8. The repository snapshot, then the run's closing rows.
    engine::WriteRequest snap = SnapshotWrite();
    ARROW_ASSIGN_OR_RAISE(snap.data, SnapshotRows(changes.upserted));
    std::vector<std::string> snapshot_paths = changes.removed_paths;
    for (const auto& f : changes.upserted) snapshot_paths.push_back(f.path);
    snap.mode = "upsert";
    snap.replace_rows_where = {{{"path", PredicateOp::kIn, snapshot_paths}}};
    ARROW_RETURN_NOT_OK(writer_.Write(snap).status());
    ARROW_RETURN_NOT_OK(pipeline::CloseRun(
        ctx_, pipeline::CountExtraction(extraction->Tables()), plan_fingerprints_, outputs_,
        artifacts::StringMap{{"incremental_runs_v1", ctx_.run_id},
                             {"build_mode", summary_.mode},
                             {"build_reason", summary_.reason}}));
    Stage("close");
    return Finish({});
  }

  // The cpg_qualified_names view over these extraction rows: each name they use, with its uses.
  Result<std::shared_ptr<arrow::Table>> NameUses(
      const std::vector<std::pair<std::string, std::shared_ptr<arrow::Table>>>& tables) {
    ARROW_ASSIGN_OR_RAISE(auto session, NewSession());
    for (const auto& [name, table] : tables)
      ARROW_RETURN_NOT_OK(session->Ingest(cpg::ExtractTableName(name), table));
    ARROW_ASSIGN_OR_RAISE(auto view, cpg::BuildQualifiedNamesView(*session));
    ARROW_ASSIGN_OR_RAISE(auto result, pipeline::RunView(*session, view, ctx_));
    plan_fingerprints_[result.name] = result.plan_fingerprint;
    return result.table;
  }

  template <typename T>
  using Grouped = std::map<std::string, std::vector<T>>;  // by path

  // Rows of the previous build asked one file at a time, from `read(predicates)` grouped by
  // path: a few files' by file_id (a data file or two each); past that, every file's once (a
  // change to a module many files import asks for hundreds).
  template <typename T>
  std::function<Result<std::vector<T>>(const std::string&)> ByPath(
      std::function<Result<Grouped<T>>(const std::vector<Predicate>&)> read) {
    auto all = std::make_shared<std::optional<Grouped<T>>>();
    auto asked = std::make_shared<int>(0);
    return [read, all, asked](const std::string& path) -> Result<std::vector<T>> {
      if (!*all && ++*asked <= 16) {
        ARROW_ASSIGN_OR_RAISE(
            auto one, read({{"file_id", PredicateOp::kEq, {core::StableId("file", {path})}}}));
        return std::move(one[path]);
      }
      if (!*all) {
        ARROW_ASSIGN_OR_RAISE(auto every, read({}));
        all->emplace(std::move(every));
      }
      auto it = (*all)->find(path);
      return it == (*all)->end() ? std::vector<T>{} : it->second;
    };
  }

  // The module-level aliases and instances of a file in the previous build, and the aliases of
  // its class bodies under the module-level name of their class (ImportGraph::aliases).
  std::function<Result<std::vector<std::pair<std::string, std::string>>>(const std::string&)>
  ModuleAliases(std::shared_ptr<std::set<std::string>> module_scopes) {
    using Alias = std::pair<std::string, std::string>;
    return ByPath<Alias>([this, module_scopes](
                             const std::vector<Predicate>& where) -> Result<Grouped<Alias>> {
      std::vector<Predicate> class_terms = where;
      class_terms.push_back({"scope_kind", PredicateOp::kEq, {"class"}});
      ARROW_ASSIGN_OR_RAISE(auto classes,
                            ReadTable(ctx_.out + "/extract/scopes",
                                      {"path", "scope_id", "qualified_name"}, class_terms));
      ARROW_ASSIGN_OR_RAISE(auto class_paths, Strings(*classes, "path"));
      ARROW_ASSIGN_OR_RAISE(auto class_ids, Strings(*classes, "scope_id"));
      ARROW_ASSIGN_OR_RAISE(auto class_names, Strings(*classes, "qualified_name"));
      std::unordered_map<std::string, std::string> top_name;  // class scope -> `Outer`
      for (size_t i = 0; i < class_ids.size(); ++i) {
        top_name.emplace(class_ids[i],
                         NameInModule(class_names[i], extract::ModuleNameForPath(class_paths[i])));
      }
      // One read of the bindings: a row holds an alias, an instance, or neither.
      ARROW_ASSIGN_OR_RAISE(
          auto table, ReadTable(ctx_.out + "/extract/bindings",
                                {"path", "scope_id", "name", "alias_of", "instance_of"}, where));
      ARROW_ASSIGN_OR_RAISE(auto rows, table->CombineChunksToBatch());
      auto column = [&](const char* name) {
        return ColumnAs<arrow::StringArray>(*rows, name, "extract/bindings");
      };
      ARROW_ASSIGN_OR_RAISE(auto paths, column("path"));
      ARROW_ASSIGN_OR_RAISE(auto scopes, column("scope_id"));
      ARROW_ASSIGN_OR_RAISE(auto names, column("name"));
      ARROW_ASSIGN_OR_RAISE(auto alias_of, column("alias_of"));
      ARROW_ASSIGN_OR_RAISE(auto instance_of, column("instance_of"));
      Grouped<Alias> out;
      for (int64_t i = 0; i < rows->num_rows(); ++i) {
        if (alias_of->IsNull(i) && instance_of->IsNull(i)) continue;
        const std::string scope = scopes->GetString(i);
        auto& aliases = out[paths->GetString(i)];
        if (module_scopes->count(scope)) {
          if (!alias_of->IsNull(i))
            aliases.emplace_back(names->GetString(i), alias_of->GetString(i));
          if (!instance_of->IsNull(i))
            aliases.emplace_back(names->GetString(i), instance_of->GetString(i));
        } else if (auto cls = top_name.find(scope); cls != top_name.end() && !alias_of->IsNull(i)) {
          aliases.emplace_back(cls->second, alias_of->GetString(i));
        }
      }
      return out;
    });
  }

  // The previous build's return annotations with the qualified names of their functions, and
  // the calls functions' bodies return (`definitions.returns`, `Model()`), as the texts whose
  // names they read (ImportGraph::returns). `definitions`: def_id, path, qualified_name and
  // returns of every definition.
  Result<std::shared_ptr<arrow::Table>> ReturnsRead(const arrow::Table& definitions) {
    ARROW_ASSIGN_OR_RAISE(
        auto annotations,
        ReadTable(ctx_.out + "/extract/annotations", {"owner_id", "annotation_text"},
                  {{"target_kind", PredicateOp::kEq, {"return"}}}));
    ARROW_ASSIGN_OR_RAISE(auto owners, Strings(*annotations, "owner_id"));
    ARROW_ASSIGN_OR_RAISE(auto texts, Strings(*annotations, "annotation_text"));
    ARROW_ASSIGN_OR_RAISE(auto defs, definitions.CombineChunksToBatch());
    auto column = [&](const char* name) {
      return ColumnAs<arrow::StringArray>(*defs, name, "extract/definitions");
    };
    ARROW_ASSIGN_OR_RAISE(auto def_ids, column("def_id"));
    ARROW_ASSIGN_OR_RAISE(auto paths, column("path"));
    ARROW_ASSIGN_OR_RAISE(auto qnames, column("qualified_name"));
    ARROW_ASSIGN_OR_RAISE(auto returned, column("returns"));
    arrow::StringBuilder path_out, qname_out, text_out;
    auto append = [&](int64_t row, std::string_view text) {
      ARROW_RETURN_NOT_OK(path_out.Append(paths->GetView(row)));
      ARROW_RETURN_NOT_OK(qname_out.Append(qnames->GetView(row)));
      return text_out.Append(text);
    };
    std::unordered_map<std::string_view, int64_t> row_of;
    for (int64_t i = 0; i < defs->num_rows(); ++i) {
      row_of.emplace(def_ids->GetView(i), i);
      // `self` reads no other name.
      if (returned->IsValid(i) && returned->GetView(i) != "self")
        ARROW_RETURN_NOT_OK(append(i, returned->GetView(i)));
    }
    for (size_t i = 0; i < owners.size(); ++i)
      if (auto row = row_of.find(owners[i]); row != row_of.end())
        ARROW_RETURN_NOT_OK(append(row->second, texts[i]));
    std::vector<std::shared_ptr<arrow::Array>> columns(3);
    ARROW_RETURN_NOT_OK(path_out.Finish(&columns[0]));
    ARROW_RETURN_NOT_OK(qname_out.Finish(&columns[1]));
    ARROW_RETURN_NOT_OK(text_out.Finish(&columns[2]));
    return arrow::Table::Make(arrow::schema({arrow::field("path", arrow::utf8()),
                                             arrow::field("qualified_name", arrow::utf8()),
                                             arrow::field("annotation_text", arrow::utf8())}),
                              columns);
  }

  // The rows of `paths` (resolved over the modules their resolution looks into, not emitted).
  Result<extract::ExtractionResult> Extract(const std::set<std::string>& paths) {
    Report("parse", 0, static_cast<int64_t>(paths.size()));
    extract::ExtractOptions eo = pipeline::ExtractOptionsOf(options_);
    eo.only_paths = paths;
    eo.on_parsed = [&](int64_t done, int64_t total) { Report("parse", done, total); };
    return extract::ExtractScanned(scan_, eo);
  }

  // For each changed file, the module-level names whose facts differ between its previous
  // rows and `now` (ChangedNames); a file whose star imports changed is left out.
  Result<std::map<std::string, std::set<std::string>>> SurfaceChanges(
      const std::set<std::string>& changed, const extract::ExtractionResult& now) {
    const std::vector<std::string> paths(changed.begin(), changed.end());
    std::vector<std::string> file_ids;
    for (const auto& p : paths) file_ids.push_back(core::StableId("file", {p}));
    // Extraction tables are clustered by file_id: its statistics prune their files.
    const std::vector<Predicate> of_paths = {{"file_id", PredicateOp::kIn, file_ids}};
    SurfaceTables before;
    for (auto [d, table] : {std::pair{"definitions", &before.definitions},
                            {"bindings", &before.bindings},
                            {"imports", &before.imports},
                            {"scopes", &before.scopes},
                            {"annotations", &before.annotations},
                            {"files", &before.files}}) {
      ARROW_ASSIGN_OR_RAISE(*table, ReadTable(ctx_.out + "/extract/" + d, {}, of_paths));
    }
    ARROW_ASSIGN_OR_RAISE(auto old_sigs, SurfaceSignatures(before));
    ARROW_ASSIGN_OR_RAISE(auto new_sigs,
                          SurfaceSignatures({now.definitions, now.bindings, now.imports, now.scopes,
                                             now.annotations, now.files}));
    std::map<std::string, std::set<std::string>> out;
    for (size_t i = 0; i < paths.size(); ++i) {
      auto names = ChangedNames(old_sigs[file_ids[i]], new_sigs[file_ids[i]]);
      if (names) out[paths[i]] = std::move(*names);
    }
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
  std::vector<engine::MaintenanceRequest> compactions_;  // one per table upserted
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
