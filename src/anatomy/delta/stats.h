#pragma once

// Per-file statistics (PROTOCOL.md "Per-file Statistics"), parsed for pruning.

#include <arrow/type_fwd.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "anatomy/core/status.h"

namespace anatomy::delta {

/// Stats of one top-level column of one file, typed as the column.
struct ColumnStats {
  std::shared_ptr<arrow::Scalar> min;  ///< nullptr when absent
  std::shared_ptr<arrow::Scalar> max;
  std::optional<int64_t> null_count;
};

/// Parsed stats of one file.
struct FileStats {
  std::optional<int64_t> num_records;
  bool tight_bounds = true;
  std::map<std::string, ColumnStats> columns;  ///< keyed by physical column name
};

/// numRecords of a stats JSON string (nullopt when absent or unreadable).
std::optional<int64_t> NumRecordsFromStats(const std::string& stats_json);

/// Parses stats for the given top-level columns (physical name → Arrow type). Values that do not
/// parse are dropped (the file is then simply not pruned on them); malformed JSON fails.
Result<FileStats> ParseFileStats(
    const std::string& stats_json,
    const std::map<std::string, std::shared_ptr<arrow::DataType>>& columns);

}  // namespace anatomy::delta
