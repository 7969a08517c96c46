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

/// \brief One node of the canonical plan tree. The tree is stored flattened in build order:
/// `inputs` index earlier nodes and the root is the last node. Fields a kind does not use stay
/// empty (and are omitted on the wire).
struct PlanTreeNode {
  std::string kind{};  // scan, filter, project, join, aggregate, order_by, union, limit
  std::string dataset{};
  std::vector<std::string> columns{};  // scan: projected; project: output names
  std::vector<std::string>
      exprs{};  // filter: predicate; project: expressions; scan: pushed filters
  std::string join_type{};
  std::vector<std::string> left_keys{};
  std::vector<std::string> right_keys{};
  std::vector<std::string> group_keys{};
  std::vector<std::string> aggregates{};  // "sum(x) AS total"
  std::vector<std::string> sort_keys{};   // "x ASC"
  int64_t limit = -1;
  int64_t offset = 0;
  std::vector<int32_t> inputs{};
  bool operator==(const PlanTreeNode&) const = default;
};
ANATOMY_STRUCT(PlanTreeNode, "PlanTreeNode", kStrict, ANATOMY_REQUIRED(kind),
               ANATOMY_FIELD(dataset), ANATOMY_FIELD(columns), ANATOMY_FIELD(exprs),
               ANATOMY_FIELD(join_type), ANATOMY_FIELD(left_keys), ANATOMY_FIELD(right_keys),
               ANATOMY_FIELD(group_keys), ANATOMY_FIELD(aggregates), ANATOMY_FIELD(sort_keys),
               ANATOMY_FIELD(limit), ANATOMY_FIELD(offset), ANATOMY_FIELD(inputs));

/// \brief The canonical plan tree (logical_plan_msgpack of plan_artifacts_v8).
struct PlanTreePayload {
  int32_t tree_version = 1;
  std::vector<PlanTreeNode> nodes{};
  bool operator==(const PlanTreePayload&) const = default;
};
ANATOMY_STRUCT(PlanTreePayload, "PlanTreePayload", kStrict, ANATOMY_REQUIRED(tree_version),
               ANATOMY_FIELD(nodes));

/// \brief The Delta protocol a planner can read and write.
struct DeltaProtocolSupport {
  int32_t max_reader_version = 0;
  int32_t max_writer_version = 0;
  std::vector<std::string> reader_features{};
  std::vector<std::string> writer_features{};
  bool operator==(const DeltaProtocolSupport&) const = default;
};
ANATOMY_STRUCT(DeltaProtocolSupport, "DeltaProtocolSupport", kStrict,
               ANATOMY_REQUIRED(max_reader_version), ANATOMY_REQUIRED(max_writer_version),
               ANATOMY_FIELD(reader_features), ANATOMY_FIELD(writer_features));

/// \brief What planned a plan: versions, settings and Delta support (planning_env_msgpack).
struct PlanningEnvPayload {
  std::string anatomy_version{};
  std::string arrow_version{};
  std::map<std::string, std::string> settings{};
  DeltaProtocolSupport delta_protocol_support{};
  bool operator==(const PlanningEnvPayload&) const = default;
};
ANATOMY_STRUCT(PlanningEnvPayload, "PlanningEnvPayload", kStrict, ANATOMY_REQUIRED(anatomy_version),
               ANATOMY_REQUIRED(arrow_version), ANATOMY_FIELD(settings),
               ANATOMY_REQUIRED(delta_protocol_support));

struct InformationSchemaColumn {
  std::string column_name{};
  std::string data_type{};
  bool nullable = true;
  bool operator==(const InformationSchemaColumn&) const = default;
};
ANATOMY_STRUCT(InformationSchemaColumn, "InformationSchemaColumn", kStrict,
               ANATOMY_REQUIRED(column_name), ANATOMY_REQUIRED(data_type),
               ANATOMY_REQUIRED(nullable));

/// \brief One table a plan reads: its columns and the version of its contents (the ingest
/// generation of an in-memory table, the pinned version of a Delta source).
struct InformationSchemaTable {
  std::string table_name{};
  std::string table_kind{};  // memory | delta
  std::optional<int64_t> version{};
  std::vector<InformationSchemaColumn> columns{};
  bool operator==(const InformationSchemaTable&) const = default;
};
ANATOMY_STRUCT(InformationSchemaTable, "InformationSchemaTable", kStrict,
               ANATOMY_REQUIRED(table_name), ANATOMY_REQUIRED(table_kind), ANATOMY_FIELD(version),
               ANATOMY_FIELD(columns));

/// \brief The catalog as a plan sees it: the tables it reads, sorted by name.
struct InformationSchemaPayload {
  std::vector<InformationSchemaTable> tables{};
  bool operator==(const InformationSchemaPayload&) const = default;
};
ANATOMY_STRUCT(InformationSchemaPayload, "InformationSchemaPayload", kStrict,
               ANATOMY_FIELD(tables));

/// \brief The ordered inputs of plan_fingerprint (CONTRACTS.md "Hashes").
struct PlanFingerprintInputs {
  std::string plan_tree_hash{};
  std::string settings_hash{};
  std::string planning_env_hash{};
  std::string information_schema_hash{};
  std::string function_registry_hash{};
  std::vector<std::string> required_functions{};
  std::vector<DeltaInputPin> delta_inputs{};
  bool operator==(const PlanFingerprintInputs&) const = default;
};
ANATOMY_STRUCT(PlanFingerprintInputs, "PlanFingerprintInputs", kStrict,
               ANATOMY_REQUIRED(plan_tree_hash), ANATOMY_REQUIRED(settings_hash),
               ANATOMY_REQUIRED(planning_env_hash), ANATOMY_REQUIRED(information_schema_hash),
               ANATOMY_REQUIRED(function_registry_hash), ANATOMY_REQUIRED(required_functions),
               ANATOMY_REQUIRED(delta_inputs));

/// \brief The document whose deterministic JSON hashes to plan_identity_hash.
struct PlanIdentityPayload {
  int32_t version = 1;
  std::string plan_fingerprint{};
  std::string function_registry_hash{};
  std::vector<std::string> required_functions{};
  std::vector<std::pair<std::string, std::string>> settings{};
  std::string planning_env_hash{};
  std::string information_schema_hash{};
  std::vector<DeltaInputPin> delta_inputs{};
  std::vector<ScanUnitPayload> scan_units{};
  std::vector<std::string> scan_keys{};
  bool operator==(const PlanIdentityPayload&) const = default;
};
ANATOMY_STRUCT(PlanIdentityPayload, "PlanIdentityPayload", kStrict, ANATOMY_REQUIRED(version),
               ANATOMY_REQUIRED(plan_fingerprint), ANATOMY_REQUIRED(function_registry_hash),
               ANATOMY_REQUIRED(required_functions), ANATOMY_REQUIRED(settings),
               ANATOMY_REQUIRED(planning_env_hash), ANATOMY_REQUIRED(information_schema_hash),
               ANATOMY_REQUIRED(delta_inputs), ANATOMY_REQUIRED(scan_units),
               ANATOMY_REQUIRED(scan_keys));

/// \brief A Delta input as the task signature sees it.
struct DeltaInputToken {
  std::string dataset_name{};
  std::optional<int64_t> version{};
  std::optional<std::string> timestamp{};
  bool operator==(const DeltaInputToken&) const = default;
};
ANATOMY_STRUCT(DeltaInputToken, "DeltaInputToken", kStrict, ANATOMY_REQUIRED(dataset_name),
               ANATOMY_FIELD(version), ANATOMY_FIELD(timestamp));

/// \brief The ordered inputs of a view's plan_task_signature.
struct PlanTaskSignatureInputs {
  std::string runtime_hash{};
  std::string plan_fingerprint{};
  std::string settings_hash{};
  std::string planning_env_hash{};
  std::string information_schema_hash{};
  std::string function_registry_hash{};
  std::vector<std::string> required_functions{};
  std::vector<DeltaInputToken> delta_inputs{};
  bool operator==(const PlanTaskSignatureInputs&) const = default;
};
ANATOMY_STRUCT(PlanTaskSignatureInputs, "PlanTaskSignatureInputs", kStrict,
               ANATOMY_REQUIRED(runtime_hash), ANATOMY_REQUIRED(plan_fingerprint),
               ANATOMY_REQUIRED(settings_hash), ANATOMY_REQUIRED(planning_env_hash),
               ANATOMY_REQUIRED(information_schema_hash), ANATOMY_REQUIRED(function_registry_hash),
               ANATOMY_REQUIRED(required_functions), ANATOMY_REQUIRED(delta_inputs));

/// \brief explain_rows_msgpack: the plan texts, one row per line.
struct ExplainRow {
  std::string plan_type{};  // logical | physical
  std::string line{};
  bool operator==(const ExplainRow&) const = default;
};
ANATOMY_STRUCT(ExplainRow, "ExplainRow", kStrict, ANATOMY_REQUIRED(plan_type),
               ANATOMY_REQUIRED(line));

}  // namespace anatomy::artifacts
