#include "anatomy/engine/write_pipeline.h"

#include <arrow/compute/api.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
#include <string_view>

#include "anatomy/artifacts/rows.h"
#include "anatomy/core/clock.h"
#include "anatomy/delta/checkpoint_writer.h"
#include "anatomy/delta/maintenance.h"
#include "anatomy/delta/protocol.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/delta/write.h"
#include "anatomy/engine/schema_abi.h"
#include "anatomy/serde/msgpack_codec.h"

namespace anatomy::engine {

namespace {

using artifacts::DeltaFeature;

// The delta layer's name of a feature a policy may ask for.
std::string DeltaFeatureName(DeltaFeature f) {
  switch (f) {
    case DeltaFeature::kChangeDataFeed:
      return "changeDataFeed";
    case DeltaFeature::kDeletionVectors:
      return "deletionVectors";
    case DeltaFeature::kRowTracking:
      return "rowTracking";
    case DeltaFeature::kInCommitTimestamps:
      return "inCommitTimestamp";
    case DeltaFeature::kColumnMapping:
      return "columnMapping";
    case DeltaFeature::kV2Checkpoints:
      return "v2Checkpoint";
  }
  return "";
}

Result<std::vector<std::string>> RequestedFeatures(const artifacts::DeltaWritePolicy& policy) {
  const auto& supported = delta::SupportedWriterFeatures();
  std::vector<std::string> out;
  for (auto f : policy.enable_features) {
    const std::string name = DeltaFeatureName(f);
    if (std::find(supported.begin(), supported.end(), name) == supported.end()) {
      return Status::NotImplemented("write policy asks for feature '", serde::EnumLiteral(f), "' (",
                                    name, "), which the Delta writer does not support");
    }
    out.push_back(name);
  }
  return out;
}

// Whether the rows already come in `keys` order (ascending, nulls last, as SortIndices puts
// them): a linear check that saves plans which sort their output a second sort. Only string
// keys are checked; any other key type counts as unsorted.
bool IsSortedBy(const arrow::Table& data, const std::vector<std::string>& keys) {
  // One cursor per key column, walking its chunks (no concatenation).
  struct Cursor {
    const arrow::ChunkedArray* column;
    int chunk = 0;
    int64_t offset = -1;
    std::optional<std::string_view> Next() {
      ++offset;
      while (offset >= column->chunk(chunk)->length()) {
        offset = 0;
        ++chunk;
      }
      const auto& strings = static_cast<const arrow::StringArray&>(*column->chunk(chunk));
      if (strings.IsNull(offset)) return std::nullopt;
      return strings.GetView(offset);
    }
  };
  std::vector<Cursor> cursors;
  for (const auto& k : keys) {
    auto column = data.GetColumnByName(k);
    if (!column || column->type()->id() != arrow::Type::STRING) return false;
    cursors.push_back({column.get()});
  }
  std::vector<std::optional<std::string_view>> previous(keys.size()), current(keys.size());
  for (int64_t i = 0; i < data.num_rows(); ++i) {
    for (size_t c = 0; c < cursors.size(); ++c) current[c] = cursors[c].Next();
    if (i > 0) {
      for (size_t c = 0; c < cursors.size(); ++c) {
        const auto &a = previous[c], &b = current[c];
        if (a == b) continue;  // equal (or both null): next key
        if (!a) return false;  // a value after a null
        if (!b) break;         // a null after a value: ordered
        if (*a > *b) return false;
        break;
      }
    }
    previous.swap(current);
  }
  return true;
}

Result<std::shared_ptr<arrow::Table>> OrderRows(const std::shared_ptr<arrow::Table>& data,
                                                const std::vector<std::string>& keys) {
  if (keys.empty() || data->num_rows() == 0 || IsSortedBy(*data, keys)) return data;
  std::vector<arrow::compute::SortKey> sort_keys;
  for (const auto& k : keys) sort_keys.emplace_back(k);
  ARROW_ASSIGN_OR_RAISE(
      auto indices,
      arrow::compute::SortIndices(arrow::Datum(data), arrow::compute::SortOptions(sort_keys)));
  ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(data, indices));
  return taken.table();
}

// The protocol and properties a table has after a commit, as the observability rows carry them.
template <typename Row>
void CopyTableState(const delta::Snapshot& snapshot, Row* row) {
  const auto& p = snapshot.protocol;
  row->min_reader_version = p.min_reader_version;
  row->min_writer_version = p.min_writer_version;
  row->reader_features = p.reader_features;
  row->writer_features = p.writer_features;
  row->table_properties = snapshot.metadata.configuration;
}

const char* MaintenanceName(MaintenanceOperation op) {
  switch (op) {
    case MaintenanceOperation::kCheckpoint:
      return "CHECKPOINT";
    case MaintenanceOperation::kVacuum:
      return "VACUUM";
    case MaintenanceOperation::kLogCleanup:
      return "LOG_CLEANUP";
    case MaintenanceOperation::kOptimize:
      return "OPTIMIZE";
  }
  return "";
}

std::string ConfigOr(const delta::StringMap& config, const std::string& key,
                     const std::string& fallback) {
  auto it = config.find(key);
  return it == config.end() ? fallback : it->second;
}

}  // namespace

artifacts::DeltaStatsDecision DecideStats(const std::string& dataset_name,
                                          const artifacts::DeltaWritePolicy& policy,
                                          const std::vector<std::string>& lineage_columns,
                                          const arrow::Schema& schema) {
  artifacts::DeltaStatsDecision d;
  d.dataset_name = dataset_name;
  d.stats_policy = policy.stats_policy;
  d.lineage_columns = lineage_columns;
  d.partition_by = policy.partition_by;
  d.zorder_by = policy.zorder_by;
  d.stats_max_columns = policy.stats_max_columns;
  std::vector<std::string> candidates;
  switch (policy.stats_policy) {
    case artifacts::StatsPolicy::kOff:
      return d;
    case artifacts::StatsPolicy::kExplicit:
      candidates = policy.stats_columns.value_or(std::vector<std::string>{});
      break;
    case artifacts::StatsPolicy::kAuto:
      for (const auto* group : {&policy.partition_by, &policy.zorder_by, &lineage_columns}) {
        candidates.insert(candidates.end(), group->begin(), group->end());
      }
      for (const auto& f : schema.fields()) candidates.push_back(f->name());
      break;
  }
  std::set<std::string> seen;
  for (const auto& c : candidates) {
    if (static_cast<int32_t>(d.stats_columns.size()) >= policy.stats_max_columns) break;
    if (schema.GetFieldIndex(c) < 0 || !seen.insert(c).second) continue;
    d.stats_columns.push_back(c);
  }
  return d;
}

Result<WriteOutcome> WritePipeline::Write(const WriteRequest& req) {
  using serde::Bytes;
  using serde::EncodeMsgpack;
  const double start = core::MonotonicMs();
  const auto& policy = req.write_policy;
  const auto decision =
      DecideStats(req.dataset_name, policy, req.lineage_columns, *req.data->schema());

  artifacts::WriteArtifactRow artifact;
  artifact.profile_name = profile_name_;
  artifact.destination = req.dataset_name;
  artifact.mode = req.mode;
  artifact.method = "anatomy.delta.write_table";
  artifact.table_uri = req.table_uri;
  artifact.commit_app_id = req.app_id;
  if (req.app_id) artifact.commit_version = req.app_version;
  if (auto it = req.commit_metadata.find("run_id"); it != req.commit_metadata.end()) {
    artifact.commit_run_id = it->second;
  }
  artifact.delta_write_policy_msgpack = Bytes{EncodeMsgpack(policy)};
  artifact.delta_schema_policy_msgpack =
      Bytes{req.schema_policy ? EncodeMsgpack(*req.schema_policy)
                              : EncodeMsgpack(std::map<std::string, std::string>{})};
  artifact.partition_by = policy.partition_by;
  artifact.commit_metadata = req.commit_metadata;
  artifact.commit_metadata["anatomy.dataset_name"] = req.dataset_name;
  artifact.commit_metadata["anatomy.operation"] = req.mode;
  if (!req.delta_inputs.empty()) {
    std::string tokens;
    for (const auto& [name, version] : req.delta_inputs) {
      tokens += (tokens.empty() ? "" : ",") + name + "@v" + std::to_string(version);
    }
    artifact.commit_metadata["anatomy.delta_inputs"] = tokens;
  }
  artifact.delta_stats_decision_msgpack = Bytes{EncodeMsgpack(decision)};

  int64_t rows = req.data->num_rows();  // the request's, with every chunk of more_data
  auto run = [&]() -> Result<delta::WriteResult> {
    delta::WriteOptions options;
    if (req.mode == "append") {
      options.mode = delta::WriteMode::kAppend;
    } else if (req.mode == "overwrite") {
      options.mode = delta::WriteMode::kOverwrite;
    } else if (req.mode == "upsert" && !req.replace_rows_where.empty()) {
      options.mode = delta::WriteMode::kOverwrite;
      options.replace_rows_where = req.replace_rows_where;
      options.rewrite_matched = req.rewrite_matched;
    } else {
      return Status::Invalid("write of ", req.dataset_name, ": unknown mode '", req.mode, "'");
    }
    ARROW_ASSIGN_OR_RAISE(options.features, RequestedFeatures(policy));
    if (req.schema_policy && req.schema_policy->schema_mode) {
      options.schema_mode = *req.schema_policy->schema_mode == artifacts::SchemaMode::kMerge
                                ? delta::SchemaMode::kMerge
                                : delta::SchemaMode::kOverwrite;
    }
    if (req.schema_policy && req.schema_policy->column_mapping_mode) {
      // Applied when the write creates the table; an existing table with another mode is
      // refused by the delta writer (it does not change a table's mapping mode).
      options.properties["delta.columnMapping.mode"] =
          *req.schema_policy->column_mapping_mode == artifacts::ColumnMappingMode::kId ? "id"
                                                                                       : "name";
    }
    options.partition_columns = policy.partition_by;
    options.name = req.dataset_name;
    if (policy.target_file_size) options.files.target_file_size = *policy.target_file_size;
    if (req.row_group_rows) options.files.row_group_rows = *req.row_group_rows;
    options.files.stats_columns = decision.stats_columns;
    options.commit_metadata = artifact.commit_metadata;
    options.app_id = req.app_id;
    options.app_version = req.app_version;
    std::vector<std::string> order = policy.partition_by;
    order.insert(order.end(), policy.zorder_by.begin(), policy.zorder_by.end());
    ARROW_ASSIGN_OR_RAISE(auto ordered, OrderRows(req.data, order));
    if (req.more_data) {
      options.more_data = [&]() -> Result<std::shared_ptr<arrow::Table>> {
        ARROW_ASSIGN_OR_RAISE(auto more, req.more_data());
        if (!more) return more;
        rows += more->num_rows();
        return OrderRows(more, order);
      };
    }
    return delta::WriteTable(req.table_uri, ordered, options);
  };
  auto written = run();
  artifact.event_time_unix_ms = core::DefaultClock().NowUnixMs();
  artifact.duration_ms = core::MonotonicMs() - start;
  artifact.row_count = rows;
  if (!written.ok()) {
    artifact.status = "error";
    artifact.error = written.status().ToString();
    ARROW_RETURN_NOT_OK(store_->Append(artifact));
    return written.status();
  }
  artifact.status = "ok";
  artifact.delta_version = written->version;

  // What the table looks like now: protocol, features, properties, schema.
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::LoadSnapshot(req.table_uri));
  artifact.table_properties = snapshot->metadata.configuration;
  ARROW_RETURN_NOT_OK(store_->Append(artifact));

  artifacts::DeltaMutationRow mutation;
  mutation.event_time_unix_ms = artifact.event_time_unix_ms;
  mutation.dataset_name = req.dataset_name;
  mutation.table_uri = req.table_uri;
  mutation.operation = "WRITE";
  mutation.mode = req.mode;
  mutation.delta_version = written->version;
  CopyTableState(*snapshot, &mutation);
  mutation.commit_app_id = req.app_id;
  if (req.app_id) mutation.commit_version = req.app_version;
  mutation.commit_run_id = artifact.commit_run_id;
  mutation.commit_metadata = artifact.commit_metadata;
  mutation.metrics_msgpack =
      Bytes{EncodeMsgpack(std::map<std::string, int64_t>{{"files_added", written->files_added},
                                                         {"files_removed", written->files_removed},
                                                         {"rows_written", written->rows_written},
                                                         {"attempts", written->attempts}})};
  ARROW_RETURN_NOT_OK(store_->Append(mutation));

  artifacts::DeltaSnapshotRow snap;
  snap.event_time_unix_ms = artifact.event_time_unix_ms;
  snap.dataset_name = req.dataset_name;
  snap.table_uri = req.table_uri;
  snap.delta_version = snapshot->version;
  snap.snapshot_timestamp = snapshot->timestamp_ms;
  CopyTableState(*snapshot, &snap);
  snap.schema_msgpack = Bytes{EncodeMsgpack(SchemaAbiOf(*req.data->schema()))};
  snap.partition_columns = snapshot->metadata.partition_columns;
  ARROW_RETURN_NOT_OK(store_->Append(snap));
  return WriteOutcome{written->version, rows, written->committed};
}

Result<MaintenanceOutcome> WritePipeline::Maintain(const MaintenanceRequest& req) {
  constexpr int64_t kHourMs = int64_t{3600} * 1000;
  const double start = core::MonotonicMs();
  ARROW_ASSIGN_OR_RAISE(auto storage, delta::OpenLocalStorage(req.table_uri));
  MaintenanceOutcome outcome;
  std::optional<int64_t> retention_hours = req.retention_hours;
  switch (req.operation) {
    case MaintenanceOperation::kCheckpoint: {
      ARROW_ASSIGN_OR_RAISE(auto info, delta::CheckpointLatest(storage));
      outcome.metrics = {{"checkpoint_version", info.version},
                         {"num_actions", info.num_actions},
                         {"num_add_files", info.num_add_files},
                         {"size_in_bytes", info.size_in_bytes}};
      break;
    }
    case MaintenanceOperation::kVacuum: {
      delta::VacuumOptions options;
      options.dry_run = req.dry_run;
      options.enforce_retention = req.enforce_retention;
      if (req.retention_hours) options.retention_ms = *req.retention_hours * kHourMs;
      ARROW_ASSIGN_OR_RAISE(auto result, delta::Vacuum(storage, options));
      outcome.deleted = std::move(result.deleted);
      retention_hours = result.retention_ms / kHourMs;
      outcome.metrics = {{"files_deleted", static_cast<int64_t>(outcome.deleted.size())}};
      break;
    }
    case MaintenanceOperation::kLogCleanup: {
      delta::LogCleanupOptions options;
      options.dry_run = req.dry_run;
      if (req.retention_hours) options.retention_ms = *req.retention_hours * kHourMs;
      ARROW_ASSIGN_OR_RAISE(outcome.deleted, delta::CleanupLog(storage, options));
      outcome.metrics = {{"log_files_deleted", static_cast<int64_t>(outcome.deleted.size())}};
      break;
    }
    case MaintenanceOperation::kOptimize: {
      delta::OptimizeOptions options;
      options.files.target_file_size = req.target_file_size;
      options.files.row_group_rows = req.row_group_rows;
      options.min_files = req.min_files;
      options.order_by = req.order_by;
      options.commit_metadata = req.commit_metadata;
      ARROW_ASSIGN_OR_RAISE(auto result, delta::Optimize(storage, options));
      outcome.metrics = {{"partitions", result.partitions},
                         {"files_removed", result.files_removed},
                         {"files_added", result.files_added},
                         {"bytes_removed", result.bytes_removed},
                         {"bytes_added", result.bytes_added}};
      break;
    }
  }
  outcome.metrics["duration_ms"] = static_cast<int64_t>(core::MonotonicMs() - start);

  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::LoadSnapshot(req.table_uri));
  outcome.delta_version = snapshot->version;
  const auto& config = snapshot->metadata.configuration;
  artifacts::DeltaMaintenanceRow row;
  row.event_time_unix_ms = core::DefaultClock().NowUnixMs();
  row.dataset_name = req.dataset_name;
  row.table_uri = req.table_uri;
  row.operation = MaintenanceName(req.operation);
  row.delta_version = snapshot->version;
  CopyTableState(*snapshot, &row);
  if (auto it = req.commit_metadata.find("run_id"); it != req.commit_metadata.end()) {
    row.commit_run_id = it->second;
  }
  row.commit_metadata = req.commit_metadata;
  row.metrics_msgpack = serde::Bytes{serde::EncodeMsgpack(outcome.metrics)};
  // The table's settings, with the protocol's defaults where the table sets none.
  row.log_retention_duration = ConfigOr(config, "delta.logRetentionDuration", "interval 30 days");
  row.checkpoint_retention_duration =
      ConfigOr(config, "delta.checkpointRetentionDuration", "interval 2 days");
  const std::string interval = ConfigOr(config, "delta.checkpointInterval", "10");
  int64_t interval_value = 0;
  auto [end, ec] =
      std::from_chars(interval.data(), interval.data() + interval.size(), interval_value);
  if (ec == std::errc() && end == interval.data() + interval.size())
    row.checkpoint_interval = interval_value;
  row.retention_hours = retention_hours;
  row.dry_run = req.dry_run;
  ARROW_RETURN_NOT_OK(store_->Append(row));
  return outcome;
}

}  // namespace anatomy::engine
