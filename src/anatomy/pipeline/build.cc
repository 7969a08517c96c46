#include "anatomy/pipeline/build.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/thread_pool.h>

#include <filesystem>
#include <future>
#include <random>
#include <set>

#include "anatomy/artifacts/rows.h"
#include "anatomy/artifacts/store.h"
#include "anatomy/core/clock.h"
#include "anatomy/core/hash.h"
#include "anatomy/cpg/kinds.h"
#include "anatomy/cpg/nest.h"
#include "anatomy/cpg/views.h"
#include "anatomy/engine/execute.h"
#include "anatomy/engine/plan_builder.h"
#include "anatomy/engine/plan_bundle.h"
#include "anatomy/engine/session.h"
#include "anatomy/engine/write_pipeline.h"
#include "anatomy/extract/extract.h"
#include "anatomy/extract/scan.h"
#include "anatomy/extract/schemas.h"
#include "anatomy/pipeline/spill.h"
#include "anatomy/pipeline/streamed_write.h"
#include "anatomy/pipeline/views.h"
#include "anatomy/serde/msgpack_codec.h"

namespace anatomy::pipeline {

namespace {

namespace fs = std::filesystem;

int64_t SumInt64(const arrow::Table& table, const std::string& column) {
  auto col = table.GetColumnByName(column);
  if (!col) return 0;
  auto sum = arrow::compute::Sum(col);
  if (!sum.ok() || !sum->scalar()->is_valid) return 0;
  return std::static_pointer_cast<arrow::Int64Scalar>(sum->scalar())->value;
}

}  // namespace

std::string NewRunId() {
  std::random_device rd;
  std::string seed = std::to_string(rd()) + "-" + std::to_string(rd()) + "-" +
                     std::to_string(core::DefaultClock().NowUnixMs());
  return "run:" + core::Sha256Hex(seed).substr(0, 32);
}

Result<std::vector<artifacts::ExtractError>> ExtractErrorsOf(const arrow::Table& errors) {
  std::vector<artifacts::ExtractError> out;
  if (errors.num_rows() == 0) return out;
  ARROW_ASSIGN_OR_RAISE(auto batch, errors.CombineChunksToBatch());
  auto str = [&](const char* name) {
    return std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName(name));
  };
  auto i64 = [&](const char* name) {
    return std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName(name));
  };
  auto path = str("path"), stage = str("stage"), code = str("code"), message = str("message");
  auto bstart = i64("bstart"), bend = i64("bend");
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    out.push_back({path->GetString(i), stage->GetString(i), code->GetString(i),
                   message->GetString(i), bstart->Value(i), bend->Value(i)});
  }
  return out;
}

namespace {

// Data files of a few MB, in row groups of 64k rows: an incremental build rewrites the files
// holding the rows of the files it rebuilds, so files stay small (and clustered by file).
constexpr int64_t kTargetFileSize = int64_t{256} << 10;
constexpr int64_t kRowGroupRows = int64_t{1} << 13;
constexpr int64_t kNestedRowGroupRows = int64_t{1} << 11;

void SmallFiles(engine::WriteRequest* req) {
  req->write_policy.target_file_size = kTargetFileSize;
  req->row_group_rows = kRowGroupRows;
}

}  // namespace

engine::WriteRequest ExtractionWrite(const RunContext& ctx, const std::string& dataset,
                                     std::shared_ptr<arrow::Table> rows) {
  engine::WriteRequest req;
  SmallFiles(&req);
  req.dataset_name = "extract_" + dataset;
  req.table_uri = ctx.out + "/extract/" + dataset;
  req.data = std::move(rows);
  req.write_policy.stats_policy = artifacts::StatsPolicy::kAuto;
  // Clustered by file, as the outputs: a build hands files out in file_id order, and an
  // incremental build replaces a file's rows by file_id.
  req.write_policy.zorder_by = {"file_id"};
  req.lineage_columns = {"file_id", "path"};
  req.commit_metadata = ctx.CommitMetadata("extract");
  return req;
}

engine::WriteRequest QualifiedNamesWrite(const RunContext& ctx,
                                         std::shared_ptr<arrow::Table> rows) {
  engine::WriteRequest req;
  req.dataset_name = kQualifiedNamesState;
  req.table_uri = QualifiedNamesUri(ctx.out);
  req.data = std::move(rows);
  req.write_policy.stats_policy = artifacts::StatsPolicy::kAuto;
  req.commit_metadata = ctx.CommitMetadata("state");
  return req;
}

std::string QualifiedNamesUri(const std::string& out) { return out + "/state/qualified_names"; }

engine::WriteRequest ReplacingTable(engine::WriteRequest req) {
  req.mode = "overwrite";
  req.schema_policy = artifacts::DeltaSchemaPolicy{artifacts::SchemaMode::kOverwrite, {}};
  return req;
}

engine::WriteRequest OutputWrite(const RunContext& ctx, const ViewResult& view) {
  engine::WriteRequest req;
  SmallFiles(&req);
  // A nested row holds a node's whole list (thousands of edges into a popular name): fewer
  // rows per group keep the files of nested outputs as small as the others.
  if (view.nested) req.row_group_rows = kNestedRowGroupRows;
  req.write_policy.zorder_by = view.cluster_by;
  req.dataset_name = view.name;
  req.table_uri = ctx.out + "/" + view.name;
  req.data = view.table;
  req.write_policy.partition_by = view.partition_by;
  req.commit_metadata = ctx.CommitMetadata("cpg_view");
  req.commit_metadata["plan_fingerprint"] = view.plan_fingerprint;
  req.commit_metadata["plan_identity_hash"] = view.plan_identity_hash;
  return req;
}

extract::ExtractOptions ExtractOptionsOf(const BuildOptions& options) {
  extract::ExtractOptions out;
  out.repo_root = options.repo;
  out.include = options.include;
  out.exclude = options.exclude;
  out.jobs = options.jobs;
  return out;
}

ExtractionCounts CountExtraction(
    const std::vector<std::pair<std::string, std::shared_ptr<arrow::Table>>>& tables) {
  ExtractionCounts out;
  for (const auto& [name, table] : tables) {
    out.rows.push_back({name, table->num_rows()});
    if (name == "errors") out.errors = table;
  }
  return out;
}

Status CloseRun(const RunContext& ctx, const ExtractionCounts& extraction,
                const std::map<std::string, std::string>& plan_fingerprints,
                const std::vector<artifacts::OutputDescriptor>& outputs,
                std::optional<artifacts::StringMap> artifact_ids) {
  const int64_t now = core::DefaultClock().NowUnixMs();
  std::vector<std::string> datasets;
  int64_t rows = 0;
  for (const auto& [name, n] : extraction.rows) {
    datasets.push_back(name);
    rows += n;
  }
  const auto& errors_table = extraction.errors;
  ARROW_RETURN_NOT_OK(
      ctx.store->Append(artifacts::NormalizeOutputsRow{now, ctx.run_id, ctx.out, datasets, rows}));
  std::vector<artifacts::ExtractError> errors;
  if (errors_table) {
    ARROW_ASSIGN_OR_RAISE(errors, ExtractErrorsOf(*errors_table));
  }
  const auto count = static_cast<int64_t>(errors.size());
  ARROW_RETURN_NOT_OK(ctx.store->Append(
      artifacts::ExtractErrorsRow{now, ctx.run_id, ctx.out, std::move(errors), count}));
  artifacts::RunManifestRow manifest;
  manifest.run_id = ctx.run_id;
  manifest.status = "ok";
  manifest.event_time_unix_ms = now;
  manifest.plan_signature = serde::Fingerprint(plan_fingerprints);
  manifest.plan_fingerprints = plan_fingerprints;
  manifest.delta_inputs_msgpack =
      serde::Bytes{serde::EncodeMsgpack(std::vector<artifacts::DeltaInputPin>{})};
  manifest.outputs_msgpack = serde::Bytes{serde::EncodeMsgpack(outputs)};
  manifest.artifact_ids = std::move(artifact_ids);
  manifest.runtime_profile_name = ctx.profile;
  manifest.runtime_profile_hash = ctx.runtime_hash;
  manifest.determinism_tier = "contents";
  manifest.output_dir = ctx.out;
  return ctx.store->Append(manifest);
}

namespace {

// Work the build runs beside the main thread gets a thread of its own, unless `--jobs 1`
// asks for one thread: then it runs on the main thread when its result is asked for.
std::launch AsyncWhenCores() {
  return arrow::GetCpuThreadPoolCapacity() > 1 ? std::launch::async : std::launch::deferred;
}

// The CPG views of one batch of files, or of the rows no file owns, and where their results
// go. A batch's session holds its extraction tables; outputs are written chunk by chunk.
class BatchedBuild {
 public:
  BatchedBuild(const RunContext& ctx, const engine::SessionOptions& session_options,
               BuildSummary* summary)
      : ctx_(ctx),
        session_options_(session_options),
        summary_(summary),
        slots_(std::max(1, arrow::GetCpuThreadPoolCapacity())),
        kept_edges_(ctx.out + "/.kept-edges-" + ctx.run_id.substr(ctx.run_id.find(':') + 1) +
                    ".arrow") {}

  ~BatchedBuild() {
    for (auto& [name, write] : writes_) write->Cancel(Status::Cancelled("the build stopped"));
  }

  // The definitions edges from other files point at (see RunBatch).
  Status SetCalledFromOtherFiles(const std::vector<std::string>& def_ids) {
    arrow::StringBuilder b;
    ARROW_RETURN_NOT_OK(b.AppendValues(def_ids));
    ARROW_ASSIGN_OR_RAISE(called_from_other_files_, b.Finish());
    return Status::OK();
  }

  // One batch of files: its extraction tables are written, and the views run over them. The
  // edges into qualified names and into definitions called from other files are kept for
  // the end, on disk: their cpg_edges_by_dst lists gather edges of every batch.
  Status RunBatch(const extract::ExtractionResult& extraction) {
    auto tables = extraction.Tables();
    for (const auto& [name, table] : tables) {
      counts_[name] += table->num_rows();
      if (name == "errors" && table->num_rows() > 0) errors_.push_back(table);
      ARROW_RETURN_NOT_OK(Write("extract_" + name, table, [&, dataset = name] {
        return ExtractionWrite(ctx_, dataset, nullptr);
      }));
    }
    ARROW_ASSIGN_OR_RAISE(auto session, engine::Session::Make(session_options_));
    ARROW_RETURN_NOT_OK(IngestExtraction(*session, tables));
    tables.clear();
    ARROW_ASSIGN_OR_RAISE(auto qnames_view, cpg::BuildQualifiedNamesView(*session));
    ARROW_ASSIGN_OR_RAISE(auto qnames, Run(*session, qnames_view));
    qname_parts_.push_back(qnames.table);
    session->DropView(qnames_view.name);
    // The qualified names' own rows are the last batch's (RunRest).
    ARROW_ASSIGN_OR_RAISE(auto no_qnames, arrow::Table::MakeEmpty(qnames.table->schema()));
    ARROW_RETURN_NOT_OK(session->Ingest(qnames_view.name, no_qnames));
    ARROW_ASSIGN_OR_RAISE(auto edges, RunBaseViews(*session));
    for (const auto& name : extract::DatasetNames())
      session->DropTable(cpg::ExtractTableName(name));
    session->DropTable(qnames_view.name);
    // Edges whose lists are complete within the batch, and those kept for the end (split
    // once by_src has read the whole, so that the parts are not held through it as well).
    return RunDerivedViews(*session, [&]() -> Result<std::shared_ptr<arrow::Table>> {
      ARROW_ASSIGN_OR_RAISE(auto split, SplitEdges(edges));
      edges.reset();
      ARROW_RETURN_NOT_OK(kept_edges_.Append(*split.second));
      return split.first;
    });
  }

  // The rows no file owns: qualified names (over every batch's) and the edge lists into
  // them and into definitions called from other files.
  Status RunRest() {
    ARROW_ASSIGN_OR_RAISE(auto session, engine::Session::Make(session_options_));
    for (const auto& name : extract::DatasetNames()) {
      ARROW_ASSIGN_OR_RAISE(auto empty, arrow::Table::MakeEmpty(extract::DatasetSchema(name)));
      ARROW_RETURN_NOT_OK(session->Ingest(cpg::ExtractTableName(name), empty));
    }
    ARROW_ASSIGN_OR_RAISE(auto qnames, MergeQualifiedNames());
    ARROW_RETURN_NOT_OK(session->Ingest(cpg::kQualifiedNamesView, qnames));
    ARROW_RETURN_NOT_OK(
        Write(kQualifiedNamesState, qnames, [&] { return QualifiedNamesWrite(ctx_, nullptr); }));
    qname_parts_.clear();
    ARROW_ASSIGN_OR_RAISE(auto own, RunBaseViews(*session));  // no edges of its own
    return RunDerivedViews(*session, [&]() -> Result<std::shared_ptr<arrow::Table>> {
      ARROW_ASSIGN_OR_RAISE(auto kept, kept_edges_.ReadAll());
      return kept ? kept : std::move(own);
    });
  }

  // Commits every write: extraction tables, then the outputs in the views' order.
  Status Finish(std::vector<artifacts::OutputDescriptor>* outputs, const ProgressFn& progress) {
    int64_t done = 0;
    const auto total = static_cast<int64_t>(write_order_.size());
    // Every write writes what it holds back at once (as many at a time as there are slots), then
    // each commits.
    for (const auto& name : write_order_) writes_.at(name)->Close();
    for (const auto& name : write_order_) {
      auto& write = writes_.at(name);
      ARROW_ASSIGN_OR_RAISE(auto outcome, write->Finish());
      summary_->stage_seconds["writes"] += write->busy_seconds();
      if (output_names_.count(name)) {
        outputs->push_back({name, ctx_.out + "/" + name, outcome.delta_version, outcome.rows});
        summary_->rows_by_output[name] = outcome.rows;
      }
      if (progress) progress("write", ++done, total);
    }
    writes_.clear();
    return Status::OK();
  }

  ExtractionCounts Counts() const {
    ExtractionCounts out;
    for (const auto& name : extract::DatasetNames()) {
      auto it = counts_.find(name);
      out.rows.push_back({name, it == counts_.end() ? 0 : it->second});
    }
    out.errors = errors_.empty() ? nullptr : arrow::ConcatenateTables(errors_).ValueOr(nullptr);
    return out;
  }

  const std::map<std::string, std::string>& plan_fingerprints() const { return fingerprints_; }

 private:
  // Runs a view; its plan and view artifacts are recorded for its first batch, its execution
  // for every one.
  Result<ViewResult> Run(engine::Session& session, const cpg::CpgView& view,
                         const std::function<void()>& release_inputs = {}) {
    const double t = core::MonotonicMs();
    const bool first = !fingerprints_.count(view.name);
    ARROW_ASSIGN_OR_RAISE(auto result, RunView(session, view, ctx_, first, release_inputs));
    fingerprints_[view.name] = result.plan_fingerprint;
    summary_->stage_seconds["views"] += (core::MonotonicMs() - t) / 1000.0;
    return result;
  }

  // Runs views that read none of each other's results at once: each but the last on a thread
  // of its own, the last on this one (one after another with `--jobs 1`). The main thread,
  // which runs a batch's views, bounds the build from below however many cores there are.
  // Results in the views' order; the caller writes them in that order.
  Result<std::vector<ViewResult>> RunAtOnce(engine::Session& session,
                                            const std::vector<cpg::CpgView>& views) {
    const double t = core::MonotonicMs();
    std::vector<std::future<Result<ViewResult>>> runs;
    for (const auto& view : views) {
      const bool first = !fingerprints_.count(view.name);
      runs.push_back(std::async(&view == &views.back() ? std::launch::deferred : AsyncWhenCores(),
                                [&, first] { return RunView(session, view, ctx_, first); }));
    }
    std::vector<Result<ViewResult>> done;
    for (auto& run : runs) done.push_back(run.get());  // every thread joined before returning
    std::vector<ViewResult> out;
    for (auto& result : done) {
      ARROW_ASSIGN_OR_RAISE(auto r, std::move(result));
      fingerprints_[r.name] = r.plan_fingerprint;
      out.push_back(std::move(r));
    }
    summary_->stage_seconds["views"] += (core::MonotonicMs() - t) / 1000.0;
    return out;
  }

  // Hands `chunk` to the write of `name`, started (with `request()`) on its first chunk. Empty
  // chunks after the first add nothing.
  template <typename MakeRequest>
  Status Write(const std::string& name, const std::shared_ptr<arrow::Table>& chunk,
               MakeRequest&& request) {
    auto it = writes_.find(name);
    if (it == writes_.end()) {
      it = writes_
               .emplace(name, std::make_unique<StreamedWrite>(ctx_.writer,
                                                              ReplacingTable(request()), &slots_))
               .first;
      write_order_.push_back(name);
    } else if (chunk->num_rows() == 0) {
      return Status::OK();
    }
    return it->second->Add(chunk);
  }

  Status WriteView(const ViewResult& result) {
    output_names_.insert(result.name);
    return Write(result.name, result.table, [&] { return OutputWrite(ctx_, result); });
  }

  // Runs nodes, edges and props (at once); returns the edges.
  Result<std::shared_ptr<arrow::Table>> RunBaseViews(engine::Session& session) {
    ARROW_ASSIGN_OR_RAISE(auto views, cpg::BuildBaseViews(session));
    ARROW_ASSIGN_OR_RAISE(auto results, RunAtOnce(session, views));
    views.clear();  // the plans hold the tables their sources read
    std::shared_ptr<arrow::Table> edges;
    for (const auto& result : results) {
      if (result.name == "cpg_edges") {
        ARROW_RETURN_NOT_OK(AddCounts(*result.table, "edge_kind"));
        edges = result.table;
      }
      if (result.name == "cpg_nodes") ARROW_RETURN_NOT_OK(AddCounts(*result.table, "node_kind"));
      session.DropView(result.name);
      // Derived views read the base results (but nodes) through the one ingest surface.
      if (result.name != "cpg_nodes") {
        ARROW_RETURN_NOT_OK(session.Ingest(result.name, result.table));
      }
      ARROW_RETURN_NOT_OK(WriteView(result));
    }
    return edges;
  }

  // props_map and by_src (at once) over the session's props and edges; then by_dst over the
  // edges `into_edges()` gives.
  template <typename IntoEdges>
  Status RunDerivedViews(engine::Session& session, IntoEdges&& into_edges) {
    std::vector<cpg::CpgView> views;
    for (const char* name : {"cpg_props_map", "cpg_edges_by_src"}) {
      ARROW_ASSIGN_OR_RAISE(auto view, cpg::BuildDerivedView(session, name));
      views.push_back(std::move(view));
    }
    ARROW_ASSIGN_OR_RAISE(auto results, RunAtOnce(session, views));
    views.clear();
    for (const auto& result : results) ARROW_RETURN_NOT_OK(WriteView(result));
    results.clear();
    session.DropTable("cpg_props");
    session.DropTable("cpg_edges");
    ARROW_ASSIGN_OR_RAISE(auto edges, into_edges());
    ARROW_RETURN_NOT_OK(session.Ingest("cpg_edges", std::move(edges)));
    ARROW_ASSIGN_OR_RAISE(auto by_dst, cpg::BuildDerivedView(session, "cpg_edges_by_dst"));
    // Once read, the edges are let go: the sort frees them column by column as it copies them
    // (in the last batch, they are every batch's edges into qualified names).
    ARROW_ASSIGN_OR_RAISE(auto result, Run(session, by_dst, [&] {
                            session.DropTable("cpg_edges");
                            session.DropView(by_dst.name);
                            by_dst.plan = {};
                          }));
    return WriteView(result);
  }

  // (edges whose destination only this batch's edges point at, the others).
  Result<std::pair<std::shared_ptr<arrow::Table>, std::shared_ptr<arrow::Table>>> SplitEdges(
      const std::shared_ptr<arrow::Table>& edges) {
    namespace cp = arrow::compute;
    ARROW_ASSIGN_OR_RAISE(auto no_file,
                          cp::CallFunction("is_null", {edges->GetColumnByName("dst_file_id")}));
    ARROW_ASSIGN_OR_RAISE(auto called,
                          cp::IsIn(edges->GetColumnByName("dst_node_id"),
                                   cp::SetLookupOptions(called_from_other_files_, true)));
    ARROW_ASSIGN_OR_RAISE(auto later, cp::CallFunction("or", {no_file, called}));
    ARROW_ASSIGN_OR_RAISE(auto now, cp::CallFunction("invert", {later}));
    ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(edges, later));
    ARROW_ASSIGN_OR_RAISE(auto done, cp::Filter(edges, now));
    return std::make_pair(done.table(), kept.table());
  }

  // The qualified names of every batch, as the view over all of them gives them: each name
  // once, its uses summed, in name order.
  Result<std::shared_ptr<arrow::Table>> MergeQualifiedNames() {
    ARROW_ASSIGN_OR_RAISE(auto parts, arrow::ConcatenateTables(qname_parts_));
    ARROW_ASSIGN_OR_RAISE(auto session, engine::Session::Make(session_options_));
    ARROW_RETURN_NOT_OK(session->Ingest("qualified_name_parts", parts));
    auto merge = engine::PlanBuilder::Scan(*session, "qualified_name_parts");
    merge.Aggregate({{"sum", "uses", "uses"}}, {"qualified_name"});
    merge.OrderBy({{"qualified_name"}});
    ARROW_ASSIGN_OR_RAISE(auto plan, merge.Build());
    auto merged = engine::Execute(plan);
    if (merged.status != "ok") return Status::ExecutionError("qualified names: ", merged.error);
    return merged.table;
  }

  Status AddCounts(const arrow::Table& table, const std::string& column) {
    ARROW_ASSIGN_OR_RAISE(auto counts, cpg::CountByKind(table, column));
    auto& into = column == "edge_kind" ? summary_->edges_by_kind : summary_->nodes_by_kind;
    for (const auto& [kind, n] : counts) into[kind] += n;
    return Status::OK();
  }

  const RunContext& ctx_;
  const engine::SessionOptions session_options_;
  BuildSummary* summary_;
  WriteSlots slots_;
  std::map<std::string, std::unique_ptr<StreamedWrite>> writes_;
  std::vector<std::string> write_order_;
  std::set<std::string> output_names_;  // the CPG outputs among the writes (run manifest)
  std::map<std::string, std::string> fingerprints_;
  std::shared_ptr<arrow::Array> called_from_other_files_;
  std::vector<std::shared_ptr<arrow::Table>> qname_parts_, errors_;
  Spill kept_edges_;
  std::map<std::string, int64_t> counts_;
};

}  // namespace

Result<BuildSummary> RunBuild(const BuildOptions& options, const ProgressFn& progress) {
  const double start = core::MonotonicMs();
  auto report = [&](const std::string& stage, int64_t done, int64_t total) {
    if (progress) progress(stage, done, total);
  };
  std::error_code ec;
  if (!fs::is_directory(options.repo, ec)) {
    return Status::IOError("repository '", options.repo, "' is not a folder");
  }
  fs::create_directories(options.out, ec);
  if (ec) return Status::IOError("cannot create output folder '", options.out, "': ", ec.message());
  const std::string out = fs::absolute(options.out).lexically_normal().string();

  BuildSummary summary;
  summary.run_id = options.run_id.empty() ? NewRunId() : options.run_id;
  summary.out = out;

  // 1. Parse every file and resolve across them.
  auto extract_options = ExtractOptionsOf(options);
  ARROW_ASSIGN_OR_RAISE(auto scan,
                        extract::ScanRepository({options.repo, options.include, options.exclude}));
  report("parse", 0, static_cast<int64_t>(scan.files.size()));
  extract_options.on_parsed = [&](int64_t done, int64_t total) { report("parse", done, total); };
  ARROW_ASSIGN_OR_RAISE(auto extraction, extract::BatchedExtraction::Make(scan, extract_options));
  scan = {};
  summary.stage_seconds["extract"] = (core::MonotonicMs() - start) / 1000.0;

  artifacts::ArtifactStore store(out + "/artifacts");
  artifacts::ArtifactBatch batch(&store);  // the run's artifact rows, one commit per table
  engine::WritePipeline writer(&store, options.profile);
  const RunContext ctx{out,    summary.run_id, options.profile, RuntimeHash(options.profile),
                       &store, &writer};
  engine::SessionOptions session_options;
  session_options.profile_name = options.profile;

  // 2. Batch by batch: the extraction tables (kept for incremental builds) and the CPG views
  // over them are written chunk by chunk (StreamedWrite: each table is one commit at the end)
  // while the next batch runs. What a build holds is then the parsed files plus a batch.
  const double views_start = core::MonotonicMs();
  std::vector<artifacts::OutputDescriptor> outputs;
  ExtractionCounts counts;
  std::map<std::string, std::string> plan_fingerprints;
  {
    BatchedBuild build(ctx, session_options, &summary);
    ARROW_RETURN_NOT_OK(build.SetCalledFromOtherFiles(extraction->called_from_other_files()));
    int64_t files_done = 0;
    // The next batch's tables are built on another thread while this batch's views run: the
    // main thread's work bounds the build from below however many cores there are. With
    // `--jobs 1`, on this thread when they are needed.
    auto take_next = [&] {
      return std::async(AsyncWhenCores(), [&] { return extraction->Next(options.batch_bytes); });
    };
    auto pending = take_next();
    while (true) {
      const double t = core::MonotonicMs();
      ARROW_ASSIGN_OR_RAISE(auto next, pending.get());
      if (!next) break;
      pending = take_next();
      summary.stage_seconds["extract"] += (core::MonotonicMs() - t) / 1000.0;
      const arrow::Table& files = *next->files;
      summary.files += files.num_rows();
      summary.lines += SumInt64(files, "line_count");
      if (auto is_python = files.GetColumnByName("is_python")) {
        for (const auto& chunk : is_python->chunks()) {
          summary.python_files += static_cast<const arrow::BooleanArray&>(*chunk).true_count();
        }
      }
      summary.errors += next->errors->num_rows();
      summary.diagnostics += next->diagnostics->num_rows();
      ARROW_RETURN_NOT_OK(build.RunBatch(*next));
      files_done += files.num_rows();
      report("views", files_done, extraction->num_files());
    }
    extraction.reset();
    ARROW_RETURN_NOT_OK(build.RunRest());
    ARROW_RETURN_NOT_OK(build.Finish(&outputs, progress));
    counts = build.Counts();
    plan_fingerprints = build.plan_fingerprints();
  }
  summary.stage_seconds["views_and_writes"] = (core::MonotonicMs() - views_start) / 1000.0;

  // 3. Close the run.
  ARROW_RETURN_NOT_OK(CloseRun(ctx, counts, plan_fingerprints, outputs));
  ARROW_RETURN_NOT_OK(batch.Flush());

  summary.seconds = (core::MonotonicMs() - start) / 1000.0;
  return summary;
}

}  // namespace anatomy::pipeline
