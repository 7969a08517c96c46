#pragma once

// Reading a snapshot's rows: Parquet data files of the candidate files (only the projected
// columns and the row groups the filters may match), column mapping,
// partition values and deletion vectors applied, columns in table-schema order.

#include <arrow/type_fwd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/predicate.h"
#include "anatomy/delta/snapshot.h"

namespace anatomy::delta {

/// What a scan read, for tests and benchmarks.
struct ScanMetrics {
  int64_t files_read = 0;
  int64_t row_groups_total = 0;  ///< Parquet row groups in the files read
  int64_t row_groups_read = 0;   ///< of those, the ones decoded (not ruled out by statistics)
};

struct ScanOptions {
  /// Logical top-level columns to return (table-schema order is kept); empty → all.
  std::vector<std::string> columns;
  /// Conjunction used to prune files (log stats), then Parquet row groups (footer stats), and
  /// then to filter rows exactly.
  std::vector<Predicate> filters;
  /// Skip row groups whose Parquet statistics prove no row matches `filters`.
  bool prune_row_groups = true;
  /// When set, reset and filled by the scan (a streaming scan fills it as files are read).
  std::shared_ptr<ScanMetrics> metrics = nullptr;
};

/// The logical Arrow schema of the scan output.
Result<std::shared_ptr<arrow::Schema>> ScanSchema(const Snapshot& snapshot,
                                                  const ScanOptions& options);

/// Reads one active file as logical columns (all columns of `schema`), no row filter; its
/// deletion vector applied, or else every physical row in file order.
Result<std::shared_ptr<arrow::Table>> ReadDataFile(const Snapshot& snapshot, const AddFile& file,
                                                   const std::shared_ptr<arrow::Schema>& schema,
                                                   bool apply_deletion_vector = true);

/// Reads the physical rows `rows` (ascending positions in the data file, deletion vector not
/// applied) of one active file, decoding only the row groups that hold them.
Result<std::shared_ptr<arrow::Table>> ReadDataFileRows(const Snapshot& snapshot,
                                                       const AddFile& file,
                                                       const std::shared_ptr<arrow::Schema>& schema,
                                                       const std::vector<uint64_t>& rows);

/// Reads the snapshot into one table.
Result<std::shared_ptr<arrow::Table>> ScanToTable(const Snapshot& snapshot,
                                                  const ScanOptions& options = {});

/// Streams the snapshot file by file (pruned, filtered, DVs applied); memory holds one file.
Result<std::shared_ptr<arrow::RecordBatchReader>> ScanBatches(
    std::shared_ptr<const Snapshot> snapshot, const ScanOptions& options = {});

}  // namespace anatomy::delta
