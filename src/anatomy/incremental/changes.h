#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "anatomy/artifacts/rows.h"
#include "anatomy/core/status.h"
#include "anatomy/extract/scan.h"

namespace anatomy::incremental {

/// \brief What the previous build saw of one file (a row of OUT/state/repo_snapshot).
struct FileState {
  std::string path, file_id, sha256;
  int64_t size = 0, mtime_ms = 0;
};

/// \brief The previous build's repository snapshot, by path.
using RepoSnapshot = std::map<std::string, FileState>;

/// \brief How the repository differs from the snapshot.
struct ChangeSet {
  /// added, changed, deleted and renamed files (by content hash); `touched` files have a new
  /// mtime or size hint but the same content.
  std::vector<artifacts::FileChange> changes;
  /// The current state of every file whose snapshot row changes (added, changed, renamed,
  /// touched), and the paths whose row goes (deleted, renamed away).
  std::vector<FileState> upserted;
  std::vector<std::string> removed_paths;
  int64_t files_hashed = 0;
  bool empty() const { return changes.empty(); }
};

/// \brief Compares the scanned files with the snapshot. A file whose size and mtime match its
/// snapshot row is taken as unchanged without reading it; any other file is hashed, and only
/// a different sha256 makes it changed. A deleted and an added file with the same content are
/// a rename.
Result<ChangeSet> DetectChanges(const RepoSnapshot& snapshot, const extract::ScanResult& scan);

}  // namespace anatomy::incremental
