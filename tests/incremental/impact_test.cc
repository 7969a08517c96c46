#include "anatomy/incremental/impact.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <functional>

namespace anatomy::incremental {
namespace {

struct Import {
  std::string path, module;
  std::optional<std::string> name;
  bool is_from = false, is_star = false;
  std::string scope = "module";
};

std::shared_ptr<arrow::Table> Imports(const std::vector<Import>& rows) {
  arrow::StringBuilder path, module, name, asname, scope;
  arrow::BooleanBuilder is_from, is_star;
  for (const auto& r : rows) {
    EXPECT_TRUE(path.Append(r.path).ok());
    EXPECT_TRUE(scope.Append(r.path + ":" + r.scope).ok());
    EXPECT_TRUE(module.Append(r.module).ok());
    EXPECT_TRUE((r.name ? name.Append(*r.name) : name.AppendNull()).ok());
    EXPECT_TRUE(asname.AppendNull().ok());
    EXPECT_TRUE(is_from.Append(r.is_from).ok());
    EXPECT_TRUE(is_star.Append(r.is_star).ok());
  }
  auto schema = arrow::schema(
      {arrow::field("path", arrow::utf8()), arrow::field("module", arrow::utf8()),
       arrow::field("imported_name", arrow::utf8()), arrow::field("asname", arrow::utf8()),
       arrow::field("is_from", arrow::boolean()), arrow::field("is_star", arrow::boolean()),
       arrow::field("scope_id", arrow::utf8())});
  return arrow::Table::Make(
      schema, {path.Finish().ValueOrDie(), module.Finish().ValueOrDie(), name.Finish().ValueOrDie(),
               asname.Finish().ValueOrDie(), is_from.Finish().ValueOrDie(),
               is_star.Finish().ValueOrDie(), scope.Finish().ValueOrDie()});
}

// A loader of `graph` that counts its calls in `*loads`.
std::function<Result<ImportGraph>()> Loader(ImportGraph graph, int* loads = nullptr) {
  return [graph, loads]() -> Result<ImportGraph> {
    if (loads) ++*loads;
    return graph;
  };
}

std::map<std::string, std::string> Impact(
    const std::vector<artifacts::FileChange>& changes, const std::vector<Import>& imports,
    std::map<std::string, std::set<std::string>> surface_changes = {}, int* loads = nullptr) {
  ImpactInputs inputs;
  inputs.changes = changes;
  inputs.current_paths = {"a/__init__.py", "a/b.py", "c.py", "d.py", "e.py", "f.py", "g.txt"};
  inputs.surface_changes = std::move(surface_changes);
  ImportGraph graph;
  graph.imports = Imports(imports);
  graph.module_scopes.emplace();
  for (const auto& p : inputs.current_paths) graph.module_scopes->insert(p + ":module");
  inputs.import_graph = Loader(std::move(graph), loads);
  auto impacted = ImpactOf(inputs);
  EXPECT_TRUE(impacted.ok()) << impacted.status().ToString();
  std::map<std::string, std::string> out;
  for (const auto& i : *impacted) out[i.path] = i.reason;
  return out;
}

TEST(Impact, ImportersOfAChangedModuleTransitively) {
  const std::vector<Import> imports = {
      {"c.py", "a.b", std::nullopt},          // import a.b
      {"d.py", "c", std::string("a"), true},  // from c import a: c's `a`, which leads to a.b
      {"e.py", "a", std::string("b"), true},  // from a import b: the submodule a.b
      {"f.py", "os", std::nullopt},           // unrelated
  };
  auto got = Impact({{"a/b.py", "changed", std::nullopt}}, imports);
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"a/b.py", "changed"},
                                                     {"c.py", "imports a.b"},
                                                     {"d.py", "imports c"},
                                                     {"e.py", "imports a.b"}}));
}

TEST(Impact, PackagesAboveAndModulesBelowCount) {
  // Importing `a` reads a's namespace, where the submodule a.b lives; a change to the package
  // a/__init__.py reaches `import a.b` (which runs a/__init__.py first).
  EXPECT_EQ(
      Impact({{"a/b.py", "changed", std::nullopt}}, {{"c.py", "a", std::nullopt}}).count("c.py"),
      1u);
  EXPECT_EQ(Impact({{"a/__init__.py", "changed", std::nullopt}}, {{"c.py", "a.b", std::nullopt}})
                .count("c.py"),
            1u);
  EXPECT_EQ(
      Impact({{"a/b.py", "changed", std::nullopt}}, {{"c.py", "ab", std::nullopt}}).count("c.py"),
      0u);
}

TEST(Impact, TouchedAndNonPythonFilesReachNoImporter) {
  auto got = Impact({{"c.py", "touched", std::nullopt}, {"g.txt", "changed", std::nullopt}},
                    {{"d.py", "c", std::nullopt}});
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"c.py", "touched"}, {"g.txt", "changed"}}));
}

TEST(Impact, DeletedAndRenamedModulesReachTheirImporters) {
  auto got =
      Impact({{"gone.py", "deleted", std::nullopt}, {"f.py", "renamed", std::string("old.py")}},
             {{"c.py", "gone", std::nullopt},
              {"d.py", "old", std::nullopt},
              {"gone.py", "c", std::nullopt}});
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"c.py", "imports gone"}, {"d.py", "imports old"}, {"f.py", "renamed"}}));
}

TEST(Impact, FromImportsReadTheNameNotTheWholePackage) {
  const std::vector<Import> imports = {{"c.py", "a", std::string("x"), true},   // from a import x
                                       {"d.py", "a", std::string("b"), true}};  // from a import b
  auto got = Impact({{"a/b.py", "changed", std::nullopt}}, imports);
  EXPECT_EQ(got.count("c.py"), 0u);  // a.b is neither a nor a.x
  EXPECT_EQ(got.at("d.py"), "imports a.b");
}

TEST(Impact, ImportsInsideFunctionsAreNotReachedThroughTheImporter) {
  const std::vector<Import> imports = {
      {"c.py", "a.b", std::nullopt, false, false, "function"},  // def f(): import a.b
      {"d.py", "c", std::nullopt},                              // import c
      {"e.py", "a.b", std::nullopt},                            // import a.b at module level
      {"f.py", "e", std::nullopt}};                             // import e
  auto got = Impact({{"a/b.py", "changed", std::nullopt}}, imports);
  EXPECT_EQ(got.at("c.py"), "imports a.b");
  EXPECT_EQ(got.count("d.py"), 0u) << (got.count("d.py") ? got.at("d.py") : "");
  EXPECT_EQ(got.at("e.py"), "imports a.b");
  EXPECT_EQ(got.at("f.py"), "imports e");
}

TEST(Impact, ReexportsCarryOnlyTheNamesThatLeadIntoTheChange) {
  const std::vector<Import> imports = {
      {"c.py", "a.b", std::nullopt},               // import a.b: c binds `a`
      {"d.py", "c", std::string("helper"), true},  // from c import helper
      {"e.py", "c", std::string("a"), true},       // from c import a
      {"f.py", "c", std::nullopt}};                // import c
  auto got = Impact({{"a/b.py", "changed", std::nullopt}}, imports);
  EXPECT_EQ(got.count("d.py"), 0u);  // c's `helper` is not the `a` that leads into a.b
  EXPECT_EQ(got.at("e.py"), "imports c");
  EXPECT_EQ(got.at("f.py"), "imports c");
}

TEST(Impact, AnUnchangedSurfaceReachesNoOtherFile) {
  const std::vector<Import> imports = {{"c.py", "a.b", std::nullopt},
                                       {"d.py", "c", std::string("x"), true}};
  int loads = 0;
  auto got = Impact({{"a/b.py", "changed", std::nullopt}}, imports, {{"a/b.py", {}}}, &loads);
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"a/b.py", "changed"}}));
  EXPECT_EQ(loads, 0);  // the import graph is not read
  Impact({{"a/b.py", "changed", std::nullopt}}, imports, {{"a/b.py", {"x"}}}, &loads);
  EXPECT_EQ(loads, 1);
}

// Class definitions: path, qualified_name, bases; a metaclass column when `metaclasses` (by
// qualified name) is given.
std::shared_ptr<arrow::Table> Classes(
    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>& rows,
    const std::map<std::string, std::string>& metaclasses = {}) {
  arrow::StringBuilder path, qname, metaclass;
  arrow::ListBuilder bases(arrow::default_memory_pool(), std::make_shared<arrow::StringBuilder>());
  auto* base = static_cast<arrow::StringBuilder*>(bases.value_builder());
  for (const auto& [p, q, b] : rows) {
    EXPECT_TRUE(path.Append(p).ok());
    EXPECT_TRUE(qname.Append(q).ok());
    EXPECT_TRUE(bases.Append().ok());
    EXPECT_TRUE(base->AppendValues(b).ok());
    auto m = metaclasses.find(q);
    EXPECT_TRUE(
        (m == metaclasses.end() ? metaclass.AppendNull() : metaclass.Append(m->second)).ok());
  }
  arrow::FieldVector fields = {arrow::field("path", arrow::utf8()),
                               arrow::field("qualified_name", arrow::utf8()),
                               arrow::field("bases", arrow::list(arrow::utf8()))};
  arrow::ArrayVector columns = {path.Finish().ValueOrDie(), qname.Finish().ValueOrDie(),
                                bases.Finish().ValueOrDie()};
  if (!metaclasses.empty()) {
    fields.push_back(arrow::field("metaclass", arrow::utf8()));
    columns.push_back(metaclass.Finish().ValueOrDie());
  }
  return arrow::Table::Make(arrow::schema(fields), columns);
}

TEST(Impact, ClassesBasedOnANameThatLeadsIntoTheChangeLeadThereToo) {
  // a/b.py changes; c.py: `from a.b import Base` / `class Cls(Base)` / `class Sub(Cls)` /
  // `class Other(object)`. A call `Cls.method()` elsewhere looks method up in a.b's Base.
  const std::vector<Import> imports = {
      {"c.py", "a.b", std::string("Base"), true},  // from a.b import Base
      {"d.py", "c", std::string("Sub"), true},     // from c import Sub
      {"e.py", "c", std::string("Other"), true},   // from c import Other
      {"f.py", "c", std::string("Outer"), true}};  // from c import Outer
  ImpactInputs inputs;
  inputs.changes = {{"a/b.py", "changed", std::nullopt}};
  inputs.import_graph = Loader({Imports(imports), std::nullopt,
                                Classes({{"c.py", "c.Cls", {"Base"}},
                                         {"c.py", "c.Sub", {"Cls", "object"}},
                                         {"c.py", "c.Other", {"object"}},
                                         {"c.py", "c.Outer.Inner", {"Base.Mixin"}}})});
  inputs.current_paths = {"a/b.py", "c.py", "d.py", "e.py", "f.py"};
  auto impacted = ImpactOf(inputs);
  ASSERT_TRUE(impacted.ok()) << impacted.status().ToString();
  std::map<std::string, std::string> got;
  for (const auto& i : *impacted) got[i.path] = i.reason;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"a/b.py", "changed"},
                                                     {"c.py", "imports a.b"},
                                                     {"d.py", "imports c"},
                                                     {"f.py", "imports c"}}));
}

std::shared_ptr<arrow::Table> StringTable(const std::vector<std::string>& names,
                                          const std::vector<std::vector<std::string>>& rows) {
  arrow::FieldVector fields;
  arrow::ArrayVector columns;
  for (size_t c = 0; c < names.size(); ++c) {
    arrow::StringBuilder b;
    for (const auto& r : rows) EXPECT_TRUE(b.Append(r[c]).ok());
    fields.push_back(arrow::field(names[c], arrow::utf8()));
    columns.push_back(b.Finish().ValueOrDie());
  }
  return arrow::Table::Make(arrow::schema(fields), columns);
}

// Annotation rows: file_id, target_kind, owner_id (a def_id for a return), annotation_text.
std::shared_ptr<arrow::Table> Annotations(const std::vector<std::vector<std::string>>& rows = {}) {
  return StringTable({"file_id", "target_kind", "owner_id", "annotation_text"}, rows);
}

// Definition rows: file_id, def_id, qualified_name, def_kind, decorators, bases, is_method,
// rebound, metaclass and, when given, returns (empty otherwise).
std::shared_ptr<arrow::Table> Definitions(std::vector<std::vector<std::string>> rows = {}) {
  for (auto& r : rows)
    if (r.size() == 9) r.push_back("");
  return StringTable({"file_id", "def_id", "qualified_name", "def_kind", "decorators", "bases",
                      "is_method", "rebound", "metaclass", "returns"},
                     rows);
}

// Binding rows: file_id, scope_id, name, flags, scope_resolution, resolved_kind, alias_of,
// instance_of.
std::shared_ptr<arrow::Table> Bindings(const std::vector<std::vector<std::string>>& rows = {}) {
  return StringTable({"file_id", "scope_id", "name", "flags", "scope_resolution", "resolved_kind",
                      "alias_of", "instance_of"},
                     rows);
}

// Import rows: file_id, scope_id, module, imported_name, asname, level, is_star, is_from,
// resolved_kind, resolved_path.
std::shared_ptr<arrow::Table> Imports(const std::vector<std::vector<std::string>>& rows = {}) {
  return StringTable({"file_id", "scope_id", "module", "imported_name", "asname", "level",
                      "is_star", "is_from", "resolved_kind", "resolved_path"},
                     rows);
}

TEST(Impact, ClassesWhoseMetaclassLeadsIntoTheChangeLeadThereToo) {
  // a/b.py changes; c.py: `from a.b import Meta` / `class Enumish(metaclass=Meta)`. A call
  // `Enumish()` elsewhere reaches Meta.__call__ when a.b defines one.
  const std::vector<Import> imports = {
      {"c.py", "a.b", std::string("Meta"), true},   // from a.b import Meta
      {"d.py", "c", std::string("Enumish"), true},  // from c import Enumish
      {"e.py", "c", std::string("Plain"), true}};   // from c import Plain
  ImpactInputs inputs;
  inputs.changes = {{"a/b.py", "changed", std::nullopt}};
  inputs.import_graph = Loader(
      {Imports(imports), std::nullopt,
       Classes({{"c.py", "c.Enumish", {}}, {"c.py", "c.Plain", {}}}, {{"c.Enumish", "Meta"}})});
  inputs.current_paths = {"a/b.py", "c.py", "d.py", "e.py"};
  auto impacted = ImpactOf(inputs);
  ASSERT_TRUE(impacted.ok()) << impacted.status().ToString();
  std::map<std::string, std::string> got;
  for (const auto& i : *impacted) got[i.path] = i.reason;
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"a/b.py", "changed"}, {"c.py", "imports a.b"}, {"d.py", "imports c"}}));
}

TEST(Impact, SurfaceSignaturesSeeNamesNotBodies) {
  auto scopes = StringTable({"file_id", "scope_id", "scope_kind", "qualified_name"},
                            {{"f1", "m1", "module", "m"}, {"f1", "s1", "function", "m.helper"}});
  auto defs = [](const std::string& qname) {
    return Definitions({{"f1", "d1", qname, "function", "", "", "false", "no", ""}});
  };
  auto annotations = Annotations();
  auto bindings = [](const std::string& local) {
    return Bindings({{"f1", "m1", "helper", "local", "module", "def", "", ""},
                     {"f1", "s1", local, "local", "local", "local", "", ""}});
  };
  auto imports = Imports({{"f1", "s1", "os", "", "", "0", "false", "false", "external", ""}});
  auto sig = [&](const std::string& qname, const std::string& local) {
    return SurfaceSignatures({defs(qname), bindings(local), imports, scopes, annotations})
        .ValueOrDie()
        .at("f1");
  };
  EXPECT_EQ(sig("m.helper", "x"), sig("m.helper", "y"));   // a local of a function body
  EXPECT_NE(sig("m.helper", "x"), sig("m.helper2", "x"));  // a definition's name
  // Other files read `helper` differently; its binding's facts are as before.
  EXPECT_EQ(ChangedNames(sig("m.helper", "x"), sig("m.helper2", "x")),
            (std::set<std::string>{"helper2", "helper"}));
}

TEST(Impact, SurfaceSignaturesSeeWhatAModuleLevelNameHolds) {
  // `default = Policy()` at module level: other files call its methods (`default.clone()`).
  auto scopes = StringTable({"file_id", "scope_id", "scope_kind", "qualified_name"},
                            {{"f1", "m1", "module", "m"}, {"f1", "s1", "function", "m.f"}});
  auto defs = Definitions();
  auto imports = Imports();
  auto surface = [&](const std::string& module_level, const std::string& local) {
    auto bindings = Bindings({{"f1", "m1", "default", "local", "LOCAL", "local", "", module_level},
                              {"f1", "s1", "x", "local", "LOCAL", "local", "", local}});
    return SurfaceSignatures({defs, bindings, imports, scopes}).ValueOrDie()["f1"];
  };
  const auto before = surface("Policy()", "Model");
  EXPECT_EQ(ChangedNames(before, surface("Compat()", "Model")), (std::set<std::string>{"default"}));
  EXPECT_EQ(ChangedNames(before, surface("Policy()", "Other")), (std::set<std::string>{}));
}

TEST(Impact, ChangedNamesAreThoseWhoseFactsDiffer) {
  auto scopes = StringTable({"file_id", "scope_id", "scope_kind", "qualified_name"},
                            {{"f1", "m1", "module", "pkg.m"}});
  auto bindings = Bindings();
  auto surface = [&](const std::vector<std::vector<std::string>>& defs,
                     const std::vector<std::vector<std::string>>& imports) {
    auto d = Definitions(defs);
    auto i = Imports(imports);
    return SurfaceSignatures({d, bindings, i, scopes}).ValueOrDie()["f1"];
  };
  const std::vector<std::vector<std::string>> defs = {
      {"f1", "d1", "pkg.m.C", "class", "", "Base", "false", "no", ""},
      {"f1", "d2", "pkg.m.C.run", "function", "", "", "true", "no", ""},
      {"f1", "d3", "pkg.m.f", "function", "", "", "false", "no", ""}};
  auto with_method = defs;
  with_method.push_back({"f1", "d4", "pkg.m.C.stop", "function", "", "", "true", "no", ""});
  const std::vector<std::string> import_os = {"f1", "m1",    "os.path", "",       "",
                                              "0",  "false", "false",   "module", ""};
  auto before = surface(defs, {import_os});
  // A method is read through its class; `import os.path` binds `os`.
  EXPECT_EQ(ChangedNames(before, surface(with_method, {import_os})), (std::set<std::string>{"C"}));
  EXPECT_EQ(ChangedNames(before, surface(defs, {})), (std::set<std::string>{"os"}));
  EXPECT_EQ(ChangedNames(before, before), (std::set<std::string>{}));
  // `f` bound again after its definition (`f = wrap(f)`): other files' `m.f()` no longer
  // reach the definition.
  auto rebound = defs;
  rebound[2][7] = "binding";
  EXPECT_EQ(ChangedNames(before, surface(rebound, {import_os})), (std::set<std::string>{"f"}));
  // A metaclass decides what a call of the class reaches.
  auto with_metaclass = defs;
  with_metaclass[0][8] = "Meta";
  EXPECT_EQ(ChangedNames(before, surface(with_metaclass, {import_os})),
            (std::set<std::string>{"C"}));
  // What a call returns as the body says: its instance (`return self`), a call's result.
  auto fluent = defs;
  fluent[1].push_back("self");
  EXPECT_EQ(ChangedNames(before, surface(fluent, {import_os})), (std::set<std::string>{"C"}));
  auto made = defs;
  made[2].push_back("Model()");
  EXPECT_EQ(ChangedNames(before, surface(made, {import_os})), (std::set<std::string>{"f"}));
  // A star import may bind any name.
  EXPECT_EQ(
      ChangedNames(
          before,
          surface(defs, {import_os, {"f1", "m1", "x", "", "", "0", "true", "true", "module", ""}})),
      std::nullopt);
}

TEST(Impact, SurfaceSignaturesSeeReturnAnnotations) {
  // What a call of `load` or of a method of `C` returns is read through `load` and `C`.
  auto scopes = StringTable({"file_id", "scope_id", "scope_kind", "qualified_name"},
                            {{"f1", "m1", "module", "m"}});
  auto bindings = Bindings();
  auto defs = Definitions({{"f1", "d1", "m.load", "function", "", "", "false", "no", ""},
                           {"f1", "d2", "m.C", "class", "", "", "false", "no", ""},
                           {"f1", "d3", "m.C.copy", "function", "", "", "true", "no", ""}});
  auto imports = Imports();
  auto surface = [&](const std::string& load_returns, const std::string& copy_returns) {
    return SurfaceSignatures({defs, bindings, imports, scopes,
                              Annotations({{"f1", "return", "d1", load_returns},
                                           {"f1", "return", "d3", copy_returns},
                                           {"f1", "parameter", "d1:p", "int"}})})
        .ValueOrDie()["f1"];
  };
  const auto before = surface("Model", "C");
  EXPECT_EQ(ChangedNames(before, surface("Model", "C")), (std::set<std::string>{}));
  EXPECT_EQ(ChangedNames(before, surface("Base", "C")), (std::set<std::string>{"load"}));
  EXPECT_EQ(ChangedNames(before, surface("Model", "Model")), (std::set<std::string>{"C"}));
}

TEST(Impact, SurfaceSignaturesSeeTheAllOfAModule) {
  // What a star import of the module binds changes with `__all__`, read through `__all__`.
  auto scopes = StringTable({"file_id", "scope_id", "scope_kind", "qualified_name"},
                            {{"f1", "m1", "module", "m"}});
  auto none = Definitions();
  auto bindings = Bindings();
  auto imports = Imports();
  auto surface = [&](const std::string& kind, const std::string& names) {
    auto files = StringTable({"file_id", "all_kind", "all_names"}, {{"f1", kind, names}});
    return SurfaceSignatures({none, bindings, imports, scopes, nullptr, files}).ValueOrDie()["f1"];
  };
  const auto before = surface("static", "a,b");
  EXPECT_EQ(ChangedNames(before, surface("static", "a,b")), (std::set<std::string>{}));
  EXPECT_EQ(ChangedNames(before, surface("static", "a")), (std::set<std::string>{"__all__"}));
  EXPECT_EQ(ChangedNames(before, surface("dynamic", "")), (std::set<std::string>{"__all__"}));
  EXPECT_EQ(ChangedNames(before, surface("none", "")), (std::set<std::string>{"__all__"}));
}

// Return annotations: path, qualified_name of the function, annotation_text.
std::shared_ptr<arrow::Table> Returns(const std::vector<std::vector<std::string>>& rows) {
  return StringTable({"path", "qualified_name", "annotation_text"}, rows);
}

TEST(Impact, FunctionsWhoseReturnAnnotationsLeadIntoTheChangeLeadThereToo) {
  // a/b.py's Model changes. c.py: `from a.b import Model` / `def load() -> "Model | None"` /
  // `class Shop: def get(self) -> Model` / `def other() -> int`. d.py reads c's load, e.py
  // its Shop, f.py its other, and g.py (`import c`) calls c.load().
  const std::vector<Import> imports = {
      {"c.py", "a.b", std::string("Model"), true},  // from a.b import Model
      {"d.py", "c", std::string("load"), true},     // from c import load
      {"e.py", "c", std::string("Shop"), true},     // from c import Shop
      {"f.py", "c", std::string("other"), true},    // from c import other
      {"g.py", "c", std::nullopt}};                 // import c
  ImpactInputs inputs;
  inputs.changes = {{"a/b.py", "changed", std::nullopt}};
  inputs.surface_changes = {{"a/b.py", {"Model"}}};
  inputs.current_paths = {"a/b.py", "c.py", "d.py", "e.py", "f.py", "g.py"};
  inputs.read_texts = [&](const std::string& path) -> Result<std::vector<std::string>> {
    if (path == "g.py") return std::vector<std::string>{"c.load().run"};
    return std::vector<std::string>{};
  };
  auto impacted = [&](std::shared_ptr<arrow::Table> returns) {
    inputs.import_graph = Loader({Imports(imports), std::nullopt, nullptr, std::move(returns)});
    std::set<std::string> out;
    for (const auto& i : ImpactOf(inputs).ValueOrDie()) out.insert(i.path);
    return out;
  };
  EXPECT_EQ(impacted(Returns({{"c.py", "c.load", "\"Model | None\""},
                              {"c.py", "c.Shop.get", "Model"},
                              {"c.py", "c.other", "int"}})),
            (std::set<std::string>{"a/b.py", "c.py", "d.py", "e.py", "g.py"}));
  // Without them, only the importer of Model itself.
  EXPECT_EQ(impacted(nullptr), (std::set<std::string>{"a/b.py", "c.py"}));
}

TEST(Impact, AliasesOfANameThatLeadsIntoTheChangeLeadThereToo) {
  // a/b.py's Model changes. c.py: `from a.b import Model` / `Alias = Model` (module level).
  // d.py reads c's Alias, e.py its f.
  const std::vector<Import> imports = {{"c.py", "a.b", std::string("Model"), true},
                                       {"d.py", "c", std::string("Alias"), true},
                                       {"e.py", "c", std::string("f"), true}};
  ImpactInputs inputs;
  inputs.changes = {{"a/b.py", "changed", std::nullopt}};
  inputs.surface_changes = {{"a/b.py", {"Model"}}};
  inputs.current_paths = {"a/b.py", "c.py", "d.py", "e.py"};
  ImportGraph graph;
  graph.imports = Imports(imports);
  graph.module_scopes.emplace();
  for (const auto& p : inputs.current_paths) graph.module_scopes->insert(p + ":module");
  std::vector<std::string> asked;
  graph.aliases = [&](const std::string& path) {
    asked.push_back(path);
    using Aliases = std::vector<std::pair<std::string, std::string>>;
    return Result<Aliases>(path == "c.py" ? Aliases{{"Alias", "Model"}} : Aliases{});
  };
  inputs.import_graph = Loader(graph);
  std::set<std::string> got;
  for (const auto& i : ImpactOf(inputs).ValueOrDie()) got.insert(i.path);
  EXPECT_EQ(got, (std::set<std::string>{"a/b.py", "c.py", "d.py"}));
  // Asked only of the modules the change reaches, once each.
  EXPECT_EQ(asked, (std::vector<std::string>{"a/b.py", "c.py", "d.py"}));
}

TEST(Impact, AModuleBoundByAnImportIsReadOnlyWhereItsNamesAreSpelled) {
  // a/b.py offers one more name, `added`. c.py (`import a.b`) calls a.b.helper(); d.py
  // (`from a import b`) calls b.added(); e.py (`import a.b`) has `class K(a.b.added)`;
  // f.py (`from a.b import helper`) reads helper only.
  const std::vector<Import> imports = {{"c.py", "a.b", std::nullopt},
                                       {"d.py", "a", std::string("b"), true},
                                       {"e.py", "a.b", std::nullopt},
                                       {"f.py", "a.b", std::string("helper"), true}};
  ImpactInputs inputs;
  inputs.changes = {{"a/b.py", "changed", std::nullopt}};
  inputs.surface_changes = {{"a/b.py", {"added"}}};
  inputs.import_graph =
      Loader({Imports(imports), std::nullopt, Classes({{"e.py", "e.K", {"a.b.added"}}})});
  inputs.current_paths = {"a/b.py", "c.py", "d.py", "e.py", "f.py"};
  std::vector<std::string> asked;
  inputs.read_texts = [&](const std::string& path) -> Result<std::vector<std::string>> {
    asked.push_back(path);
    if (path == "c.py") return std::vector<std::string>{"a.b.helper", "print"};
    if (path == "d.py") return std::vector<std::string>{"b.added(1).x"};
    return std::vector<std::string>{};
  };
  auto impacted = ImpactOf(inputs);
  ASSERT_TRUE(impacted.ok()) << impacted.status().ToString();
  std::map<std::string, std::string> got;
  for (const auto& i : *impacted) got[i.path] = i.reason;
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"a/b.py", "changed"}, {"d.py", "imports a.b"}, {"e.py", "imports a.b"}}));
  EXPECT_EQ(asked, (std::vector<std::string>{"c.py", "d.py", "e.py"}));  // once each
  // Without the texts, every importer of the module is rebuilt.
  inputs.read_texts = nullptr;
  EXPECT_EQ(ImpactOf(inputs).ValueOrDie().size(), 4u);
}

TEST(Impact, SurfaceSignaturesSeeWhatAClassBodyBinds) {
  // A name bound in a class body is that class's member and hides a base's: read through the
  // module-level name the class is nested in.
  auto scopes = StringTable({"file_id", "scope_id", "scope_kind", "qualified_name"},
                            {{"f1", "m1", "module", "m"},
                             {"f1", "c1", "class", "m.Outer"},
                             {"f1", "c2", "class", "m.Outer.Inner"},
                             {"f1", "s1", "function", "m.Outer.run"}});
  auto defs = Definitions();
  auto imports = Imports();
  auto surface = [&](const std::vector<std::vector<std::string>>& rows) {
    auto bindings = Bindings(rows);
    return SurfaceSignatures({defs, bindings, imports, scopes}).ValueOrDie()["f1"];
  };
  const std::vector<std::string> local = {"f1", "s1", "x", "local", "LOCAL", "local", "", ""};
  auto before = surface({local});
  EXPECT_EQ(ChangedNames(before,
                         surface({{"f1", "c2", "show", "local", "LOCAL", "local", "", ""}, local})),
            (std::set<std::string>{"Outer"}));
  EXPECT_EQ(ChangedNames(
                before, surface({{"f1", "c1", "render", "local", "LOCAL", "local", "Base.show", ""},
                                 local})),
            (std::set<std::string>{"Outer"}));
  // A function's locals are no one's members.
  EXPECT_EQ(ChangedNames(before, surface({{"f1", "s1", "y", "local", "LOCAL", "local", "", ""}})),
            (std::set<std::string>{}));
}

TEST(Impact, SurfaceSignaturesIgnoreTheListFieldName) {
  // Extraction builds list<item: string>; the same column read back from Delta is
  // list<element: string>. The signature must not see the difference.
  auto flags = [](const std::string& field_name) {
    auto type = arrow::list(arrow::field(field_name, arrow::utf8()));
    arrow::ListBuilder b(arrow::default_memory_pool(), std::make_shared<arrow::StringBuilder>(),
                         type);
    auto* values = static_cast<arrow::StringBuilder*>(b.value_builder());
    EXPECT_TRUE(b.Append().ok());
    EXPECT_TRUE(values->AppendValues({"local", "global"}).ok());
    auto f = StringTable({"file_id", "scope_id", "name", "scope_resolution", "resolved_kind",
                          "alias_of", "instance_of"},
                         {{"f1", "m1", "x", "LOCAL", "local", "", ""}});
    return f
        ->AddColumn(3, arrow::field("flags", type),
                    std::make_shared<arrow::ChunkedArray>(b.Finish().ValueOrDie()))
        .ValueOrDie();
  };
  auto scopes = StringTable({"file_id", "scope_id", "scope_kind", "qualified_name"},
                            {{"f1", "m1", "module", "m"}});
  auto none = StringTable({"file_id", "scope_id"}, {});
  auto defs = Definitions();
  auto imports = Imports();
  auto annotations = Annotations();
  EXPECT_EQ(SurfaceSignatures({defs, flags("item"), imports, scopes, annotations}).ValueOrDie(),
            SurfaceSignatures({defs, flags("element"), imports, scopes, annotations}).ValueOrDie());
}

}  // namespace
}  // namespace anatomy::incremental
