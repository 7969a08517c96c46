#pragma once

#include <arrow/type_fwd.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "anatomy/artifacts/rows.h"
#include "anatomy/artifacts/store.h"
#include "anatomy/core/status.h"
#include "anatomy/delta/predicate.h"
#include "anatomy/incremental/changes.h"

namespace anatomy::incremental {

/// \brief OUT/state/repo_snapshot: file_id, path, sha256, size, mtime_ms of every file the
/// last build saw.
std::string SnapshotUri(const std::string& out);
/// \brief OUT/state/cursors: the Delta version each build table was left at (table_name,
/// table_uri, delta_version, run_id). A table at another version changed outside anatomy.
std::string CursorsUri(const std::string& out);

/// \brief Every table a build writes, as (cursor name, location): the extraction tables
/// (`extract/<dataset>`), the six outputs and the qualified names' uses
/// (`state/qualified_names`).
std::vector<std::pair<std::string, std::string>> TrackedTables(const std::string& out);

/// \brief The latest version of the Delta table at `uri` (-1 when there is none).
Result<int64_t> TableVersion(const std::string& uri);

/// \brief Rows of the Delta table at `uri` (these columns, rows matching the conjunction).
Result<std::shared_ptr<arrow::Table>> ReadTable(const std::string& uri,
                                                std::vector<std::string> columns = {},
                                                std::vector<delta::Predicate> filters = {});

/// \brief Snapshot rows (the schema of OUT/state/repo_snapshot) of these files.
Result<std::shared_ptr<arrow::Table>> SnapshotRows(const std::vector<FileState>& files);
Result<RepoSnapshot> LoadRepoSnapshot(const std::string& out);

/// \brief Cursor rows for these table versions.
Result<std::shared_ptr<arrow::Table>> CursorRows(const std::string& out,
                                                 const std::map<std::string, int64_t>& versions,
                                                 const std::string& run_id);
/// \brief The cursors as (table name -> version).
Result<std::map<std::string, int64_t>> LoadCursors(const std::string& out);

/// \brief The latest incremental_runs_v1 row (a run's `ok` row counts after its `started`).
Result<std::optional<artifacts::IncrementalRunRow>> LastRun(const artifacts::ArtifactStore& store);

}  // namespace anatomy::incremental
