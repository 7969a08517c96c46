#pragma once

#include <arrow/type_fwd.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
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
  /// The previous build's import rows (columns path, module, imported_name, is_from, is_star,
  /// and scope_id).
  std::shared_ptr<arrow::Table> imports;
  /// The module scopes' ids: imports in other scopes are reached by no other file. Unset: all
  /// imports count as module-level.
  std::optional<std::set<std::string>> module_scopes;
  /// The previous build's class definitions (columns path, qualified_name, bases). A class
  /// whose base names a name that leads into a change resolves its members there: the class
  /// leads there too. Unset: no class is followed.
  std::shared_ptr<arrow::Table> classes;
  /// The files now in the repository.
  std::vector<std::string> current_paths;
  /// Changed files whose surface (SurfaceSignatures) is unchanged. Ids of definitions,
  /// scopes and bindings derive from names, not spans, so no other file's rows change.
  std::set<std::string> same_surface;
};

/// \brief The files whose rows an incremental build recomputes, each with its reason: every
/// added, changed, renamed or touched file; for a change that alters a module's surface (or
/// adds, deletes or renames it), every file that imports the module, and transitively the
/// files importing those at module level (their names lead into it, and so do the classes
/// based on those names, whose members calls look up in the bases). `import a.b` depends on
/// `a`, `a.b` and the modules under them; `from a.b import x` on `a`, `a.b`, and `a.b.x` with
/// what is under it.
Result<std::vector<artifacts::ImpactedFile>> ImpactOf(const ImpactInputs& inputs);

}  // namespace anatomy::incremental
