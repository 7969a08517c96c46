#pragma once

#include <map>
#include <string>
#include <vector>

#include "anatomy/artifacts/delta_payloads.h"
#include "anatomy/artifacts/engine_payloads.h"
#include "anatomy/artifacts/rows.h"
#include "anatomy/core/status.h"
#include "anatomy/engine/plan.h"

namespace anatomy::engine {

class Session;

/// \brief A compiled plan: the plan and everything that identifies it (CONTRACTS.md "Hashes").
/// Two compilations of the same plan over the same inputs with the same settings give equal
/// bundles, in any process on any machine.
struct PlanBundle {
  std::string view_name;
  LogicalPlan plan;
  artifacts::PlanTreePayload tree;
  std::string logical_text;
  std::string physical_text;
  std::map<std::string, std::string> settings;
  std::string settings_hash;
  artifacts::PlanningEnvPayload planning_env;
  std::string planning_env_hash;
  artifacts::InformationSchemaPayload information_schema;
  std::string information_schema_hash;
  std::string function_registry_hash;
  std::vector<artifacts::DeltaInputPin> delta_inputs;  // sorted by dataset_name
  std::vector<artifacts::ScanUnitPayload> scan_units;  // sorted by key
  std::vector<std::string> scan_keys;
  std::string plan_fingerprint;
  std::string plan_identity_hash;
  artifacts::PlanDetailsPayload details;
};

/// \brief Compile a built plan of `session` into a bundle.
Result<PlanBundle> CompilePlan(const Session& session, const std::string& view_name,
                               const LogicalPlan& plan);

/// \brief sha256 of the sorted names of every compute function available (anatomy's included).
const std::string& FunctionRegistryHash();

/// \brief The plan_artifacts_v8 row of a compilation (event_kind "plan").
artifacts::PlanArtifactRow PlanArtifact(const PlanBundle& bundle, const std::string& profile_name);

/// \brief One delta_scan_plans_v2 row per Delta scan of the plan.
std::vector<artifacts::DeltaScanPlanRow> ScanPlanArtifacts(const PlanBundle& bundle);

struct ExecutionResult;

/// \brief The plan_artifacts_v8 row of an execution (event_kind "execution"), ok or failed.
artifacts::PlanArtifactRow ExecutionArtifact(const PlanBundle& bundle,
                                             const std::string& profile_name,
                                             const ExecutionResult& result);

/// \brief The view_artifacts_v4 row of a view registered with this plan. `runtime_hash` names
/// the runtime (profile and versions) the view's task runs under.
artifacts::ViewArtifactRow ViewArtifact(const PlanBundle& bundle, const std::string& runtime_hash);

}  // namespace anatomy::engine
