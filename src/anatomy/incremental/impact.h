#pragma once

#include <arrow/type_fwd.h>

#include <map>
#include <memory>
#include <memory>
#include <string>
#include <vector>

#include "anatomy/artifacts/rows.h"
#include "anatomy/core/status.h"

namespace anatomy::incremental {

/// \brief What other files can read of each file when they resolve imports and calls: its
/// definitions (qualified name, kind, decorators, bases), its module-level bindings (name,
/// flags, resolution) and its module-level imports. By file_id, as a sha256 of the sorted
/// facts. The tables are extraction tables (definitions, bindings, imports, scopes) of any
/// set of files.
Result<std::map<std::string, std::string>> SurfaceSignatures(const arrow::Table& definitions,
                                                             const arrow::Table& bindings,
                                                             const arrow::Table& imports,
                                                             const arrow::Table& scopes);

/// \brief What the impact analysis knows.
struct ImpactInputs {
  std::vector<artifacts::FileChange> changes;
  /// The previous build's import rows (columns path, module, imported_name, is_from, is_star).
  std::shared_ptr<arrow::Table> imports;
  /// The files now in the repository.
  std::vector<std::string> current_paths;
  /// Changed files whose surface (SurfaceSignatures) is unchanged, each with the files whose
  /// previous rows resolve into it (imports and calls naming its file id).
  std::map<std::string, std::vector<std::string>> same_surface;
};

/// \brief The files whose rows an incremental build recomputes, each with its reason: every
/// added, changed, renamed or touched file; for a changed file whose surface is unchanged,
/// the files whose rows resolve into it (only ids and spans can differ for them); for any
/// other change, every file that imports the module, transitively (its resolution may now
/// find other names). An import of `a.b` depends on `a`, `a.b` and everything under `a.b`.
Result<std::vector<artifacts::ImpactedFile>> ImpactOf(const ImpactInputs& inputs);

}  // namespace anatomy::incremental
