#pragma once

#include <arrow/type_fwd.h>

#include <map>
#include <string>
#include <vector>

#include "anatomy/artifacts/rows.h"
#include "anatomy/core/status.h"

namespace anatomy::incremental {

/// \brief The files whose rows an incremental build recomputes, each with its reason: every
/// added, changed, renamed or touched file, and every other file that imports a module whose
/// rows change, transitively (its import or call resolution may read that module's names and
/// definition ids). An import of `a.b` depends on `a`, `a.b` and everything under `a.b`.
///
/// `imports` holds the previous build's import rows (columns path, module, imported_name,
/// is_from, is_star); `current_paths` the files now in the repository.
Result<std::vector<artifacts::ImpactedFile>> ImpactOf(
    const std::vector<artifacts::FileChange>& changes, const arrow::Table& imports,
    const std::vector<std::string>& current_paths);

}  // namespace anatomy::incremental
