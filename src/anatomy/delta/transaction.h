#pragma once

// Atomic commits with optimistic concurrency (PROTOCOL.md "Creation of New Log Entries"):
// the commit file is created with put-if-absent; after a lost race the winning commits are
// read, real conflicts fail, and non-conflicting commits are retried at the next version.

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

/// What a transaction read and changes, for conflict checks against concurrent winners.
struct CommitIntent {
  int64_t read_version = -1;    ///< -1 when creating the table
  std::vector<Action> actions;  ///< commitInfo first; readVersion is updated on retry
  bool blind_append = true;     ///< only adds, nothing read: commutes with concurrent writes
  /// Files whose presence the transaction depends on (removed ones); a winner removing any
  /// conflicts.
  std::set<std::string> removed_paths;
  /// For non-blind transactions: a winner's data-changing add for which this returns true
  /// touched data we read (e.g. the partitions an overwrite replaces) and conflicts.
  std::function<bool(const AddFile&)> reads;
  std::string app_id;  ///< txn app id (a winner with the same app id conflicts)
  int max_retries = 10;
  bool in_commit_timestamp = false;  ///< set commitInfo.inCommitTimestamp (> the previous one)
};

/// Outcome of a commit.
struct CommitResult {
  int64_t version = -1;
  int attempts = 0;
};

/// Commits the intent; fails with Status::Invalid("… conflict …") on a real conflict and
/// IOError when retries run out.
Result<CommitResult> Commit(Storage& storage, CommitIntent intent);

}  // namespace anatomy::delta
