#include "anatomy/incremental/impact.h"

#include <arrow/api.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <optional>
#include <set>

#include "anatomy/core/hash.h"
#include "anatomy/extract/scan.h"
#include "anatomy/incremental/columns.h"

namespace anatomy::incremental {

namespace {

bool IsPython(const std::string& path) {
  return path.size() > 3 && path.substr(path.size() - 3) == ".py";
}

// Whether an import naming `target` may resolve differently when module `changed` changes:
// the same module, a package above it, or a module under it.
bool Under(const std::string& a, const std::string& b) {
  return a.size() > b.size() && a.compare(0, b.size(), b) == 0 && a[b.size()] == '.';
}

// One import row: who imports, what, and whether at module level.
struct ImportUse {
  std::string path;
  std::string module;        // `import a.b` / `from a.b import x`: a.b
  std::string name;          // `from a.b import x`: x; else empty
  std::string from_name;     // `from a.b import x`: a.b.x (a name or a submodule); else empty
  std::string bound;         // the name it binds in its scope: `import a.b` binds a
  bool is_star = false;      // `from a.b import *`
  bool module_level = true;  // only module-level imports are reachable from other files
};

// A module whose rows change, and which of its module-level names may now lead elsewhere:
// all of them (unset) when its own surface changed, or the names it binds by imports that
// lead into a changed module.
struct ModuleChange {
  std::string module;
  std::optional<std::set<std::string>> names;
  bool existence = false;  // added, deleted or renamed: packages above it may appear or vanish
};

// Whether an import may resolve differently after `change`. `import a.b` binds `a`: it
// reaches a, a.b, the modules under them, and every name of theirs. `from a.b import x`
// reads the name x of a.b (or the submodule a.b.x, with what is under it). `from a.b import *`
// reads every name of a.b.
bool DependsOn(const ImportUse& use, const ModuleChange& change) {
  const std::string& m = change.module;
  if (m.empty()) return false;
  const bool all_names = !change.names.has_value();
  if (use.from_name.empty() && !use.is_star) {
    return !use.module.empty() && (use.module == m || Under(use.module, m) || Under(m, use.module));
  }
  if (use.module == m) return all_names || use.is_star || change.names->count(use.name) > 0;
  if (!use.is_star && (use.from_name == m || Under(m, use.from_name))) return true;
  // A module appearing or vanishing under `a.b` can make a.b a namespace package, or not.
  return all_names && (Under(use.module, m) || (change.existence && Under(m, use.module)));
}

// Whether `use` reaches the names of `change` only through the module object it binds
// (`import a.b` or `from a import b` of a submodule), so that a name is read only where the
// file spells it (`a.b.name`, `b.name`); `from a.b import x` reads x itself.
bool ReadsThroughBinding(const ImportUse& use, const ModuleChange& change) {
  return !use.is_star && (use.from_name.empty() || use.module != change.module);
}

}  // namespace

namespace {

// The name a star import binds: any.
constexpr const char* kAnyName = "*";

// The first name of a dotted text (`b` for `b.X[T]`).
std::string HeadName(const std::string& text) { return text.substr(0, text.find_first_of(".[( ")); }

// Column `name` of `batch` rendered as text per row ("" for null; a list as its values
// joined by ',', whatever its field name: tables read back from Delta name it `element`).
Result<std::vector<std::string>> Texts(const arrow::RecordBatch& batch, const std::string& name) {
  auto column = batch.GetColumnByName(name);
  if (!column) return Status::Invalid("no column '", name, "'");
  auto render = [](const arrow::Array& array, int64_t i) -> Result<std::string> {
    ARROW_ASSIGN_OR_RAISE(auto scalar, array.GetScalar(i));
    return scalar->ToString();
  };
  std::vector<std::string> out(static_cast<size_t>(batch.num_rows()));
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    if (column->IsNull(i)) continue;
    std::string& text = out[static_cast<size_t>(i)];
    if (column->type_id() == arrow::Type::LIST) {
      auto values = std::static_pointer_cast<arrow::ListArray>(column)->value_slice(i);
      for (int64_t k = 0; k < values->length(); ++k) {
        ARROW_ASSIGN_OR_RAISE(auto value, render(*values, k));
        text += (k ? "," : "") + value;
      }
    } else {
      ARROW_ASSIGN_OR_RAISE(text, render(*column, i));
    }
  }
  return out;
}

// Facts by file_id, then by the module-level name other files read them through.
using Facts = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

// The module-level name the fact of row `row` is read through.
using KeyOf = std::function<std::string(size_t row)>;

// Adds to `facts` one string per row of `table` made of `columns`, under the name `key_of`
// gives; with `module_scopes`, only rows whose scope_id is a module scope.
Status AddFacts(const arrow::RecordBatch& batch, const std::vector<std::string>& file_ids,
                const char* kind, const std::vector<std::string>& columns,
                const std::set<std::string>* module_scopes, const KeyOf& key_of, Facts* facts) {
  std::vector<std::string> scope_ids;
  if (module_scopes) {
    ARROW_ASSIGN_OR_RAISE(scope_ids, Texts(batch, "scope_id"));
  }
  std::vector<std::vector<std::string>> values;
  for (const auto& c : columns) {
    ARROW_ASSIGN_OR_RAISE(auto v, Texts(batch, c));
    values.push_back(std::move(v));
  }
  for (size_t r = 0; r < file_ids.size(); ++r) {
    if (module_scopes && !module_scopes->count(scope_ids[r])) continue;
    std::string fact = kind;
    for (const auto& v : values) fact += "\x1f" + v[r];
    (*facts)[file_ids[r]][key_of(r)].push_back(std::move(fact));
  }
  return Status::OK();
}

// The identifiers of a text (`a`, `b`, `f`, `x` for `a.b.f(x)`). Bytes of UTF-8 sequences
// count as identifier characters.
void AddIdentifiers(const std::string& text, std::set<std::string>* out) {
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    const unsigned char ch = i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
    if (std::isalnum(ch) || ch == '_' || ch >= 0x80) continue;
    if (i > start) out->insert(text.substr(start, i - start));
    start = i + 1;
  }
}

// A definition of a module that reads other names of it, by the module-level name it is
// reached through (`Outer` for `m.Outer.Inner`): a class through its bases and metaclass (whose
// `__call__` a call of the class reaches), a function through its return annotation, an alias
// (`main = TestProgram`) through its dotted name. `heads`: the first name of each base or of
// the metaclass (`b` for `b.X[T]`), or every name of the annotation; `spelled`: every name they
// read.
struct NameReader {
  std::string top_name;
  std::vector<std::string> heads;
  std::set<std::string> spelled;
};

Result<std::map<std::string, std::vector<NameReader>>> ReadersByPath(const ImportGraph& graph) {
  const arrow::Table* classes = graph.classes.get();
  const arrow::Table* returns = graph.returns.get();
  std::map<std::string, std::vector<NameReader>> out;
  if (classes) {
    ARROW_ASSIGN_OR_RAISE(auto batch, classes->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto paths, Texts(*batch, "path"));
    ARROW_ASSIGN_OR_RAISE(auto qnames, Texts(*batch, "qualified_name"));
    auto bases = std::dynamic_pointer_cast<arrow::ListArray>(batch->GetColumnByName("bases"));
    if (!bases || bases->value_type()->id() != arrow::Type::STRING)
      return Status::Invalid("the class definitions lack a list<utf8> column 'bases'");
    auto metaclass =
        std::dynamic_pointer_cast<arrow::StringArray>(batch->GetColumnByName("metaclass"));
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      const std::string& path = paths[static_cast<size_t>(i)];
      NameReader c;
      c.top_name = NameInModule(qnames[static_cast<size_t>(i)], extract::ModuleNameForPath(path));
      auto read = [&c](const std::string& text) {
        c.heads.push_back(HeadName(text));
        AddIdentifiers(text, &c.spelled);
      };
      auto values = std::static_pointer_cast<arrow::StringArray>(bases->value_slice(i));
      for (int64_t k = 0; k < values->length(); ++k) {
        if (!values->IsNull(k)) read(values->GetString(k));
      }
      if (metaclass && !metaclass->IsNull(i)) read(metaclass->GetString(i));
      if (!c.heads.empty()) out[path].push_back(std::move(c));
    }
  }
  if (returns) {
    ARROW_ASSIGN_OR_RAISE(auto batch, returns->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto paths, Texts(*batch, "path"));
    ARROW_ASSIGN_OR_RAISE(auto qnames, Texts(*batch, "qualified_name"));
    ARROW_ASSIGN_OR_RAISE(auto annotations, Texts(*batch, "annotation_text"));
    for (size_t i = 0; i < paths.size(); ++i) {
      NameReader f;
      f.top_name = NameInModule(qnames[i], extract::ModuleNameForPath(paths[i]));
      AddIdentifiers(annotations[i], &f.spelled);
      f.heads.assign(f.spelled.begin(), f.spelled.end());
      if (!f.heads.empty()) out[paths[i]].push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace

std::string NameInModule(const std::string& qname, const std::string& module) {
  const bool in_module = !module.empty() && qname.size() > module.size() &&
                         qname.compare(0, module.size(), module) == 0 &&
                         qname[module.size()] == '.';
  return HeadName(in_module ? qname.substr(module.size() + 1) : qname);
}

Result<std::map<std::string, Surface>> SurfaceSignatures(const SurfaceTables& tables) {
  if (!tables.definitions || !tables.bindings || !tables.imports || !tables.scopes)
    return Status::Invalid("a surface needs the definitions, bindings, imports and scopes");
  std::set<std::string> module_scopes, class_scopes;
  std::map<std::string, std::string> module_of;  // file_id -> module name
  std::map<std::string, std::string> class_of;   // class scope_id -> qualified name
  {
    ARROW_ASSIGN_OR_RAISE(auto batch, tables.scopes->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto ids, Texts(*batch, "scope_id"));
    ARROW_ASSIGN_OR_RAISE(auto kinds, Texts(*batch, "scope_kind"));
    ARROW_ASSIGN_OR_RAISE(auto files, Texts(*batch, "file_id"));
    ARROW_ASSIGN_OR_RAISE(auto qnames, Texts(*batch, "qualified_name"));
    for (size_t i = 0; i < ids.size(); ++i) {
      if (kinds[i] == "class") {
        class_scopes.insert(ids[i]);
        class_of[ids[i]] = qnames[i];
      }
      if (kinds[i] != "module") continue;
      module_scopes.insert(ids[i]);
      module_of[files[i]] = qnames[i];
    }
  }
  Facts facts;
  {
    // A definition is read through the module-level name it is nested in.
    ARROW_ASSIGN_OR_RAISE(auto batch, tables.definitions->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto files, Texts(*batch, "file_id"));
    ARROW_ASSIGN_OR_RAISE(auto qnames, Texts(*batch, "qualified_name"));
    auto key = [&](size_t r) { return NameInModule(qnames[r], module_of[files[r]]); };
    ARROW_RETURN_NOT_OK(AddFacts(*batch, files, "def",
                                 {"qualified_name", "def_kind", "decorators", "bases", "metaclass",
                                  "is_method", "rebound", "returns"},
                                 nullptr, key, &facts));
    // A function's return annotation tells other files what a call of it returns.
    if (tables.annotations) {
      ARROW_ASSIGN_OR_RAISE(auto def_ids, Texts(*batch, "def_id"));
      std::map<std::string, std::string> key_of_def;
      for (size_t r = 0; r < def_ids.size(); ++r) key_of_def[def_ids[r]] = key(r);
      ARROW_ASSIGN_OR_RAISE(auto annotated, tables.annotations->CombineChunksToBatch());
      ARROW_ASSIGN_OR_RAISE(auto target_kinds, Texts(*annotated, "target_kind"));
      ARROW_ASSIGN_OR_RAISE(auto owners, Texts(*annotated, "owner_id"));
      ARROW_ASSIGN_OR_RAISE(auto annotation_files, Texts(*annotated, "file_id"));
      ARROW_ASSIGN_OR_RAISE(auto texts, Texts(*annotated, "annotation_text"));
      for (size_t r = 0; r < owners.size(); ++r) {
        auto owner = key_of_def.find(owners[r]);
        if (target_kinds[r] != "return" || owner == key_of_def.end()) continue;
        facts[annotation_files[r]][owner->second].push_back("return\x1f" + owners[r] + "\x1f" +
                                                            texts[r]);
      }
    }
  }
  if (tables.files) {
    // What `from m import *` binds: m's `__all__` (read through the name `__all__`, which a
    // star importer reads, as it reads every name).
    ARROW_ASSIGN_OR_RAISE(auto batch, tables.files->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto files, Texts(*batch, "file_id"));
    ARROW_ASSIGN_OR_RAISE(auto kinds, Texts(*batch, "all_kind"));
    ARROW_ASSIGN_OR_RAISE(auto names, Texts(*batch, "all_names"));
    for (size_t r = 0; r < files.size(); ++r) {
      if (kinds[r] != "none")
        facts[files[r]]["__all__"].push_back("all\x1f" + kinds[r] + "\x1f" + names[r]);
    }
  }
  {
    ARROW_ASSIGN_OR_RAISE(auto batch, tables.bindings->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto files, Texts(*batch, "file_id"));
    ARROW_ASSIGN_OR_RAISE(auto names, Texts(*batch, "name"));
    ARROW_RETURN_NOT_OK(AddFacts(
        *batch, files, "binding",
        {"name", "flags", "scope_resolution", "resolved_kind", "alias_of", "instance_of"},
        &module_scopes, [&](size_t r) { return names[r]; }, &facts));
    // A name a class body binds is the class's member (a base's is hidden by it): read through
    // the module-level name the class is nested in.
    ARROW_ASSIGN_OR_RAISE(auto scope_ids, Texts(*batch, "scope_id"));
    ARROW_RETURN_NOT_OK(AddFacts(
        *batch, files, "member", {"scope_id", "name", "flags", "alias_of"}, &class_scopes,
        [&](size_t r) { return NameInModule(class_of[scope_ids[r]], module_of[files[r]]); },
        &facts));
  }
  {
    // An import is read through the name it binds; a star import binds any name.
    ARROW_ASSIGN_OR_RAISE(auto batch, tables.imports->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto files, Texts(*batch, "file_id"));
    ARROW_ASSIGN_OR_RAISE(auto module, Texts(*batch, "module"));
    ARROW_ASSIGN_OR_RAISE(auto name, Texts(*batch, "imported_name"));
    ARROW_ASSIGN_OR_RAISE(auto asname, Texts(*batch, "asname"));
    ARROW_ASSIGN_OR_RAISE(auto is_star, Texts(*batch, "is_star"));
    ARROW_ASSIGN_OR_RAISE(auto is_from, Texts(*batch, "is_from"));
    auto key = [&](size_t r) -> std::string {
      if (!asname[r].empty()) return asname[r];
      if (is_from[r] == "true") return is_star[r] == "true" ? kAnyName : name[r];
      return HeadName(module[r]);  // `import a.b` binds a
    };
    ARROW_RETURN_NOT_OK(AddFacts(*batch, files, "import",
                                 {"module", "imported_name", "asname", "level", "is_star",
                                  "is_from", "resolved_kind", "resolved_path"},
                                 &module_scopes, key, &facts));
  }
  std::map<std::string, Surface> out;
  for (auto& [file_id, by_name] : facts) {
    Surface& surface = out[file_id];
    for (auto& [name, list] : by_name) {
      std::sort(list.begin(), list.end());
      std::string joined;
      for (const auto& f : list) joined += f + "\n";
      surface[name] = core::Sha256Hex(joined);
    }
  }
  return out;
}

std::optional<std::set<std::string>> ChangedNames(const Surface& before, const Surface& after) {
  std::set<std::string> changed;
  for (const auto& [name, sig] : before) {
    auto it = after.find(name);
    if (it == after.end() || it->second != sig) changed.insert(name);
  }
  for (const auto& [name, sig] : after) {
    if (!before.count(name)) changed.insert(name);
  }
  if (changed.count(kAnyName)) return std::nullopt;
  return changed;
}

Result<std::vector<artifacts::ImpactedFile>> ImpactOf(const ImpactInputs& inputs) {
  const auto& changes = inputs.changes;
  const auto& current_paths = inputs.current_paths;
  std::map<std::string, std::string> impacted;  // path -> reason
  // The changed modules that reach past themselves: names that may now lead elsewhere
  // (unset: all), and whether the module appeared, vanished or moved.
  struct Reach {
    std::string path;
    std::optional<std::set<std::string>> names;
    bool existence;
  };
  std::vector<Reach> reaches;
  for (const auto& c : changes) {
    if (c.change != "deleted") impacted.emplace(c.path, c.change);
    if (c.change == "touched") continue;           // same content: nothing else can change
    const bool existence = c.change != "changed";  // added, deleted, renamed
    if (auto names = inputs.surface_changes.find(c.path);
        !existence && names != inputs.surface_changes.end()) {
      // Only these names read differently (none: what others read of it is as before).
      if (!names->second.empty()) reaches.push_back({c.path, names->second, false});
      continue;
    }
    reaches.push_back({c.path, std::nullopt, existence});
    if (c.old_path) reaches.push_back({*c.old_path, std::nullopt, existence});
  }
  auto listed = [&] {  // in path order
    std::vector<artifacts::ImpactedFile> out;
    for (auto& [p, reason] : impacted) out.push_back({p, std::move(reason)});
    return out;
  };
  if (reaches.empty()) return listed();
  if (!inputs.import_graph) return Status::Invalid("the impact analysis has no import graph");
  ARROW_ASSIGN_OR_RAISE(const ImportGraph graph, inputs.import_graph());
  if (!graph.imports) return Status::Invalid("the import graph has no imports table");
  const arrow::Table& imports = *graph.imports;
  // Modules whose rows change, with the names that may lead elsewhere; a module is queued
  // again when that set grows, so the walk ends.
  std::deque<ModuleChange> frontier;
  std::map<std::string, std::optional<std::set<std::string>>> seen;
  auto changed_module = [&](const std::string& path, std::optional<std::set<std::string>> names,
                            bool existence = false) {
    if (!IsPython(path)) return;
    std::string m = extract::ModuleNameForPath(path);
    auto [it, inserted] = seen.emplace(m, names);
    if (!inserted) {
      auto& known = it->second;
      if (!known) return;  // already all names
      const size_t before = known->size();
      if (!names) {
        known.reset();
      } else {
        known->insert(names->begin(), names->end());
        if (known->size() == before) return;
      }
    }
    frontier.push_back({m, it->second, existence});
  };
  ARROW_ASSIGN_OR_RAISE(auto readers, ReadersByPath(graph));
  std::set<std::string> aliases_read;
  // The names of module `path` that lead into a change, with the classes based on them, the
  // functions whose return annotations name them, and the aliases and instances of them (read on
  // first use).
  auto with_readers = [&](const std::string& path,
                          std::set<std::string> names) -> Result<std::set<std::string>> {
    if (graph.aliases && aliases_read.insert(path).second) {
      ARROW_ASSIGN_OR_RAISE(auto aliases, graph.aliases(path));
      for (const auto& [name, dotted] : aliases) {
        NameReader a;
        a.top_name = name;
        a.heads.push_back(HeadName(dotted));
        readers[path].push_back(std::move(a));
      }
    }
    auto it = readers.find(path);
    if (it == readers.end()) return names;
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& c : it->second) {
        if (names.count(c.top_name)) continue;
        if (std::any_of(c.heads.begin(), c.heads.end(),
                        [&](const std::string& h) { return names.count(h) > 0; })) {
          names.insert(c.top_name);
          grew = true;
        }
      }
    }
    return names;
  };
  // Whether file `path` reads any of `names` through a module it binds: the names its calls,
  // annotations, classes' bases and return annotations spell (without read_texts, any name).
  std::map<std::string, std::set<std::string>> spelled;
  auto reads_any = [&](const std::string& path,
                       const std::set<std::string>& names) -> Result<bool> {
    if (!inputs.read_texts) return true;
    auto it = spelled.find(path);
    if (it == spelled.end()) {
      std::set<std::string> idents;
      ARROW_ASSIGN_OR_RAISE(auto texts, inputs.read_texts(path));
      for (const auto& t : texts) AddIdentifiers(t, &idents);
      if (auto cs = readers.find(path); cs != readers.end()) {
        for (const auto& c : cs->second) idents.insert(c.spelled.begin(), c.spelled.end());
      }
      it = spelled.emplace(path, std::move(idents)).first;
    }
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return it->second.count(n) > 0; });
  };
  const std::set<std::string> present(current_paths.begin(), current_paths.end());
  for (const auto& r : reaches) {
    std::optional<std::set<std::string>> names;
    if (r.names) {
      ARROW_ASSIGN_OR_RAISE(names, with_readers(r.path, *r.names));
    }
    changed_module(r.path, std::move(names), r.existence);
  }

  // Each import row as an ImportUse.
  ARROW_ASSIGN_OR_RAISE(auto batch, imports.CombineChunksToBatch());
  auto str = [&](const char* name) {
    return ColumnAs<arrow::StringArray>(*batch, name, "extract/imports");
  };
  ARROW_ASSIGN_OR_RAISE(auto path, str("path"));
  ARROW_ASSIGN_OR_RAISE(auto module, str("module"));
  ARROW_ASSIGN_OR_RAISE(auto name, str("imported_name"));
  ARROW_ASSIGN_OR_RAISE(auto asname, str("asname"));
  ARROW_ASSIGN_OR_RAISE(auto scope, str("scope_id"));
  ARROW_ASSIGN_OR_RAISE(auto is_from,
                        ColumnAs<arrow::BooleanArray>(*batch, "is_from", "extract/imports"));
  ARROW_ASSIGN_OR_RAISE(auto is_star,
                        ColumnAs<arrow::BooleanArray>(*batch, "is_star", "extract/imports"));
  std::vector<ImportUse> uses;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    ImportUse use;
    use.path = path->GetString(i);
    use.module = module->GetString(i);
    use.is_star = is_from->Value(i) && is_star->Value(i);
    if (is_from->Value(i) && !use.is_star && !name->IsNull(i)) {
      use.name = name->GetString(i);
      use.from_name = use.module.empty() ? use.name : use.module + "." + use.name;
    }
    if (!asname->IsNull(i)) {
      use.bound = asname->GetString(i);
    } else {
      use.bound = use.from_name.empty() ? use.module.substr(0, use.module.find('.')) : use.name;
    }
    if (graph.module_scopes) {
      use.module_level = graph.module_scopes->count(scope->GetString(i)) > 0;
    }
    uses.push_back(std::move(use));
  }
  // A file whose import may resolve differently is rebuilt; when that import is at module
  // level, the name it binds may lead other files into the change too.
  while (!frontier.empty()) {
    const ModuleChange change = frontier.front();
    frontier.pop_front();
    for (const auto& use : uses) {
      if (!present.count(use.path) || !DependsOn(use, change)) continue;
      if (change.names && ReadsThroughBinding(use, change)) {
        ARROW_ASSIGN_OR_RAISE(const bool reads, reads_any(use.path, *change.names));
        if (!reads) continue;
      }
      impacted.emplace(use.path, "imports " + change.module);
      if (!use.module_level) continue;
      std::optional<std::set<std::string>> names;  // a star import binds any name
      if (!use.is_star) {
        ARROW_ASSIGN_OR_RAISE(names, with_readers(use.path, {use.bound}));
      }
      changed_module(use.path, std::move(names));
    }
  }
  return listed();
}

}  // namespace anatomy::incremental
