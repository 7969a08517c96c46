#pragma once

// File pruning from partition values and per-file stats.

#include <cstdint>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/predicate.h"
#include "anatomy/delta/snapshot.h"

namespace anatomy::delta {

/// Which active files may hold rows matching the filters.
struct PruningResult {
  int64_t total_files = 0;
  int64_t candidate_files = 0;
  int64_t pruned_files = 0;
  int64_t pruned_by_partition = 0;
  int64_t pruned_by_stats = 0;
  std::vector<AddFile> candidates;  ///< in snapshot order
};

/// Keeps every file that might match the conjunction; files without stats are kept.
/// Unknown columns fail; literals that do not fit the column type fail naming both.
Result<PruningResult> PruneFiles(const Snapshot& snapshot, const std::vector<Predicate>& filters);

/// Keeps every file that might match any of the conjunctions `any` (a file's stats are parsed
/// once for all of them). A file is counted as pruned by partition when every conjunction
/// rules it out by partition values.
Result<PruningResult> PruneFilesAny(const Snapshot& snapshot,
                                    const std::vector<std::vector<Predicate>>& any);

}  // namespace anatomy::delta
