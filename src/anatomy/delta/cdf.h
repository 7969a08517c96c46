#pragma once

// Change data feed between two versions (PROTOCOL.md "Add CDC File"): cdc files where a commit
// has them, otherwise the rows of its data-changing add (insert) and remove (delete) actions,
// with _change_type, _commit_version and _commit_timestamp.

#include <arrow/type_fwd.h>

#include <memory>
#include <optional>

#include "anatomy/core/status.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

/// Changes of versions [start_version, end_version] (end defaults to the latest), in the table
/// schema of end_version plus _change_type (string), _commit_version (int64) and
/// _commit_timestamp (timestamp[ms, UTC]: in-commit timestamp, else commitInfo.timestamp, else
/// the commit file's modification time).
Result<std::shared_ptr<arrow::Table>> ReadChangeDataFeed(
    std::shared_ptr<Storage> storage, int64_t start_version,
    std::optional<int64_t> end_version = std::nullopt);

}  // namespace anatomy::delta
