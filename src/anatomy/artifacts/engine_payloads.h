#pragma once

// Plan and view payloads of CONTRACTS.md: lineage, scan units, plan details, view schemas.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "anatomy/artifacts/delta_payloads.h"
#include "anatomy/serde/struct.h"

namespace anatomy::artifacts {

/// \brief A (table, column) reference, encoded as a two-item array.
using ColumnRef = std::pair<std::string, std::string>;

/// \brief One scan of a plan as the plan builder recorded it.
struct LineageScan {
  std::string dataset_name{};
  std::vector<std::string> projected_columns{};
  std::vector<std::string> pushed_filters{};
  bool operator==(const LineageScan&) const = default;
};
ANATOMY_STRUCT(LineageScan, "LineageScan", kStrict, ANATOMY_REQUIRED(dataset_name),
               ANATOMY_FIELD(projected_columns), ANATOMY_FIELD(pushed_filters));

struct LineageJoin {
  std::string join_type{};
  std::vector<std::string> left_keys{};
  std::vector<std::string> right_keys{};
  bool operator==(const LineageJoin&) const = default;
};
ANATOMY_STRUCT(LineageJoin, "LineageJoin", kStrict, ANATOMY_REQUIRED(join_type),
               ANATOMY_FIELD(left_keys), ANATOMY_FIELD(right_keys));

/// \brief One expression of a plan node (kind: filter, project, aggregate, join, order_by, ...).
struct LineageExpr {
  std::string kind{};
  std::vector<ColumnRef> referenced_columns{};
  std::vector<std::string> referenced_functions{};
  std::string text{};
  bool operator==(const LineageExpr&) const = default;
};
ANATOMY_STRUCT(LineageExpr, "LineageExpr", kStrict, ANATOMY_REQUIRED(kind),
               ANATOMY_FIELD(referenced_columns), ANATOMY_FIELD(referenced_functions),
               ANATOMY_FIELD(text));

/// \brief What a plan reads and computes, recorded while the plan is built.
struct LineagePayload {
  std::vector<LineageScan> scans{};
  std::vector<LineageJoin> joins{};
  std::vector<LineageExpr> exprs{};
  std::map<std::string, std::vector<std::string>> required_columns_by_dataset{};
  std::vector<std::string> filters{};
  std::vector<std::string> aggregations{};
  std::vector<std::string> referenced_tables{};
  std::vector<ColumnRef> all_required_columns{};
  bool operator==(const LineagePayload&) const = default;
};
ANATOMY_STRUCT(LineagePayload, "LineagePayload", kStrict, ANATOMY_FIELD(scans),
               ANATOMY_FIELD(joins), ANATOMY_FIELD(exprs),
               ANATOMY_FIELD(required_columns_by_dataset), ANATOMY_FIELD(filters),
               ANATOMY_FIELD(aggregations), ANATOMY_FIELD(referenced_tables),
               ANATOMY_FIELD(all_required_columns));

/// \brief One Delta scan of a plan: the pinned snapshot, its protocol and the file pruning.
struct ScanUnitPayload {
  std::string key{};
  std::string dataset_name{};
  std::optional<int64_t> delta_version{};
  std::optional<std::string> delta_timestamp{};
  std::optional<int64_t> snapshot_timestamp{};
  std::optional<DeltaFeatureGate> delta_feature_gate{};
  std::optional<DeltaProtocolSnapshot> delta_protocol{};
  std::optional<std::string> storage_options_hash{};
  std::optional<bool> protocol_compatible{};
  std::optional<DeltaProtocolCompatibility> protocol_compatibility{};
  int64_t total_files = 0;
  int64_t candidate_file_count = 0;
  int64_t pruned_file_count = 0;
  std::vector<std::string> candidate_files{};
  std::vector<std::string> pushed_filters{};
  std::vector<std::string> projected_columns{};
  bool operator==(const ScanUnitPayload&) const = default;
};
ANATOMY_STRUCT(ScanUnitPayload, "ScanUnitPayload", kStrict, ANATOMY_REQUIRED(key),
               ANATOMY_REQUIRED(dataset_name), ANATOMY_FIELD(delta_version),
               ANATOMY_FIELD(delta_timestamp), ANATOMY_FIELD(snapshot_timestamp),
               ANATOMY_FIELD(delta_feature_gate), ANATOMY_FIELD(delta_protocol),
               ANATOMY_FIELD(storage_options_hash), ANATOMY_FIELD(protocol_compatible),
               ANATOMY_FIELD(protocol_compatibility), ANATOMY_REQUIRED(total_files),
               ANATOMY_REQUIRED(candidate_file_count), ANATOMY_REQUIRED(pruned_file_count),
               ANATOMY_FIELD(candidate_files), ANATOMY_FIELD(pushed_filters),
               ANATOMY_FIELD(projected_columns));

/// \brief One column of a view's schema as described to users.
struct ViewSchemaDescribe {
  std::string column_name{};
  std::string data_type{};
  bool nullable = true;
  std::optional<std::string> source{};
  bool operator==(const ViewSchemaDescribe&) const = default;
};
ANATOMY_STRUCT(ViewSchemaDescribe, "ViewSchemaDescribe", kStrict, ANATOMY_REQUIRED(column_name),
               ANATOMY_REQUIRED(data_type), ANATOMY_REQUIRED(nullable), ANATOMY_FIELD(source));

/// \brief Where a view's schema came from.
struct ViewSchemaProvenance {
  std::string source{};
  std::string schema_fingerprint{};
  std::map<std::string, std::string> schema_metadata{};
  bool explicit_schema = false;
  bool operator==(const ViewSchemaProvenance&) const = default;
};
ANATOMY_STRUCT(ViewSchemaProvenance, "ViewSchemaProvenance", kStrict, ANATOMY_REQUIRED(source),
               ANATOMY_REQUIRED(schema_fingerprint), ANATOMY_FIELD(schema_metadata),
               ANATOMY_FIELD(explicit_schema));

/// \brief One field of the schema ABI payload; `type` is Arrow's type string.
struct SchemaAbiField {
  std::string name{};
  std::string type{};
  bool nullable = true;
  std::map<std::string, std::string> metadata{};
  bool operator==(const SchemaAbiField&) const = default;
};
ANATOMY_STRUCT(SchemaAbiField, "SchemaAbiField", kStrict, ANATOMY_REQUIRED(name),
               ANATOMY_REQUIRED(type), ANATOMY_REQUIRED(nullable), ANATOMY_FIELD(metadata));

inline constexpr int32_t kSchemaAbiVersion = 1;

/// \brief A view's Arrow schema in a stable form; schema_fingerprint is sha256 of its msgpack.
struct SchemaAbiPayload {
  int32_t abi_version = kSchemaAbiVersion;
  std::vector<SchemaAbiField> fields{};
  std::map<std::string, std::string> metadata{};
  bool operator==(const SchemaAbiPayload&) const = default;
};
ANATOMY_STRUCT(SchemaAbiPayload, "SchemaAbiPayload", kStrict, ANATOMY_REQUIRED(abi_version),
               ANATOMY_FIELD(fields), ANATOMY_FIELD(metadata));

/// \brief The hashes that pin a plan's determinism.
struct DeterminismAudit {
  std::string plan_fingerprint{};
  std::string planning_env_hash{};
  std::string information_schema_hash{};
  std::string settings_hash{};
  std::string function_registry_hash{};
  std::string schema_contract_hash{};
  bool operator==(const DeterminismAudit&) const = default;
};
ANATOMY_STRUCT(DeterminismAudit, "DeterminismAudit", kStrict, ANATOMY_REQUIRED(plan_fingerprint),
               ANATOMY_REQUIRED(planning_env_hash), ANATOMY_REQUIRED(information_schema_hash),
               ANATOMY_REQUIRED(settings_hash), ANATOMY_REQUIRED(function_registry_hash),
               ANATOMY_REQUIRED(schema_contract_hash));

/// \brief Plan texts, schemas and hashes of one compiled plan.
struct PlanDetailsPayload {
  std::string logical_plan{};
  std::string physical_plan{};
  std::optional<std::string> explain_analyze{};
  int32_t partition_count = 0;
  std::vector<std::string> schema_names{};
  std::vector<ViewSchemaDescribe> schema_describe{};
  std::string delta_inputs_hash{};
  std::string scan_units_hash{};
  std::string settings_hash{};
  std::string plan_identity_hash{};
  DeterminismAudit determinism_audit{};
  bool operator==(const PlanDetailsPayload&) const = default;
};
ANATOMY_STRUCT(PlanDetailsPayload, "PlanDetailsPayload", kStrict, ANATOMY_REQUIRED(logical_plan),
               ANATOMY_REQUIRED(physical_plan), ANATOMY_FIELD(explain_analyze),
               ANATOMY_REQUIRED(partition_count), ANATOMY_FIELD(schema_names),
               ANATOMY_FIELD(schema_describe), ANATOMY_REQUIRED(delta_inputs_hash),
               ANATOMY_REQUIRED(scan_units_hash), ANATOMY_REQUIRED(settings_hash),
               ANATOMY_REQUIRED(plan_identity_hash), ANATOMY_REQUIRED(determinism_audit));

}  // namespace anatomy::artifacts
