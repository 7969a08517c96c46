#pragma once

// Reading the Parquet side of a scan's candidate files through Arrow Dataset: one
// ParquetFileFragment per file, restricted to the row groups whose column statistics may hold
// rows matching the scan's filters, scanned by a FileSystemDataset Scanner projecting only the
// needed columns. Internal to the layer.

#include <arrow/type_fwd.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/predicate.h"
#include "anatomy/delta/schema.h"
#include "anatomy/delta/snapshot.h"

namespace anatomy::delta {

/// Finds the physical child matching a logical field (by physical name, or by field id in id
/// mode); -1 when the file has no such column.
int FindPhysical(const arrow::FieldVector& physical, const StructField& logical,
                 ColumnMappingMode mode);

/// What a scan asks of one Parquet file.
struct ParquetReadRequest {
  /// Logical fields to read (non-partition columns); the file's other columns are not decoded.
  std::vector<const StructField*> columns;
  /// Conjunction whose terms on top-level primitive columns prune row groups by statistics.
  /// Terms on other columns (partition, nested, absent, retyped) are left to the row filter.
  std::vector<Predicate> filters;
  const DeltaType* schema = nullptr;  ///< the table schema (types the filter columns)
  ColumnMappingMode mode = ColumnMappingMode::kNone;
  bool prune_row_groups = true;
  /// When not empty: only the row groups holding one of these physical rows (ascending) are read.
  std::vector<uint64_t> only_rows;
};

/// The rows of the kept row groups.
struct ParquetReadResult {
  /// The projected physical columns, in file order (one chunk per scanned batch).
  std::shared_ptr<arrow::Table> table;
  /// Physical row ranges [first row, row count) of the kept row groups, ascending; deletion
  /// vectors index physical rows, so they are applied through these ranges.
  std::vector<std::pair<int64_t, int64_t>> row_ranges;
  int64_t num_rows = 0;  ///< rows in the kept row groups
  int row_groups_total = 0, row_groups_read = 0;
};

/// One data file to read: how to open it (opened only while read, so a scan of many files holds
/// few descriptors) and the path naming it in errors.
struct ParquetInput {
  std::function<Result<std::shared_ptr<arrow::io::RandomAccessFile>>()> open;
  std::string path;
};

/// Reads `file` (a Parquet data file; `path` names it in errors). Corrupt files are errors, not
/// crashes (the Parquet library's exceptions stop here).
Result<ParquetReadResult> ReadParquetRowGroups(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file, const std::string& path,
    const ParquetReadRequest& request);

/// Reads several files, one result per input in input order. Files whose projected physical
/// schemas agree are scanned as one FileSystemDataset (one fragment each); an error names the
/// file it comes from.
Result<std::vector<ParquetReadResult>> ReadParquetFiles(const std::vector<ParquetInput>& inputs,
                                                        const ParquetReadRequest& request);

}  // namespace anatomy::delta
