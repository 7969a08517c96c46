#pragma once

// Artifact row types of CONTRACTS.md. The registered name is the table name (`..._vN`); the
// Arrow schema follows from the fields: std::optional columns are nullable, all others NOT
// NULL. Nested payloads are msgpack bytes (`*_msgpack`) of the types in *_payloads.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/serde/struct.h"

namespace anatomy::artifacts {

using serde::Bytes;
using StringMap = std::map<std::string, std::string>;
using StringList = std::vector<std::string>;

enum class PlanEventKind { kPlan, kExecution };
ANATOMY_ENUM(PlanEventKind, "plan", "execution");

enum class ExecutionStatus { kOk, kError };
ANATOMY_ENUM(ExecutionStatus, "ok", "error");

enum class WriteEventKind { kWrite };
ANATOMY_ENUM(WriteEventKind, "write");

enum class WriteFormat { kDelta };
ANATOMY_ENUM(WriteFormat, "delta");

/// \brief plan_artifacts_v8: one row per plan compiled or executed.
struct PlanArtifactRow {
  int64_t event_time_unix_ms = 0;
  std::optional<std::string> profile_name{};
  PlanEventKind event_kind = PlanEventKind::kPlan;
  std::string view_name{};
  std::string plan_fingerprint{};
  std::string plan_identity_hash{};
  std::string function_registry_hash{};
  StringList required_functions{};
  Bytes delta_inputs_msgpack{};
  StringMap engine_settings{};
  Bytes planning_env_msgpack{};
  std::string planning_env_hash{};
  Bytes information_schema_msgpack{};
  std::string information_schema_hash{};
  Bytes logical_plan_msgpack{};
  std::optional<Bytes> explain_rows_msgpack{};
  std::optional<double> explain_analyze_duration_ms{};
  std::optional<int64_t> explain_analyze_output_rows{};
  Bytes lineage_msgpack{};
  Bytes scan_units_msgpack{};
  StringList scan_keys{};
  Bytes plan_details_msgpack{};
  std::optional<double> execution_duration_ms{};
  std::optional<ExecutionStatus> execution_status{};
  std::optional<std::string> execution_error{};
  bool operator==(const PlanArtifactRow&) const = default;
};
ANATOMY_STRUCT(PlanArtifactRow, "plan_artifacts_v8", kStrict, ANATOMY_REQUIRED(event_time_unix_ms),
               ANATOMY_FIELD(profile_name), ANATOMY_REQUIRED(event_kind),
               ANATOMY_REQUIRED(view_name), ANATOMY_REQUIRED(plan_fingerprint),
               ANATOMY_REQUIRED(plan_identity_hash), ANATOMY_REQUIRED(function_registry_hash),
               ANATOMY_REQUIRED(required_functions), ANATOMY_REQUIRED(delta_inputs_msgpack),
               ANATOMY_REQUIRED(engine_settings), ANATOMY_REQUIRED(planning_env_msgpack),
               ANATOMY_REQUIRED(planning_env_hash), ANATOMY_REQUIRED(information_schema_msgpack),
               ANATOMY_REQUIRED(information_schema_hash), ANATOMY_REQUIRED(logical_plan_msgpack),
               ANATOMY_FIELD(explain_rows_msgpack), ANATOMY_FIELD(explain_analyze_duration_ms),
               ANATOMY_FIELD(explain_analyze_output_rows), ANATOMY_REQUIRED(lineage_msgpack),
               ANATOMY_REQUIRED(scan_units_msgpack), ANATOMY_REQUIRED(scan_keys),
               ANATOMY_REQUIRED(plan_details_msgpack), ANATOMY_FIELD(execution_duration_ms),
               ANATOMY_FIELD(execution_status), ANATOMY_FIELD(execution_error));

/// \brief view_artifacts_v4: one row per registered view.
struct ViewArtifactRow {
  int64_t event_time_unix_ms = 0;
  std::string name{};
  std::string plan_fingerprint{};
  std::string plan_task_signature{};
  std::string schema_fingerprint{};
  Bytes schema_msgpack{};
  std::optional<Bytes> schema_describe_msgpack{};
  std::optional<Bytes> schema_provenance_msgpack{};
  std::optional<StringList> required_functions{};
  std::optional<StringList> referenced_tables{};
  bool operator==(const ViewArtifactRow&) const = default;
};
ANATOMY_STRUCT(ViewArtifactRow, "view_artifacts_v4", kStrict, ANATOMY_REQUIRED(event_time_unix_ms),
               ANATOMY_REQUIRED(name), ANATOMY_REQUIRED(plan_fingerprint),
               ANATOMY_REQUIRED(plan_task_signature), ANATOMY_REQUIRED(schema_fingerprint),
               ANATOMY_REQUIRED(schema_msgpack), ANATOMY_FIELD(schema_describe_msgpack),
               ANATOMY_FIELD(schema_provenance_msgpack), ANATOMY_FIELD(required_functions),
               ANATOMY_FIELD(referenced_tables));

/// \brief write_artifacts_v2: one row per table write.
struct WriteArtifactRow {
  int64_t event_time_unix_ms = 0;
  std::optional<std::string> profile_name{};
  WriteEventKind event_kind = WriteEventKind::kWrite;
  std::string destination{};
  WriteFormat format = WriteFormat::kDelta;
  std::string mode{};
  std::string method{};
  std::string table_uri{};
  std::optional<int64_t> delta_version{};
  std::optional<std::string> commit_app_id{};
  std::optional<int64_t> commit_version{};
  std::optional<std::string> commit_run_id{};
  Bytes delta_write_policy_msgpack{};
  Bytes delta_schema_policy_msgpack{};
  StringList partition_by{};
  StringMap table_properties{};
  StringMap commit_metadata{};
  Bytes delta_stats_decision_msgpack{};
  std::optional<double> duration_ms{};
  std::optional<int64_t> row_count{};
  std::optional<std::string> status{};
  std::optional<std::string> error{};
  bool operator==(const WriteArtifactRow&) const = default;
};
ANATOMY_STRUCT(WriteArtifactRow, "write_artifacts_v2", kStrict,
               ANATOMY_REQUIRED(event_time_unix_ms), ANATOMY_FIELD(profile_name),
               ANATOMY_REQUIRED(event_kind), ANATOMY_REQUIRED(destination),
               ANATOMY_REQUIRED(format), ANATOMY_REQUIRED(mode), ANATOMY_REQUIRED(method),
               ANATOMY_REQUIRED(table_uri), ANATOMY_FIELD(delta_version),
               ANATOMY_FIELD(commit_app_id), ANATOMY_FIELD(commit_version),
               ANATOMY_FIELD(commit_run_id), ANATOMY_REQUIRED(delta_write_policy_msgpack),
               ANATOMY_REQUIRED(delta_schema_policy_msgpack), ANATOMY_REQUIRED(partition_by),
               ANATOMY_REQUIRED(table_properties), ANATOMY_REQUIRED(commit_metadata),
               ANATOMY_REQUIRED(delta_stats_decision_msgpack), ANATOMY_FIELD(duration_ms),
               ANATOMY_FIELD(row_count), ANATOMY_FIELD(status), ANATOMY_FIELD(error));

/// \brief run_manifest_v2: one row per run (appended).
struct RunManifestRow {
  std::string run_id{};
  std::string status{};
  int64_t event_time_unix_ms = 0;
  std::string plan_signature{};
  StringMap plan_fingerprints{};
  Bytes delta_inputs_msgpack{};
  Bytes outputs_msgpack{};
  std::optional<StringMap> artifact_ids{};
  std::optional<std::string> runtime_profile_name{};
  std::optional<std::string> runtime_profile_hash{};
  std::optional<std::string> determinism_tier{};
  std::optional<std::string> output_dir{};
  bool operator==(const RunManifestRow&) const = default;
};
ANATOMY_STRUCT(RunManifestRow, "run_manifest_v2", kStrict, ANATOMY_REQUIRED(run_id),
               ANATOMY_REQUIRED(status), ANATOMY_REQUIRED(event_time_unix_ms),
               ANATOMY_REQUIRED(plan_signature), ANATOMY_REQUIRED(plan_fingerprints),
               ANATOMY_REQUIRED(delta_inputs_msgpack), ANATOMY_REQUIRED(outputs_msgpack),
               ANATOMY_FIELD(artifact_ids), ANATOMY_FIELD(runtime_profile_name),
               ANATOMY_FIELD(runtime_profile_hash), ANATOMY_FIELD(determinism_tier),
               ANATOMY_FIELD(output_dir));

/// \brief normalize_outputs_v1: the extraction datasets a run wrote.
struct NormalizeOutputsRow {
  int64_t event_time_unix_ms = 0;
  std::string run_id{};
  std::string output_dir{};
  StringList outputs{};
  int64_t row_count = 0;
  bool operator==(const NormalizeOutputsRow&) const = default;
};
ANATOMY_STRUCT(NormalizeOutputsRow, "normalize_outputs_v1", kStrict,
               ANATOMY_REQUIRED(event_time_unix_ms), ANATOMY_REQUIRED(run_id),
               ANATOMY_REQUIRED(output_dir), ANATOMY_REQUIRED(outputs),
               ANATOMY_REQUIRED(row_count));

/// \brief One extraction error (a struct inside extract_errors_v1.errors).
struct ExtractError {
  std::string path{};
  std::string stage{};
  std::string code{};
  std::string message{};
  std::optional<int64_t> bstart{};
  std::optional<int64_t> bend{};
  bool operator==(const ExtractError&) const = default;
};
ANATOMY_STRUCT(ExtractError, "ExtractError", kStrict, ANATOMY_REQUIRED(path),
               ANATOMY_REQUIRED(stage), ANATOMY_REQUIRED(code), ANATOMY_REQUIRED(message),
               ANATOMY_FIELD(bstart), ANATOMY_FIELD(bend));

/// \brief extract_errors_v1: the extraction errors of a run.
struct ExtractErrorsRow {
  int64_t event_time_unix_ms = 0;
  std::string run_id{};
  std::string output_dir{};
  std::vector<ExtractError> errors{};
  int64_t error_count = 0;
  bool operator==(const ExtractErrorsRow&) const = default;
};
ANATOMY_STRUCT(ExtractErrorsRow, "extract_errors_v1", kStrict, ANATOMY_REQUIRED(event_time_unix_ms),
               ANATOMY_REQUIRED(run_id), ANATOMY_REQUIRED(output_dir), ANATOMY_REQUIRED(errors),
               ANATOMY_REQUIRED(error_count));

/// \brief delta_snapshots_v2: a table snapshot observed by a read or write.
struct DeltaSnapshotRow {
  int64_t event_time_unix_ms = 0;
  std::optional<std::string> dataset_name{};
  std::string table_uri{};
  std::optional<int64_t> delta_version{};
  std::optional<int64_t> snapshot_timestamp{};
  std::optional<int32_t> min_reader_version{};
  std::optional<int32_t> min_writer_version{};
  std::optional<StringList> reader_features{};
  std::optional<StringList> writer_features{};
  std::optional<StringMap> table_properties{};
  Bytes schema_msgpack{};
  std::optional<StringList> partition_columns{};
  std::optional<std::string> storage_options_hash{};
  bool operator==(const DeltaSnapshotRow&) const = default;
};
ANATOMY_STRUCT(DeltaSnapshotRow, "delta_snapshots_v2", kStrict,
               ANATOMY_REQUIRED(event_time_unix_ms), ANATOMY_FIELD(dataset_name),
               ANATOMY_REQUIRED(table_uri), ANATOMY_FIELD(delta_version),
               ANATOMY_FIELD(snapshot_timestamp), ANATOMY_FIELD(min_reader_version),
               ANATOMY_FIELD(min_writer_version), ANATOMY_FIELD(reader_features),
               ANATOMY_FIELD(writer_features), ANATOMY_FIELD(table_properties),
               ANATOMY_REQUIRED(schema_msgpack), ANATOMY_FIELD(partition_columns),
               ANATOMY_FIELD(storage_options_hash));

/// \brief delta_mutations_v2: one commit made to a table.
struct DeltaMutationRow {
  int64_t event_time_unix_ms = 0;
  std::optional<std::string> dataset_name{};
  std::string table_uri{};
  std::string operation{};
  std::optional<std::string> mode{};
  std::optional<int64_t> delta_version{};
  std::optional<int32_t> min_reader_version{};
  std::optional<int32_t> min_writer_version{};
  std::optional<StringList> reader_features{};
  std::optional<StringList> writer_features{};
  std::optional<StringMap> table_properties{};
  std::optional<std::string> commit_app_id{};
  std::optional<int64_t> commit_version{};
  std::optional<std::string> commit_run_id{};
  std::optional<StringMap> commit_metadata{};
  Bytes metrics_msgpack{};
  std::optional<std::string> storage_options_hash{};
  bool operator==(const DeltaMutationRow&) const = default;
};
ANATOMY_STRUCT(DeltaMutationRow, "delta_mutations_v2", kStrict,
               ANATOMY_REQUIRED(event_time_unix_ms), ANATOMY_FIELD(dataset_name),
               ANATOMY_REQUIRED(table_uri), ANATOMY_REQUIRED(operation), ANATOMY_FIELD(mode),
               ANATOMY_FIELD(delta_version), ANATOMY_FIELD(min_reader_version),
               ANATOMY_FIELD(min_writer_version), ANATOMY_FIELD(reader_features),
               ANATOMY_FIELD(writer_features), ANATOMY_FIELD(table_properties),
               ANATOMY_FIELD(commit_app_id), ANATOMY_FIELD(commit_version),
               ANATOMY_FIELD(commit_run_id), ANATOMY_FIELD(commit_metadata),
               ANATOMY_REQUIRED(metrics_msgpack), ANATOMY_FIELD(storage_options_hash));

/// \brief delta_scan_plans_v2: the file pruning of one Delta scan.
struct DeltaScanPlanRow {
  int64_t event_time_unix_ms = 0;
  std::string dataset_name{};
  std::string table_uri{};
  std::optional<int64_t> delta_version{};
  std::optional<int64_t> snapshot_timestamp{};
  int64_t total_files = 0;
  int64_t candidate_files = 0;
  int64_t pruned_files = 0;
  std::optional<StringList> pushed_filters{};
  std::optional<StringList> projected_columns{};
  std::optional<Bytes> delta_protocol_msgpack{};
  std::optional<Bytes> delta_feature_gate_msgpack{};
  std::optional<std::string> storage_options_hash{};
  bool operator==(const DeltaScanPlanRow&) const = default;
};
ANATOMY_STRUCT(DeltaScanPlanRow, "delta_scan_plans_v2", kStrict,
               ANATOMY_REQUIRED(event_time_unix_ms), ANATOMY_REQUIRED(dataset_name),
               ANATOMY_REQUIRED(table_uri), ANATOMY_FIELD(delta_version),
               ANATOMY_FIELD(snapshot_timestamp), ANATOMY_REQUIRED(total_files),
               ANATOMY_REQUIRED(candidate_files), ANATOMY_REQUIRED(pruned_files),
               ANATOMY_FIELD(pushed_filters), ANATOMY_FIELD(projected_columns),
               ANATOMY_FIELD(delta_protocol_msgpack), ANATOMY_FIELD(delta_feature_gate_msgpack),
               ANATOMY_FIELD(storage_options_hash));

/// \brief delta_maintenance_v2: a checkpoint, vacuum or log cleanup of a table.
struct DeltaMaintenanceRow {
  int64_t event_time_unix_ms = 0;
  std::optional<std::string> dataset_name{};
  std::string table_uri{};
  std::string operation{};
  std::optional<std::string> mode{};
  std::optional<int64_t> delta_version{};
  std::optional<int32_t> min_reader_version{};
  std::optional<int32_t> min_writer_version{};
  std::optional<StringList> reader_features{};
  std::optional<StringList> writer_features{};
  std::optional<StringMap> table_properties{};
  std::optional<std::string> commit_app_id{};
  std::optional<int64_t> commit_version{};
  std::optional<std::string> commit_run_id{};
  std::optional<StringMap> commit_metadata{};
  Bytes metrics_msgpack{};
  std::optional<std::string> storage_options_hash{};
  std::optional<std::string> log_retention_duration{};
  std::optional<int64_t> checkpoint_interval{};
  std::optional<std::string> checkpoint_retention_duration{};
  std::optional<int64_t> retention_hours{};
  std::optional<bool> dry_run{};
  bool operator==(const DeltaMaintenanceRow&) const = default;
};
ANATOMY_STRUCT(DeltaMaintenanceRow, "delta_maintenance_v2", kStrict,
               ANATOMY_REQUIRED(event_time_unix_ms), ANATOMY_FIELD(dataset_name),
               ANATOMY_REQUIRED(table_uri), ANATOMY_REQUIRED(operation), ANATOMY_FIELD(mode),
               ANATOMY_FIELD(delta_version), ANATOMY_FIELD(min_reader_version),
               ANATOMY_FIELD(min_writer_version), ANATOMY_FIELD(reader_features),
               ANATOMY_FIELD(writer_features), ANATOMY_FIELD(table_properties),
               ANATOMY_FIELD(commit_app_id), ANATOMY_FIELD(commit_version),
               ANATOMY_FIELD(commit_run_id), ANATOMY_FIELD(commit_metadata),
               ANATOMY_REQUIRED(metrics_msgpack), ANATOMY_FIELD(storage_options_hash),
               ANATOMY_FIELD(log_retention_duration), ANATOMY_FIELD(checkpoint_interval),
               ANATOMY_FIELD(checkpoint_retention_duration), ANATOMY_FIELD(retention_hours),
               ANATOMY_FIELD(dry_run));

/// \brief A file that changed since the previous build (by content hash).
struct FileChange {
  std::string path{};
  std::string change{};                   // added | changed | deleted | renamed
  std::optional<std::string> old_path{};  // renamed: where the content was
  bool operator==(const FileChange&) const = default;
};
ANATOMY_STRUCT(FileChange, "FileChange", kStrict, ANATOMY_REQUIRED(path), ANATOMY_REQUIRED(change),
               ANATOMY_FIELD(old_path));

/// \brief A file whose rows an incremental build recomputed, and why.
struct ImpactedFile {
  std::string path{};
  std::string reason{};  // "changed", "added", "renamed", or "imports <module>"
  bool operator==(const ImpactedFile&) const = default;
};
ANATOMY_STRUCT(ImpactedFile, "ImpactedFile", kStrict, ANATOMY_REQUIRED(path),
               ANATOMY_REQUIRED(reason));

/// \brief incremental_runs_v1: one row when a build starts and one when it finishes. The
/// mode says what the build did (full, incremental or unchanged) and the reason why; a
/// `started` row without its `ok` row marks an interrupted build.
struct IncrementalRunRow {
  int64_t event_time_unix_ms = 0;
  std::string run_id{};
  std::string status{};  // started | ok
  std::string mode{};    // full | incremental | unchanged
  std::string reason{};
  std::string anatomy_version{};
  std::string profile_name{};
  StringList scan_globs{};  // "include:<glob>" and "exclude:<glob>", in option order
  StringMap plan_fingerprints{};
  std::vector<FileChange> changes{};
  std::vector<ImpactedFile> impacted{};
  int64_t files_scanned = 0;
  int64_t files_hashed = 0;
  /// Extraction and output tables and the Delta version each run left them at.
  std::map<std::string, int64_t> table_versions{};
  double seconds = 0;
  bool operator==(const IncrementalRunRow&) const = default;
};
ANATOMY_STRUCT(IncrementalRunRow, "incremental_runs_v1", kStrict,
               ANATOMY_REQUIRED(event_time_unix_ms), ANATOMY_REQUIRED(run_id),
               ANATOMY_REQUIRED(status), ANATOMY_REQUIRED(mode), ANATOMY_REQUIRED(reason),
               ANATOMY_REQUIRED(anatomy_version), ANATOMY_REQUIRED(profile_name),
               ANATOMY_REQUIRED(scan_globs), ANATOMY_REQUIRED(plan_fingerprints),
               ANATOMY_REQUIRED(changes), ANATOMY_REQUIRED(impacted),
               ANATOMY_REQUIRED(files_scanned), ANATOMY_REQUIRED(files_hashed),
               ANATOMY_REQUIRED(table_versions), ANATOMY_REQUIRED(seconds));

}  // namespace anatomy::artifacts
