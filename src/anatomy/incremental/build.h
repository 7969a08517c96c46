#pragma once

#include <string>
#include <vector>

#include "anatomy/artifacts/rows.h"
#include "anatomy/core/status.h"
#include "anatomy/pipeline/build.h"

namespace anatomy::incremental {

/// \brief What a build did: the pipeline's summary (of the whole build, or of the files an
/// incremental build recomputed), its mode and why.
struct IncrementalSummary {
  pipeline::BuildSummary build;
  std::string mode;  //!< full | incremental | unchanged
  std::string reason;
  std::vector<artifacts::FileChange> changes;
  std::vector<artifacts::ImpactedFile> impacted;
};

/// \brief `anatomy build`, with `--incremental` or without. Without, a full build. With, the
/// repository is compared with the snapshot of the previous build (OUT/state/repo_snapshot)
/// and only the rows of the impacted files are replaced, in one commit per table; the tables
/// then equal those of a full build. A full build runs instead (and says why) when there is
/// no previous build, it did not finish, or the anatomy version, the profile, the scan globs,
/// a view's plan fingerprint or a table's version (its change-feed cursor) changed.
///
/// Every build records incremental_runs_v1 rows (`started`, then `ok`) and leaves the state
/// for the next one. A build killed at any point leaves every table readable (each commit is
/// atomic), and the next build, seeing no `ok` row, rebuilds fully.
Result<IncrementalSummary> Build(const pipeline::BuildOptions& options, bool incremental,
                                 const pipeline::ProgressFn& progress = {});

}  // namespace anatomy::incremental
