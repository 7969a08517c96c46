#pragma once

#include <arrow/table.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/artifacts/delta_payloads.h"
#include "anatomy/artifacts/store.h"
#include "anatomy/core/status.h"
#include "anatomy/delta/predicate.h"

namespace anatomy::engine {

/// \brief One Delta write through the pipeline.
struct WriteRequest {
  std::string dataset_name;
  std::string table_uri;
  std::shared_ptr<arrow::Table> data;
  /// Further chunks of `data` (same schema), pulled once it is written until null: still one
  /// write and one commit (delta::WriteOptions::more_data). Each chunk is ordered by the
  /// partition and z-order keys on its own: chunks should come in that order already.
  std::function<Result<std::shared_ptr<arrow::Table>>()> more_data;
  std::string mode = "overwrite";  // append | overwrite | upsert
  /// upsert: the rows matching any of these conjunctions are replaced by `data`, in one commit.
  std::vector<std::vector<delta::Predicate>> replace_rows_where;
  /// upsert: the rows being replaced, turned into rows written in the same commit (see
  /// delta::WriteOptions::rewrite_matched).
  std::function<Result<std::shared_ptr<arrow::Table>>(const std::shared_ptr<arrow::Table>&)>
      rewrite_matched;
  artifacts::DeltaWritePolicy write_policy;
  /// Rows per Parquet row group (files are cut at row-group boundaries); unset: the writer's.
  std::optional<int64_t> row_group_rows;
  std::optional<artifacts::DeltaSchemaPolicy> schema_policy;
  /// Columns the plans that read this table need; they get statistics first under `auto`.
  std::vector<std::string> lineage_columns;
  /// Written into commitInfo and recorded: operation, plan fingerprint, run id, inputs, ...
  std::map<std::string, std::string> commit_metadata;
  /// The Delta inputs of the plan that produced the data, as (name, version) pins; recorded in
  /// the commit as `anatomy.delta_inputs` = "name@vN,...".
  std::vector<std::pair<std::string, int64_t>> delta_inputs;
  std::optional<std::string> app_id;
  int64_t app_version = 0;
};

struct WriteOutcome {
  int64_t delta_version = -1;
  int64_t rows = 0;
  bool committed = false;
};

/// \brief Table maintenance through the pipeline (recorded in delta_maintenance_v2).
enum class MaintenanceOperation { kCheckpoint, kVacuum, kLogCleanup, kOptimize };

struct MaintenanceRequest {
  std::string dataset_name;
  std::string table_uri;
  MaintenanceOperation operation = MaintenanceOperation::kCheckpoint;
  /// Vacuum and log cleanup: only list what would be deleted.
  bool dry_run = false;
  /// Vacuum: overrides delta.deletedFileRetentionDuration; log cleanup: delta.logRetentionDuration.
  std::optional<int64_t> retention_hours;
  /// Vacuum: refuse a retention shorter than the table's (as Delta does).
  bool enforce_retention = true;
  /// Optimize: compact partitions holding at least `min_files` files under half of
  /// `target_file_size`, ordering the rewritten rows by `order_by` (the table's clustering).
  int64_t target_file_size = int64_t{128} << 20;
  int64_t row_group_rows = int64_t{1} << 20;
  int min_files = 2;
  std::vector<std::string> order_by;
  /// Recorded with the row: run id and whatever the caller wants to trace.
  std::map<std::string, std::string> commit_metadata;
};

struct MaintenanceOutcome {
  int64_t delta_version = -1;        //!< the version maintained
  std::vector<std::string> deleted;  //!< files deleted (or, dry run, that would be)
  std::map<std::string, int64_t> metrics;
};

/// \brief The statistics columns of a write (CONTRACTS.md DeltaStatsDecision): under `auto`,
/// partition, z-order and lineage columns first, then the rest of the schema, capped at
/// stats_max_columns and limited to columns in the schema.
artifacts::DeltaStatsDecision DecideStats(const std::string& dataset_name,
                                          const artifacts::DeltaWritePolicy& policy,
                                          const std::vector<std::string>& lineage_columns,
                                          const arrow::Schema& schema);

/// \brief The one path of every Delta write: applies the write, schema and Parquet policies,
/// orders rows by partition and z-order keys, writes and commits through the delta layer, and
/// records write_artifacts_v2, delta_mutations_v2 and delta_snapshots_v2 rows.
/// Thread-safe when the artifact store is.
class WritePipeline {
 public:
  WritePipeline(artifacts::ArtifactStore* store, std::string profile_name)
      : store_(store), profile_name_(std::move(profile_name)) {}

  Result<WriteOutcome> Write(const WriteRequest& request);

  /// \brief Checkpoints, vacuums, cleans up the log of or optimizes a table and records a
  /// delta_maintenance_v2 row with the table's retention settings and the metrics.
  Result<MaintenanceOutcome> Maintain(const MaintenanceRequest& request);

 private:
  artifacts::ArtifactStore* store_;
  std::string profile_name_;
};

}  // namespace anatomy::engine
