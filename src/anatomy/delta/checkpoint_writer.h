#pragma once

// Writing checkpoints (PROTOCOL.md "Checkpoints", "Checkpoint Schema") and `_last_checkpoint`:
// classic single-file V1 checkpoints, or, on tables with the v2Checkpoint feature (unless
// delta.checkpointPolicy=classic), UUID-named V2-spec Parquet checkpoints with a
// checkpointMetadata action and inline file actions (no sidecars).

#include <cstdint>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

struct CheckpointInfo {
  int64_t version = -1;
  int64_t num_actions = 0;
  int64_t num_add_files = 0;
  int64_t size_in_bytes = 0;
  bool v2 = false;   ///< a UUID-named V2-spec checkpoint
  std::string path;  ///< relative to the table root
};

/// Writes `_delta_log/<version>.checkpoint.parquet` (or, for v2 checkpoints,
/// `<version>.checkpoint.<uuid>.parquet`) for the snapshot and updates `_last_checkpoint`.
/// Tombstones older than delta.deletedFileRetentionDuration are dropped.
Result<CheckpointInfo> WriteCheckpoint(Storage& storage, const Snapshot& snapshot);

/// Checkpoints the latest version on demand.
Result<CheckpointInfo> CheckpointLatest(std::shared_ptr<Storage> storage);

/// Checkpoints `version` when it is a multiple of delta.checkpointInterval (default 10).
Status MaybeCheckpoint(Storage& storage, int64_t version, const StringMap& configuration);

/// Parses a Delta interval property ("interval 7 days", "7 days", "interval 1 week") in ms.
Result<int64_t> ParseIntervalMs(const std::string& text);

}  // namespace anatomy::delta
