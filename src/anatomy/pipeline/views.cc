#include "anatomy/pipeline/views.h"

#include <arrow/api.h>

#include "anatomy/artifacts/store.h"
#include "anatomy/core/hash.h"
#include "anatomy/cpg/kinds.h"
#include "anatomy/cpg/nest.h"
#include "anatomy/engine/execute.h"
#include "anatomy/engine/plan_bundle.h"
#include "anatomy/engine/session.h"
#include "anatomy/extract/schemas.h"

namespace anatomy::pipeline {

std::map<std::string, std::string> RunContext::CommitMetadata(const std::string& operation) const {
  return {{"run_id", run_id}, {"profile", profile}, {"operation", operation}};
}

std::string RuntimeHash(const std::string& profile) {
  return core::Sha256Hex(std::string(ANATOMY_VERSION) + "|" + profile);
}

Result<ViewResult> RunView(engine::Session& session, const cpg::CpgView& view,
                           const RunContext& ctx, bool record_plan,
                           const std::function<void()>& release_inputs) {
  ARROW_RETURN_NOT_OK(session.RegisterView(view.name, view.plan));
  ARROW_ASSIGN_OR_RAISE(auto bundle, engine::CompilePlan(session, view.name, view.plan));
  if (record_plan) {
    ARROW_RETURN_NOT_OK(ctx.store->Append(engine::PlanArtifact(bundle, ctx.profile)));
    ARROW_RETURN_NOT_OK(ctx.store->Append(engine::ViewArtifact(bundle, ctx.runtime_hash)));
  }
  engine::ExecuteOptions exec;
  exec.use_threads = !view.needs_ordered_execution;
  exec.sources_read = [&] {
    bundle.plan.declaration = {};  // it holds the tables the plan's sources read
    if (release_inputs) release_inputs();
  };
  auto result = engine::Execute(view.plan, exec);
  ARROW_RETURN_NOT_OK(ctx.store->Append(engine::ExecutionArtifact(bundle, ctx.profile, result)));
  if (result.status != "ok") return Status::ExecutionError("view ", view.name, ": ", result.error);
  if (view.nest) {
    ARROW_ASSIGN_OR_RAISE(result.table,
                          cpg::NestSortedRuns(*result.table, view.nest->keys, view.nest->values,
                                              view.nest->list_name));
    if (view.nest->cluster_unowned_by) {
      ARROW_ASSIGN_OR_RAISE(
          result.table, cpg::ClusterUnownedLists(*result.table, *view.nest->cluster_unowned_by,
                                                 view.nest->list_name, view.nest->source_column));
    }
  }
  ARROW_ASSIGN_OR_RAISE(result.table, cpg::WithContractNullability(view.name, result.table));
  if (view.name == "cpg_edges") ARROW_RETURN_NOT_OK(cpg::CheckEdges(*result.table));
  if (view.name == "cpg_nodes") ARROW_RETURN_NOT_OK(cpg::CheckNodes(*result.table));
  ViewResult out;
  out.name = view.name;
  out.partition_by = view.partition_by;
  out.cluster_by = view.cluster_by;
  out.nested = view.nest.has_value();
  out.plan_fingerprint = bundle.plan_fingerprint;
  out.plan_identity_hash = bundle.plan_identity_hash;
  out.table = result.table;
  return out;
}

Status IngestExtraction(
    engine::Session& session,
    const std::vector<std::pair<std::string, std::shared_ptr<arrow::Table>>>& tables) {
  for (const auto& [name, table] : tables) {
    ARROW_RETURN_NOT_OK(session.Ingest(cpg::ExtractTableName(name), table));
  }
  return Status::OK();
}

Result<std::map<std::string, std::string>> ViewFingerprints(const std::string& profile) {
  engine::SessionOptions options;
  options.profile_name = profile;
  ARROW_ASSIGN_OR_RAISE(auto session, engine::Session::Make(options));
  std::map<std::string, std::string> out;
  auto compile = [&](const cpg::CpgView& view) -> Status {
    ARROW_ASSIGN_OR_RAISE(auto bundle, engine::CompilePlan(*session, view.name, view.plan));
    out[view.name] = bundle.plan_fingerprint;
    // Later views read this one's result: an empty table of its schema stands in.
    ARROW_ASSIGN_OR_RAISE(auto empty, arrow::Table::MakeEmpty(view.plan.output_schema));
    return session->Ingest(view.name, empty);
  };
  for (const auto& name : extract::DatasetNames()) {
    ARROW_ASSIGN_OR_RAISE(auto empty, arrow::Table::MakeEmpty(extract::DatasetSchema(name)));
    ARROW_RETURN_NOT_OK(session->Ingest(cpg::ExtractTableName(name), empty));
  }
  ARROW_ASSIGN_OR_RAISE(auto qnames, cpg::BuildQualifiedNamesView(*session));
  ARROW_RETURN_NOT_OK(compile(qnames));
  ARROW_ASSIGN_OR_RAISE(auto base, cpg::BuildBaseViews(*session));
  for (const auto& view : base) ARROW_RETURN_NOT_OK(compile(view));
  ARROW_ASSIGN_OR_RAISE(auto derived, cpg::BuildDerivedViews(*session));
  for (const auto& view : derived) ARROW_RETURN_NOT_OK(compile(view));
  return out;
}

}  // namespace anatomy::pipeline
