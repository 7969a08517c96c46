#include "anatomy/engine/plan_bundle.h"

#include <arrow/compute/registry.h>
#include <arrow/config.h>

#include <algorithm>
#include <sstream>

#include "anatomy/artifacts/registry.h"
#include "anatomy/core/clock.h"
#include "anatomy/core/hash.h"
#include "anatomy/delta/protocol.h"
#include "anatomy/engine/execute.h"
#include "anatomy/engine/functions.h"
#include "anatomy/engine/schema_abi.h"
#include "anatomy/engine/session.h"
#include "anatomy/serde/json_codec.h"
#include "anatomy/serde/msgpack_codec.h"

namespace anatomy::engine {

namespace {

using serde::Fingerprint;

std::vector<artifacts::ExplainRow> ExplainRows(const std::string& type, const std::string& text) {
  std::vector<artifacts::ExplainRow> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) rows.push_back({type, line});
  return rows;
}

Result<artifacts::InformationSchemaPayload> InformationSchemaOf(const Session& session,
                                                                const LogicalPlan& plan) {
  artifacts::InformationSchemaPayload info;
  std::map<std::string, artifacts::InformationSchemaTable> delta_tables;
  for (const auto& scan : plan.delta_scans) delta_tables[scan.table.table_name] = scan.table;
  for (const auto& name : plan.lineage.referenced_tables) {
    if (auto it = delta_tables.find(name); it != delta_tables.end()) {
      info.tables.push_back(it->second);
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto table, session.Table(name));
    artifacts::InformationSchemaTable t{name, "memory", table->generation, {}};
    for (const auto& f : table->schema->fields()) {
      t.columns.push_back({f->name(), f->type()->ToString(), f->nullable()});
    }
    info.tables.push_back(std::move(t));
  }
  return info;
}

artifacts::DeltaProtocolSupport DeltaSupport() {
  return {delta::kMaxReaderVersion, delta::kMaxWriterVersion, delta::SupportedReaderFeatures(),
          delta::SupportedWriterFeatures()};
}

artifacts::PlanningEnvPayload PlanningEnv(const std::map<std::string, std::string>& settings) {
  artifacts::PlanningEnvPayload env;
  env.anatomy_version = ANATOMY_VERSION;
  env.arrow_version = arrow::GetBuildInfo().version_string;
  env.settings = settings;
  env.delta_protocol_support = DeltaSupport();
  return env;
}

}  // namespace

const std::string& FunctionRegistryHash() {
  static const std::string kHash = [] {
    // Our own functions are part of the registry every plan sees.
    (void)RegisterAnatomyFunctions();
    auto names = arrow::compute::GetFunctionRegistry()->GetFunctionNames();
    std::sort(names.begin(), names.end());
    return Fingerprint(names);
  }();
  return kHash;
}

Result<PlanBundle> CompilePlan(const Session& session, const std::string& view_name,
                               const LogicalPlan& plan) {
  PlanBundle b;
  b.view_name = view_name;
  b.plan = plan;
  b.tree.nodes = plan.nodes;
  b.logical_text = plan.LogicalText();
  ARROW_ASSIGN_OR_RAISE(b.physical_text, plan.PhysicalText());
  b.settings = session.options().Settings();
  b.settings_hash = Fingerprint(b.settings);
  b.planning_env = PlanningEnv(b.settings);
  b.planning_env_hash = Fingerprint(b.planning_env);
  ARROW_ASSIGN_OR_RAISE(b.information_schema, InformationSchemaOf(session, plan));
  b.information_schema_hash = Fingerprint(b.information_schema);
  b.function_registry_hash = FunctionRegistryHash();
  std::map<std::string, artifacts::DeltaInputPin> pins;
  for (const auto& scan : plan.delta_scans) {
    pins.emplace(scan.pin.dataset_name, scan.pin);
    b.scan_units.push_back(scan.unit);
  }
  for (auto& [_, pin] : pins) b.delta_inputs.push_back(pin);
  std::sort(b.scan_units.begin(), b.scan_units.end(),
            [](const auto& x, const auto& y) { return x.key < y.key; });
  for (const auto& unit : b.scan_units) b.scan_keys.push_back(unit.key);

  const artifacts::PlanFingerprintInputs fingerprint_inputs{Fingerprint(b.tree),
                                                            b.settings_hash,
                                                            b.planning_env_hash,
                                                            b.information_schema_hash,
                                                            b.function_registry_hash,
                                                            plan.required_functions,
                                                            b.delta_inputs};
  b.plan_fingerprint = Fingerprint(fingerprint_inputs);

  artifacts::PlanIdentityPayload identity;
  identity.plan_fingerprint = b.plan_fingerprint;
  identity.function_registry_hash = b.function_registry_hash;
  identity.required_functions = plan.required_functions;
  identity.settings.assign(b.settings.begin(), b.settings.end());
  identity.planning_env_hash = b.planning_env_hash;
  identity.information_schema_hash = b.information_schema_hash;
  identity.delta_inputs = b.delta_inputs;
  identity.scan_units = b.scan_units;
  identity.scan_keys = b.scan_keys;
  b.plan_identity_hash = core::Sha256Hex(serde::EncodeJson(identity));

  auto& d = b.details;
  d.logical_plan = b.logical_text;
  d.physical_plan = b.physical_text;
  for (const auto& n : plan.nodes) {
    if (n.kind != "scan") continue;
    ARROW_ASSIGN_OR_RAISE(auto table, session.Table(n.dataset));
    d.partition_count += static_cast<int32_t>(table->batches.size());
  }
  for (int i = 0; i < plan.output_schema->num_fields(); ++i) {
    const auto& f = plan.output_schema->field(i);
    d.schema_names.push_back(f->name());
    artifacts::ViewSchemaDescribe describe{f->name(), f->type()->ToString(), f->nullable(), {}};
    if (static_cast<size_t>(i) < plan.output_origins.size() && !plan.output_origins[i].empty()) {
      std::string source;
      for (const auto& [table, column] : plan.output_origins[i]) {
        source += (source.empty() ? "" : ",") + table + "." + column;
      }
      describe.source = source;
    }
    d.schema_describe.push_back(std::move(describe));
  }
  d.delta_inputs_hash = Fingerprint(b.delta_inputs);
  d.scan_units_hash = Fingerprint(b.scan_units);
  d.settings_hash = b.settings_hash;
  d.plan_identity_hash = b.plan_identity_hash;
  d.determinism_audit = {b.plan_fingerprint,        b.planning_env_hash,
                         b.information_schema_hash, b.settings_hash,
                         b.function_registry_hash,  artifacts::SchemaContractHash()};
  return b;
}

artifacts::PlanArtifactRow PlanArtifact(const PlanBundle& b, const std::string& profile_name) {
  using serde::Bytes;
  using serde::EncodeMsgpack;
  artifacts::PlanArtifactRow row;
  row.event_time_unix_ms = core::DefaultClock().NowUnixMs();
  row.profile_name = profile_name;
  row.event_kind = artifacts::PlanEventKind::kPlan;
  row.view_name = b.view_name;
  row.plan_fingerprint = b.plan_fingerprint;
  row.plan_identity_hash = b.plan_identity_hash;
  row.function_registry_hash = b.function_registry_hash;
  row.required_functions = b.plan.required_functions;
  row.delta_inputs_msgpack = Bytes{EncodeMsgpack(b.delta_inputs)};
  row.engine_settings = b.settings;
  row.planning_env_msgpack = Bytes{EncodeMsgpack(b.planning_env)};
  row.planning_env_hash = b.planning_env_hash;
  row.information_schema_msgpack = Bytes{EncodeMsgpack(b.information_schema)};
  row.information_schema_hash = b.information_schema_hash;
  row.logical_plan_msgpack = Bytes{EncodeMsgpack(b.tree)};
  auto explain = ExplainRows("logical", b.logical_text);
  auto physical = ExplainRows("physical", b.physical_text);
  explain.insert(explain.end(), physical.begin(), physical.end());
  row.explain_rows_msgpack = Bytes{EncodeMsgpack(explain)};
  row.lineage_msgpack = Bytes{EncodeMsgpack(b.plan.lineage)};
  row.scan_units_msgpack = Bytes{EncodeMsgpack(b.scan_units)};
  row.scan_keys = b.scan_keys;
  row.plan_details_msgpack = Bytes{EncodeMsgpack(b.details)};
  return row;
}

artifacts::PlanArtifactRow ExecutionArtifact(const PlanBundle& bundle,
                                             const std::string& profile_name,
                                             const ExecutionResult& result) {
  auto row = PlanArtifact(bundle, profile_name);
  row.event_kind = artifacts::PlanEventKind::kExecution;
  row.execution_duration_ms = result.duration_ms;
  row.execution_status =
      result.status == "ok" ? artifacts::ExecutionStatus::kOk : artifacts::ExecutionStatus::kError;
  if (!result.error.empty()) row.execution_error = result.error;
  row.explain_analyze_duration_ms = result.duration_ms;
  row.explain_analyze_output_rows = result.output_rows;
  auto details = bundle.details;
  details.explain_analyze = "status=" + result.status +
                            " output_rows=" + std::to_string(result.output_rows) +
                            " duration_ms=" + std::to_string(result.duration_ms);
  row.plan_details_msgpack = serde::Bytes{serde::EncodeMsgpack(details)};
  return row;
}

std::vector<artifacts::DeltaScanPlanRow> ScanPlanArtifacts(const PlanBundle& b) {
  std::vector<artifacts::DeltaScanPlanRow> rows;
  const int64_t now = core::DefaultClock().NowUnixMs();
  for (const auto& scan : b.plan.delta_scans) {
    const auto& u = scan.unit;
    artifacts::DeltaScanPlanRow row;
    row.event_time_unix_ms = now;
    row.dataset_name = u.dataset_name;
    row.table_uri = scan.table_uri;
    row.delta_version = u.delta_version;
    row.snapshot_timestamp = u.snapshot_timestamp;
    row.total_files = u.total_files;
    row.candidate_files = u.candidate_file_count;
    row.pruned_files = u.pruned_file_count;
    row.pushed_filters = u.pushed_filters;
    row.projected_columns = u.projected_columns;
    if (u.delta_protocol)
      row.delta_protocol_msgpack = serde::Bytes{serde::EncodeMsgpack(*u.delta_protocol)};
    if (u.delta_feature_gate) {
      row.delta_feature_gate_msgpack = serde::Bytes{serde::EncodeMsgpack(*u.delta_feature_gate)};
    }
    row.storage_options_hash = u.storage_options_hash;
    rows.push_back(std::move(row));
  }
  return rows;
}

artifacts::ViewArtifactRow ViewArtifact(const PlanBundle& b, const std::string& runtime_hash) {
  using serde::Bytes;
  using serde::EncodeMsgpack;
  artifacts::ViewArtifactRow row;
  row.event_time_unix_ms = core::DefaultClock().NowUnixMs();
  row.name = b.view_name;
  row.plan_fingerprint = b.plan_fingerprint;
  artifacts::PlanTaskSignatureInputs sig{runtime_hash,
                                         b.plan_fingerprint,
                                         b.settings_hash,
                                         b.planning_env_hash,
                                         b.information_schema_hash,
                                         b.function_registry_hash,
                                         b.plan.required_functions,
                                         {}};
  for (const auto& pin : b.delta_inputs)
    sig.delta_inputs.push_back({pin.dataset_name, pin.version, pin.timestamp});
  row.plan_task_signature = Fingerprint(sig);
  const auto abi = SchemaAbiOf(*b.plan.output_schema);
  row.schema_fingerprint = Fingerprint(abi);
  row.schema_msgpack = Bytes{EncodeMsgpack(abi)};
  row.schema_describe_msgpack = Bytes{EncodeMsgpack(b.details.schema_describe)};
  artifacts::ViewSchemaProvenance provenance{"plan_builder", row.schema_fingerprint, abi.metadata,
                                             false};
  row.schema_provenance_msgpack = Bytes{EncodeMsgpack(provenance)};
  row.required_functions = b.plan.required_functions;
  row.referenced_tables = b.plan.lineage.referenced_tables;
  return row;
}

}  // namespace anatomy::engine
