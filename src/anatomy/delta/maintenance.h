#pragma once

// Vacuum (delete data files no longer referenced, older than delta.deletedFileRetentionDuration)
// and log cleanup (delete log files older than delta.logRetentionDuration below a checkpoint).

#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

struct VacuumOptions {
  bool dry_run = false;
  /// Overrides delta.deletedFileRetentionDuration (default 7 days).
  std::optional<int64_t> retention_ms;
  /// Refuse a retention shorter than the table's unless this is false (as Delta does).
  bool enforce_retention = true;
  int64_t now_ms = 0;  ///< 0 → the clock
};

struct VacuumResult {
  std::vector<std::string> deleted;  ///< or, for a dry run, what would be deleted (relative paths)
  int64_t retention_ms = 0;
};

/// Deletes (or lists) data files and change-data files no snapshot within the retention needs.
Result<VacuumResult> Vacuum(std::shared_ptr<Storage> storage, const VacuumOptions& options = {});

struct LogCleanupOptions {
  bool dry_run = false;
  std::optional<int64_t> retention_ms;  ///< overrides delta.logRetentionDuration (default 30 days)
  int64_t now_ms = 0;
};

/// Deletes commits/checkpoints/checksums older than the log retention that lie entirely below a
/// checkpoint, so every remaining version stays readable. Returns what was (or would be) deleted.
Result<std::vector<std::string>> CleanupLog(std::shared_ptr<Storage> storage,
                                            const LogCleanupOptions& options = {});

}  // namespace anatomy::delta
