#pragma once

// A table snapshot by log replay (PROTOCOL.md "Action Reconciliation").

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/schema.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

/// Which version to load: latest (both empty), a version, or the latest version committed at or
/// before a timestamp (milliseconds since the epoch; in-commit timestamps where enabled,
/// otherwise commit file modification times).
struct SnapshotOptions {
  std::optional<int64_t> version;
  std::optional<int64_t> timestamp_ms;
  /// false loads the protocol and metadata of a table we cannot read, so a planner can report
  /// its compatibility; such a snapshot must not be scanned.
  bool check_protocol = true;
};

enum class ColumnMappingMode { kNone, kName, kId };

/// The state of a table at one version.
struct Snapshot {
  std::shared_ptr<Storage> storage;
  int64_t version = -1;
  int64_t timestamp_ms = 0;  ///< commit timestamp of `version`
  Protocol protocol;
  Metadata metadata;
  DeltaType schema;                               ///< parsed metadata.schema_string
  std::vector<AddFile> files;                     ///< active files, sorted by path
  std::vector<RemoveFile> tombstones;             ///< removes still in the log, sorted by path
  std::map<std::string, Txn> txns;                ///< by app id
  std::map<std::string, DomainMetadata> domains;  ///< live domains by name
  std::optional<int64_t> checkpoint_version;      ///< the checkpoint replay started from

  ColumnMappingMode column_mapping_mode() const;
  /// Table property with a default.
  std::string Property(const std::string& key, const std::string& fallback = "") const;
  /// Sum of numRecords over active files (minus DV cardinalities); nullopt when any file lacks
  /// stats.
  std::optional<int64_t> NumRecords() const;
};

/// Loads a snapshot, refusing (protocol gate) tables we cannot read.
Result<std::shared_ptr<Snapshot>> LoadSnapshot(std::shared_ptr<Storage> storage,
                                               const SnapshotOptions& options = {});
/// Registers Arrow's compute kernels once (LoadSnapshot calls it; writers call it too).
Status EnsureComputeInitialized();

/// Opens local `path` and loads a snapshot.
Result<std::shared_ptr<Snapshot>> LoadSnapshot(const std::string& path,
                                               const SnapshotOptions& options = {});

/// The latest version in the log (-1 when there is no table).
Result<int64_t> LatestVersion(Storage& storage);

/// One commit of the history.
struct CommitSummary {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::optional<CommitInfo> info;
  int64_t num_add = 0, num_remove = 0, num_cdc = 0;
};
/// Commits still in the log, newest first (at most `limit` when > 0).
Result<std::vector<CommitSummary>> History(Storage& storage, int64_t limit = 0);

/// The commit timestamp of one version (in-commit timestamp if present, else file mtime).
Result<int64_t> CommitTimestamp(Storage& storage, int64_t version);

}  // namespace anatomy::delta
