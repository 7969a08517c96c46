#pragma once

// The files of `_delta_log` (PROTOCOL.md "Delta Log Entries", "Checkpoints", "Last Checkpoint
// File").

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

inline constexpr const char* kLogDir = "_delta_log";

/// One complete checkpoint at a version: a classic single file, all parts of a multi-part
/// checkpoint, or a UUID-named (v2) top-level file.
struct CheckpointFiles {
  int64_t version = 0;
  std::vector<std::string> paths;  ///< relative to the table root, part order
  bool v2 = false;                 ///< UUID-named checkpoint
  bool json = false;               ///< v2 checkpoint stored as JSON
};

/// A listing of `_delta_log`.
struct LogListing {
  std::map<int64_t, StorageEntry> commits;   ///< version → NNN.json
  std::vector<CheckpointFiles> checkpoints;  ///< complete ones only, ascending by version
};

/// Lists and classifies `_delta_log` (hidden files, `.crc`, temp and foreign files are skipped).
Result<LogListing> ListLog(Storage& storage);

/// "_delta_log/%020d.json".
std::string CommitPath(int64_t version);

/// Reads every action of a checkpoint (classic or v2 with sidecars).
Result<std::vector<Action>> ReadCheckpoint(Storage& storage, const CheckpointFiles& cp);

/// Reads and parses one commit file.
Result<std::vector<Action>> ReadCommit(Storage& storage, int64_t version);

/// The parsed `_last_checkpoint` hint, if present and readable.
struct LastCheckpoint {
  int64_t version = 0;
  int64_t size = 0;
  std::optional<int64_t> parts;
  std::optional<std::string> v2_path;  ///< v2Checkpoint.path: a file name in `_delta_log`
};
Result<std::optional<LastCheckpoint>> ReadLastCheckpoint(Storage& storage);

/// The checkpoint a `_last_checkpoint` hint names, when all its files exist (nullopt otherwise:
/// the hint is stale or names something we cannot find without a listing).
Result<std::optional<CheckpointFiles>> HintedCheckpoint(Storage& storage,
                                                        const LastCheckpoint& hint);

}  // namespace anatomy::delta
