#include "anatomy/pipeline/build.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <filesystem>
#include <mutex>
#include <random>

#include "anatomy/artifacts/rows.h"
#include "anatomy/artifacts/store.h"
#include "anatomy/core/clock.h"
#include "anatomy/core/hash.h"
#include "anatomy/cpg/kinds.h"
#include "anatomy/cpg/nest.h"
#include "anatomy/cpg/views.h"
#include "anatomy/engine/execute.h"
#include "anatomy/engine/plan_bundle.h"
#include "anatomy/engine/session.h"
#include "anatomy/engine/write_pipeline.h"
#include "anatomy/extract/extract.h"
#include "anatomy/pipeline/views.h"
#include "anatomy/pipeline/write_queue.h"
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
  req.lineage_columns = {"file_id", "path"};
  req.commit_metadata = ctx.CommitMetadata("extract");
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

  // 1. Extract.
  report("extract", 0, 1);
  ARROW_ASSIGN_OR_RAISE(auto extraction, extract::ExtractRepository(ExtractOptionsOf(options)));
  summary.files = extraction.files->num_rows();
  summary.lines = SumInt64(*extraction.files, "line_count");
  if (auto is_python = extraction.files->GetColumnByName("is_python")) {
    auto n = arrow::compute::Sum(is_python);
    if (n.ok() && n->scalar()->is_valid) {
      auto as_int = n->scalar()->CastTo(arrow::int64());
      if (as_int.ok())
        summary.python_files = std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value;
    }
  }
  summary.errors = extraction.errors->num_rows();
  summary.diagnostics = extraction.diagnostics->num_rows();
  report("extract", 1, 1);
  summary.stage_seconds["extract"] = (core::MonotonicMs() - start) / 1000.0;

  // 2. Ingest through the one surface.
  engine::SessionOptions session_options;
  session_options.profile_name = options.profile;
  ARROW_ASSIGN_OR_RAISE(auto session, engine::Session::Make(session_options));
  ARROW_RETURN_NOT_OK(IngestExtraction(*session, extraction.Tables()));

  artifacts::ArtifactStore store(out + "/artifacts");
  artifacts::ArtifactBatch batch(&store);  // the run's artifact rows, one commit per table
  engine::WritePipeline writer(&store, options.profile);
  const RunContext ctx{out,    summary.run_id, options.profile, RuntimeHash(options.profile),
                       &store, &writer};

  // 3. Extraction tables, kept for incremental builds, and 4. the CPG views. Writes run on
  // two threads of their own while the next view executes (WriteQueue); each stage's seconds
  // are its own work (summed over threads), and views_and_writes is the wall time of both.
  std::mutex done_mu;  // what the write threads record
  auto add_seconds = [&](const std::string& stage, double since_ms) {
    std::lock_guard<std::mutex> lock(done_mu);
    summary.stage_seconds[stage] += (core::MonotonicMs() - since_ms) / 1000.0;
  };
  auto tables = extraction.Tables();
  int64_t written = 0;
  const int64_t total_writes = static_cast<int64_t>(tables.size()) + 6;
  auto wrote = [&] {
    std::lock_guard<std::mutex> lock(done_mu);
    report("write", ++written, total_writes);
  };
  std::map<std::string, std::string> plan_fingerprints;
  std::vector<artifacts::OutputDescriptor> outputs;  // in the views' order
  const double views_start = core::MonotonicMs();
  constexpr size_t kWriteThreads = 2, kPendingViewWrites = 2;
  WriteQueue writes(kWriteThreads);  // after everything its tasks use by reference
  for (const auto& [name, table] : tables) {
    writes.Submit(
        [&, name = name, table = table]() -> Status {
          const double t = core::MonotonicMs();
          ARROW_RETURN_NOT_OK(writer.Write(ExtractionWrite(ctx, name, table)).status());
          add_seconds("writes", t);
          wrote();
          return Status::OK();
        },
        tables.size());
  }
  // Runs one view, queues the write of its result and returns it, for later views to read.
  auto run_view = [&](const cpg::CpgView& view) -> Result<std::shared_ptr<arrow::Table>> {
    const double t = core::MonotonicMs();
    ARROW_ASSIGN_OR_RAISE(auto result, RunView(*session, view, ctx));
    plan_fingerprints[view.name] = result.plan_fingerprint;
    if (view.name == "cpg_edges") {
      ARROW_ASSIGN_OR_RAISE(summary.edges_by_kind, cpg::CountByKind(*result.table, "edge_kind"));
    }
    if (view.name == "cpg_nodes") {
      ARROW_ASSIGN_OR_RAISE(summary.nodes_by_kind, cpg::CountByKind(*result.table, "node_kind"));
    }
    add_seconds("views", t);
    if (view.name == cpg::kQualifiedNamesView) return result.table;  // an input, not an output
    size_t slot = 0;
    {
      std::lock_guard<std::mutex> lock(done_mu);  // write threads fill earlier slots
      slot = outputs.size();
      outputs.emplace_back();
    }
    writes.Submit(
        [&, result, slot]() -> Status {
          const double t = core::MonotonicMs();
          auto req = OutputWrite(ctx, result);
          ARROW_ASSIGN_OR_RAISE(auto outcome, writer.Write(req));
          {
            std::lock_guard<std::mutex> lock(done_mu);
            outputs[slot] = {result.name, req.table_uri, outcome.delta_version, outcome.rows};
            summary.rows_by_output[result.name] = outcome.rows;
          }
          add_seconds("writes", t);
          wrote();
          return Status::OK();
        },
        kPendingViewWrites);
    return result.table;
  };
  // Each input is dropped (from the session, the plans and here) once the last view reading
  // it has run, and each result once written: peak memory stays near the largest view's.
  const ExtractionCounts counts = CountExtraction(tables);
  {
    ARROW_ASSIGN_OR_RAISE(auto qnames_view, cpg::BuildQualifiedNamesView(*session));
    ARROW_ASSIGN_OR_RAISE(auto qnames, run_view(qnames_view));
    session->DropView(qnames_view.name);
    ARROW_RETURN_NOT_OK(session->Ingest(qnames_view.name, qnames));
    ARROW_ASSIGN_OR_RAISE(auto base_views, cpg::BuildBaseViews(*session));
    for (auto& view : base_views) {
      ARROW_ASSIGN_OR_RAISE(auto table, run_view(view));
      view.plan = {};
      session->DropView(view.name);
      // Derived views read the base results (but nodes) through the one ingest surface.
      if (view.name != "cpg_nodes") ARROW_RETURN_NOT_OK(session->Ingest(view.name, table));
    }
  }
  for (const auto& [name, table] : tables) session->DropTable(cpg::ExtractTableName(name));
  session->DropTable(cpg::kQualifiedNamesView);
  tables.clear();
  extraction = {};
  ARROW_ASSIGN_OR_RAISE(auto derived_views, cpg::BuildDerivedViews(*session));
  for (auto& view : derived_views) {
    ARROW_RETURN_NOT_OK(run_view(view).status());
    view.plan = {};
    session->DropView(view.name);
    if (view.name == "cpg_props_map") session->DropTable("cpg_props");
  }
  session->DropTable("cpg_edges");
  ARROW_RETURN_NOT_OK(writes.Wait());
  summary.stage_seconds["views_and_writes"] = (core::MonotonicMs() - views_start) / 1000.0;

  // 5. Close the run.
  ARROW_RETURN_NOT_OK(CloseRun(ctx, counts, plan_fingerprints, outputs));
  ARROW_RETURN_NOT_OK(batch.Flush());

  summary.seconds = (core::MonotonicMs() - start) / 1000.0;
  return summary;
}

}  // namespace anatomy::pipeline
