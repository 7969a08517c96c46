#pragma once

#include <arrow/type_fwd.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "anatomy/artifacts/rows.h"
#include "anatomy/core/status.h"

namespace anatomy::incremental {

/// \brief What other files can read of a file, by the module-level name they read it
/// through: its definitions (qualified name, kind, decorators, bases, return annotation)
/// under the name they are nested in, its `__all__` (what a star import of it binds), its
/// module-level bindings and its module-level imports under the name they bind ("*" for a star
/// import). Each name maps to a sha256 of its sorted facts.
using Surface = std::map<std::string, std::string>;

/// \brief The extraction tables of any set of files a Surface is made of.
struct SurfaceTables {
  std::shared_ptr<arrow::Table> definitions{}, bindings{}, imports{}, scopes{};
  std::shared_ptr<arrow::Table> annotations{};  // unset: no return annotation is read
  std::shared_ptr<arrow::Table> files{};        // unset: no `__all__` is read
};

/// The module-level name a qualified name of module `module` is nested in (`Outer` for
/// `m.Outer.Inner` of `m`), by which other files read what it names.
std::string NameInModule(const std::string& qname, const std::string& module);

/// \brief The Surface of each file (by file_id) of extraction tables.
Result<std::map<std::string, Surface>> SurfaceSignatures(const SurfaceTables& tables);

/// \brief The names whose facts differ between two surfaces of a file; nullopt when a star
/// import changed (any name may now be bound).
std::optional<std::set<std::string>> ChangedNames(const Surface& before, const Surface& after);

/// \brief What a change that reaches past the changed files is followed through.
struct ImportGraph {
  /// The previous build's import rows (columns path, module, imported_name, asname, is_from,
  /// is_star and scope_id).
  std::shared_ptr<arrow::Table> imports;
  /// The module scopes' ids: imports in other scopes are reached by no other file. Unset: all
  /// imports count as module-level.
  std::optional<std::set<std::string>> module_scopes;
  /// The previous build's class definitions (columns path, qualified_name, bases and,
  /// optionally, metaclass). A class whose base or metaclass names a name that leads into a
  /// change resolves its members (or its calls) there: the class leads there too. Unset: no
  /// class is followed.
  std::shared_ptr<arrow::Table> classes{};
  /// The previous build's return annotations (columns path, qualified_name of the function,
  /// annotation_text), and the calls function bodies return (`definitions.returns`, `Model()`,
  /// as annotation_text). What a call of a function returns is read through the names its
  /// annotation (or returned call) spells: a function (or the class of a method) whose annotation
  /// names a name that leads into a change leads there too. Unset: no annotation is followed.
  std::shared_ptr<arrow::Table> returns{};
  /// The module-level aliases and instances of a file in the previous build, as (name, text):
  /// `main = TestProgram`, `default = Policy()` (bindings.alias_of, bindings.instance_of), and
  /// its class bodies' aliases under their class's module-level name (`Outer` for
  /// `Outer.Inner`'s `check = Base.check`). Each reads the name its text starts from: what is
  /// read through its name leads where that name leads. Asked once per module the change
  /// reaches. Unset: no alias or instance is followed.
  std::function<Result<std::vector<std::pair<std::string, std::string>>>(const std::string& path)>
      aliases{};
};

/// \brief What the impact analysis knows.
struct ImpactInputs {
  std::vector<artifacts::FileChange> changes;
  /// Loads the ImportGraph; called only when a change reaches past the changed files (an
  /// edit that keeps what others read of a file needs none of it).
  std::function<Result<ImportGraph>()> import_graph;
  /// The files now in the repository.
  std::vector<std::string> current_paths;
  /// Changed files whose surfaces were compared, with the names whose facts changed
  /// (ChangedNames; empty: other files read the same of it). Ids of definitions, scopes and
  /// bindings derive from names, not spans, so other files' rows change only where they read
  /// a changed name. A changed file not listed changed every name.
  std::map<std::string, std::set<std::string>> surface_changes;
  /// The texts a file spells names of other modules in: the callee texts of its calls (`a.b.f`
  /// for `a.b.f(x)`), its annotations (`a.b.Model`) and its aliases (`f = a.b.f`). A file that
  /// binds a changed module
  /// (`import a.b`) reads its names only there and in class bases; with this set, it is
  /// rebuilt only when it spells a changed name there. Unset: it is always rebuilt.
  std::function<Result<std::vector<std::string>>(const std::string& path)> read_texts;
};

/// \brief The files whose rows an incremental build recomputes, each with its reason: every
/// added, changed, renamed or touched file; for a change that alters a module's surface (or
/// adds, deletes or renames it), every file that imports the module, and transitively the
/// files importing those at module level (their names lead into it, and so do the classes
/// based on those names, whose members calls look up in the bases, and the functions whose
/// return annotations spell them, and the module-level aliases of them). `import a.b` depends on
/// `a`, `a.b` and the modules under them; `from a.b import x` on `a`, `a.b`, and `a.b.x` with
/// what is under it.
Result<std::vector<artifacts::ImpactedFile>> ImpactOf(const ImpactInputs& inputs);

}  // namespace anatomy::incremental
