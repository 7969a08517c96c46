// Call resolution on the fixture repository tests/extract/fixtures/repo: local, enclosing and
// module functions, imports through re-exports and `import a.b as c`, namespace packages,
// self/cls methods and in-REPO bases, class calls to __init__, methods of instances a class call
// makes (`Foo().m()`, `x = Foo(); x.m()`), annotated names, attributes and properties of `self`,
// return types (of the same module or another), star imports and `__all__`, builtin classes
// of literals, qualified-name fallbacks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "anatomy/extract/analyzer_internal.h"
#include "anatomy/extract/extract.h"
#include "anatomy/extract/scan.h"
#include "support/temp_dir.h"
#include "test_util.h"

namespace anatomy::extract {
namespace {

using testing::Column;

std::string FixtureRepo() {
  const char* src = std::getenv("ANATOMY_SOURCE_DIR");
  return std::string(src ? src : ANATOMY_SOURCE_DIR) + "/tests/extract/fixtures/repo";
}

TEST(Resolve, TheClassAnAnnotationDeclares) {
  using Chain = std::vector<std::string>;
  using internal::DeclaredClass;
  EXPECT_EQ(DeclaredClass("Model"), Chain({"Model"}));
  EXPECT_EQ(DeclaredClass(" app.models.Model "), Chain({"app", "models", "Model"}));
  EXPECT_EQ(DeclaredClass("'Model'"), Chain({"Model"}));
  EXPECT_EQ(DeclaredClass("\"m.Model | None\""), Chain({"m", "Model"}));
  EXPECT_EQ(DeclaredClass("None | Model"), Chain({"Model"}));
  EXPECT_EQ(DeclaredClass("Optional[Model]"), Chain({"Model"}));
  EXPECT_EQ(DeclaredClass("typing.Optional[m.Model]"), Chain({"m", "Model"}));
  EXPECT_EQ(DeclaredClass("_Private1"), Chain({"_Private1"}));
  EXPECT_EQ(DeclaredClass("list[Model]"), Chain({"list"}));  // a generic class's instance
  EXPECT_EQ(DeclaredClass("m.Box[int, str] | None"), Chain({"m", "Box"}));
  for (const char* not_one_class :
       {"None", "type[Model]", "Model | Base", "int | str | None", "Model()", "1Model", "a..b",
        ".a", "a.", "", "'Model\"", "Model...", "[Model]"}) {
    EXPECT_EQ(DeclaredClass(not_one_class), std::nullopt) << not_one_class;
  }
}

// The callee text of each call, by call_id.
std::map<std::string, std::string> CalleeTexts(const ExtractionResult& r) {
  std::map<std::string, std::string> callee;
  auto ids = Column(*r.call_sites, "call_id"), texts = Column(*r.call_sites, "callee_text");
  for (size_t i = 0; i < ids.size(); ++i) callee[ids[i]] = texts[i];
  return callee;
}

// How an extraction's calls resolve, "edge_kind resolution_method target_qualified_name", by
// the key `key_of` gives each call id (the last call of a key).
std::map<std::string, std::string> CallsBy(const ExtractionResult& r,
                                           std::map<std::string, std::string> key_of) {
  auto rid = Column(*r.call_resolutions, "call_id");
  auto how = Column(*r.call_resolutions, "resolution_method");
  auto qn = Column(*r.call_resolutions, "target_qualified_name");
  auto kind = Column(*r.call_resolutions, "edge_kind");
  std::map<std::string, std::string> got;
  for (size_t i = 0; i < rid.size(); ++i)
    got[key_of[rid[i]]] = kind[i] + " " + how[i] + " " + qn[i];
  return got;
}

// By callee text.
std::map<std::string, std::string> CallsByCallee(const ExtractionResult& r) {
  return CallsBy(r, CalleeTexts(r));
}

// By "line callee_text" (`13 x.m`).
std::map<std::string, std::string> CallsByLine(const ExtractionResult& r) {
  auto ids = Column(*r.call_sites, "call_id"), lines = Column(*r.call_sites, "line"),
       texts = Column(*r.call_sites, "callee_text");
  std::map<std::string, std::string> at;
  for (size_t i = 0; i < ids.size(); ++i) at[ids[i]] = lines[i] + " " + texts[i];
  return CallsBy(r, std::move(at));
}

// The whole extraction of a temporary repository.
arrow::Result<ExtractionResult> ExtractDir(const test_support::TempDir& dir) {
  ExtractOptions opt;
  opt.repo_root = dir.str();
  return ExtractRepository(opt);
}

// The bindings table's instance_of by name, for the bindings of `path` that hold one.
std::map<std::string, std::string> InstancesOf(const ExtractionResult& r, const std::string& path) {
  auto paths = Column(*r.bindings, "path"), names = Column(*r.bindings, "name");
  auto held = Column(*r.bindings, "instance_of");
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < names.size(); ++i)
    if (paths[i] == path && held[i] != "null") out[names[i]] = held[i];
  return out;
}

// The definitions table's returns by qualified name, for the definitions that have one.
std::map<std::string, std::string> Returns(const ExtractionResult& r) {
  auto qnames = Column(*r.definitions, "qualified_name");
  auto returns = Column(*r.definitions, "returns");
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < qnames.size(); ++i)
    if (returns[i] != "null") out[qnames[i]] = returns[i];
  return out;
}

// The `__all__` of a module source as the files table says it: kind and names.
std::pair<std::string, std::vector<std::string>> AllOf(const std::string& source) {
  auto r = ExtractSource("m.py", source);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  auto kind = Column(*r->files, "all_kind");
  auto names =
      std::static_pointer_cast<arrow::ListArray>(r->files->GetColumnByName("all_names")->chunk(0));
  std::vector<std::string> out;
  auto values = std::static_pointer_cast<arrow::StringArray>(names->value_slice(0));
  for (int64_t i = 0; i < values->length(); ++i) out.push_back(values->GetString(i));
  return {kind.at(0), out};
}

TEST(Resolve, TheAllOfAModuleIsReadFromLiterals) {
  using All = std::pair<std::string, std::vector<std::string>>;
  EXPECT_EQ(AllOf("x = 1\n"), All("none", {}));
  EXPECT_EQ(AllOf("__all__ = ['a', \"b\"]\n__all__ += ('c',)\n__all__.extend(['d'])\n"
                  "__all__.append('e')\nif x:\n    __all__.append(r'f')\n"),
            All("static", {"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(AllOf("__all__ = 'a', 'b'\n"), All("static", {"a", "b"}));
  EXPECT_EQ(AllOf("__all__: list[str] = ['a']\n"), All("static", {"a"}));
  for (const char* dynamic :
       {"__all__ = [n for n in dir()]\n", "__all__ = ['a'] + other\n", "__all__ = [f'{x}']\n",
        "__all__ = ['a']\n__all__ = ['b']\n", "__all__ = ['a']\n__all__.remove('a')\n",
        "__all__ = ['a']\ndef f():\n    global __all__\n    __all__ = []\n",
        "__all__ = ['a']\ndef f():\n    __all__.append('b')\n", "from m import __all__\n",
        "__all__ = ['a']\n__all__ *= 2\n", "__all__ = ['\\x61']\n", "__all__ = 'ab'\n"}) {
    EXPECT_EQ(AllOf(dynamic).first, "dynamic") << dynamic;
  }
}

TEST(Resolve, CallsOfTheFixtureRepository) {
  ExtractOptions opt;
  opt.repo_root = FixtureRepo();
  auto r = ExtractRepository(opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto callee = CalleeTexts(*r);
  auto rid = Column(*r->call_resolutions, "call_id");
  auto path = Column(*r->call_resolutions, "path");
  auto kind = Column(*r->call_resolutions, "edge_kind");
  auto qn = Column(*r->call_resolutions, "target_qualified_name");
  auto how = Column(*r->call_resolutions, "resolution_method");
  auto target = Column(*r->call_resolutions, "target_def_id");
  std::vector<std::string> got;
  for (size_t i = 0; i < rid.size(); ++i) {
    got.push_back(path[i] + "|" + callee[rid[i]] + "|" + kind[i] + "|" + qn[i] + "|" + how[i]);
    EXPECT_EQ(kind[i] == "PY_CALLS_SYMBOL", target[i] != "null");
  }
  EXPECT_EQ(
      got,
      (std::vector<std::string>{
          // What functions and methods of another module return, by their annotations: a
          // forward reference, a method's own class; not a function without one, nor a name
          // of a class body (other modules do not read what it holds).
          "app/clients.py|load(\"a\").run|PY_CALLS_SYMBOL|app.models.Model.run|annotated_method",
          "app/clients.py|load|PY_CALLS_SYMBOL|app.models.load|import",
          "app/clients.py|am.load|PY_CALLS_SYMBOL|app.models.load|import",
          "app/clients.py|loaded.save|PY_CALLS_SYMBOL|app.models.Base.save|annotated_method",
          "app/clients.py|Model(\"c\").clone().validate|PY_CALLS_SYMBOL|app.models.Base.validate|"
          "annotated_method",
          "app/clients.py|Model(\"c\").clone|PY_CALLS_SYMBOL|app.models.Base.clone|instance_method",
          "app/clients.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/clients.py|am.untyped().run|PY_CALLS_SYMBOL|app.models.Model.run|instance_method",
          "app/clients.py|am.untyped|PY_CALLS_SYMBOL|app.models.untyped|import",
          "app/clients.py|am.Holder().get().work|PY_CALLS_QNAME|am.Holder().get().work|unresolved",
          "app/clients.py|am.Holder().get|PY_CALLS_SYMBOL|app.models.Holder.get|instance_method",
          "app/clients.py|am.Holder|PY_CALLS_SYMBOL|app.models.Holder|class",
          // A package's name bound over its submodule (`from .make import make`), as an
          // attribute of the package and through `from app.tools import make`.
          "app/"
          "clients.py|tools.make(\"e\").run|PY_CALLS_SYMBOL|app.models.Model.run|annotated_method",
          "app/clients.py|tools.make|PY_CALLS_SYMBOL|app.tools.make.make|import",
          "app/clients.py|make(\"f\").save|PY_CALLS_SYMBOL|app.models.Base.save|annotated_method",
          "app/clients.py|make|PY_CALLS_SYMBOL|app.tools.make.make|import",
          // A module's name bound by its star import.
          "app/clients.py|drawing.area|PY_CALLS_SYMBOL|app.shapes.area|import",
          "app/clients.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          // Star imports bind what `__all__` names (`=` and `+=`; not `open`, so the builtin
          // stays), or without `__all__` the public names; not a name of a module whose
          // `__all__` is built at run time.
          "app/drawing.py|Circle().grow|PY_CALLS_SYMBOL|app.shapes.Circle.grow|instance_method",
          "app/drawing.py|Circle|PY_CALLS_SYMBOL|app.shapes.Circle|class",
          "app/drawing.py|area|PY_CALLS_SYMBOL|app.shapes.area|import",
          "app/drawing.py|Model(\"m\").run|PY_CALLS_SYMBOL|app.models.Model.run|instance_method",
          "app/drawing.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/drawing.py|open|PY_CALLS_QNAME|builtins.open|builtin",
          "app/drawing.py|public|PY_CALLS_SYMBOL|app.plain.public|import",
          "app/drawing.py|_private|PY_CALLS_QNAME|_private|unresolved",
          // An alias another module binds (`Maker = Model`), star-imported.
          "app/drawing.py|Maker(\"k\").run|PY_CALLS_SYMBOL|app.models.Model.run|instance_method",
          "app/drawing.py|Maker|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          // `-> Self` of a base's method: the class of the instance it is called on.
          "app/drawing.py|Ring().grow().rim|PY_CALLS_SYMBOL|app.shapes.Ring.rim|annotated_method",
          "app/drawing.py|Ring().grow|PY_CALLS_SYMBOL|app.shapes.Circle.grow|instance_method",
          "app/drawing.py|Ring|PY_CALLS_SYMBOL|app.shapes.Ring|class",
          "app/drawing.py|dynamic_user.helper|PY_CALLS_QNAME|app.dynamic_user.helper|unresolved",
          // A name two imports bind (`try:` / `except ImportError:`): the one tried first.
          "app/drawing.py|chosen|PY_CALLS_SYMBOL|app.plain.public|import",
          "app/dynamic_user.py|helper|PY_CALLS_QNAME|helper|unresolved",
          "app/models.py|self.validate|PY_CALLS_SYMBOL|app.models.Base.validate|self_method",
          "app/models.py|self.save|PY_CALLS_SYMBOL|app.models.Base.save|inherited_method",
          "app/models.py|super().validate|PY_CALLS_SYMBOL|app.models.Base.validate|super_method",
          "app/models.py|super|PY_CALLS_QNAME|builtins.super|builtin",
          "app/models.py|cls.create|PY_CALLS_SYMBOL|app.models.Model.create|self_method",
          "app/models.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/models.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/models.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          // A name the class body binds is the class's member (here by an import).
          "app/models.py|self.Model|PY_CALLS_SYMBOL|app.services.Service.__init__|class_init",
          // A local alias (`call = _private`).
          "app/plain.py|call|PY_CALLS_SYMBOL|app.plain._private|module",
          "app/services.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/services.py|Base|PY_CALLS_SYMBOL|app.models.Base|class",
          // A name bound once to a class call holds an instance; `fallback` is bound again by
          // `global fallback` in reset(); a method's result is not followed.
          "app/services.py|registry.run|PY_CALLS_SYMBOL|app.models.Model.run|instance_method",
          "app/services.py|fallback.save|PY_CALLS_QNAME|fallback.save|unresolved",
          "app/services.py|Model.make().run|PY_CALLS_QNAME|Model.make().run|unresolved",
          "app/services.py|Model.make|PY_CALLS_SYMBOL|app.models.Model.make|class_attribute",
          // Parameters and variables annotated with a class (a forward reference, `| None`),
          // the annotation first; not a parameter assigned again.
          "app/services.py|model.run|PY_CALLS_SYMBOL|app.models.Model.run|annotated_method",
          "app/services.py|maybe.save|PY_CALLS_SYMBOL|app.models.Base.save|annotated_method",
          "app/services.py|Model.make|PY_CALLS_SYMBOL|app.models.Model.make|class_attribute",
          "app/"
          "services.py|chosen.validate|PY_CALLS_SYMBOL|app.models.Model.validate|annotated_method",
          "app/services.py|model.run|PY_CALLS_QNAME|model.run|unresolved",
          "app/services.py|model.save|PY_CALLS_QNAME|model.save|unresolved",
          "app/services.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/services.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          // Attributes of `self`: set once by a class call, or annotated in the class body; not
          // one the class body also binds. Past what is known, the qualified name goes on.
          "app/services.py|self.model.run|PY_CALLS_SYMBOL|app.models.Model.run|attribute_method",
          "app/services.py|self.backup.save|PY_CALLS_SYMBOL|app.models.Base.save|attribute_method",
          "app/services.py|self.spare.run|PY_CALLS_QNAME|app.services.Service.spare.run|unresolved",
          "app/"
          "services.py|self.model.name.upper|PY_CALLS_QNAME|app.models.Model.name.upper|unresolved",
          "app/services.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          // What a function of the same file returns, by its return annotation.
          "app/services.py|open_model().run|PY_CALLS_SYMBOL|app.models.Model.run|annotated_method",
          "app/services.py|open_model|PY_CALLS_SYMBOL|app.services.open_model|module",
          "app/services.py|open_model|PY_CALLS_SYMBOL|app.services.open_model|module",
          "app/services.py|opened.save|PY_CALLS_SYMBOL|app.models.Base.save|annotated_method",
          "app/services.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          // A property reads as its annotated value.
          "app/services.py|self.current.run|PY_CALLS_SYMBOL|app.models.Model.run|attribute_method",
          // `cls(...)` in a classmethod calls the class.
          "app/services.py|cls|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/services.py|made.run|PY_CALLS_SYMBOL|app.models.Model.run|instance_method",
          "app/services.py|cls|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          // Through a function of another module whose annotation names an imported class.
          "app/services.py|fresh().run|PY_CALLS_SYMBOL|app.models.Model.run|annotated_method",
          "app/services.py|fresh|PY_CALLS_SYMBOL|app.clients.fresh|import",
          "app/shapes.py|__all__.append|PY_CALLS_QNAME|__all__.append|unresolved",
          "app/tools/make.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/util.py|helper|PY_CALLS_SYMBOL|app.util.helper|module",
          "app/util.py|inner|PY_CALLS_SYMBOL|app.util.main.<locals>.inner|local",
          "app/util.py|helper|PY_CALLS_SYMBOL|app.util.helper|module",
          "app/util.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/util.py|am.Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/util.py|models.Base().save|PY_CALLS_SYMBOL|app.models.Base.save|instance_method",
          "app/util.py|models.Base|PY_CALLS_SYMBOL|app.models.Base|class",
          "app/util.py|os.path.join|PY_CALLS_QNAME|os.path.join|import_qname",
          "app/util.py|print|PY_CALLS_QNAME|builtins.print|builtin",
          "app/util.py|len|PY_CALLS_QNAME|builtins.len|builtin",
          "app/util.py|undefined_fn|PY_CALLS_QNAME|undefined_fn|unresolved",
          "app/util.py|am.Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/util.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/util.py|m.run|PY_CALLS_SYMBOL|app.models.Model.run|instance_method",
          "app/util.py|m.save|PY_CALLS_SYMBOL|app.models.Base.save|instance_method",
          // util.py star-imports at module level: any module-level name may be rebound.
          "app/util.py|default_model.validate|PY_CALLS_QNAME|default_model.validate|unresolved",
          "app/util.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          "app/util.py|helper|PY_CALLS_SYMBOL|app.util.helper|module",
          // `r` is bound twice.
          "app/util.py|r.save|PY_CALLS_QNAME|r.save|unresolved",
          // A name bound once to a literal: a method of its builtin class.
          "app/util.py|box.append|PY_CALLS_QNAME|builtins.list.append|builtin",
          "app/util.py|Model|PY_CALLS_SYMBOL|app.models.Model.__init__|class_init",
          // Not a member of the class: its qualified name.
          "app/util.py|n.missing|PY_CALLS_QNAME|app.models.Model.missing|unresolved",
          "app/util.py|models.Base|PY_CALLS_SYMBOL|app.models.Base|class",
          "app/util.py|made.validate|PY_CALLS_SYMBOL|app.models.Base.validate|instance_method",
          "ns_user.py|ns.pkgmod.f|PY_CALLS_SYMBOL|ns.pkgmod.f|import",
          "ns_user.py|pkgmod.f|PY_CALLS_SYMBOL|ns.pkgmod.f|import"}));
  auto imports = testing::Rows(*r->imports, {"path", "module", "imported_name", "resolved_kind"});
  EXPECT_EQ(imports[0], "app/__init__.py|app.models|Model|symbol");
  // `from app import Model` in app/util.py reaches app.models.Model through the re-export.
  auto def_ids = Column(*r->definitions, "def_id"),
       def_qn = Column(*r->definitions, "qualified_name");
  std::map<std::string, std::string> qn_of;
  for (size_t i = 0; i < def_ids.size(); ++i) qn_of[def_ids[i]] = def_qn[i];
  auto imp_def = Column(*r->imports, "resolved_def_id"),
       imp_name = Column(*r->imports, "imported_name");
  auto imp_path = Column(*r->imports, "path");
  int checked = 0;
  for (size_t i = 0; i < imp_def.size(); ++i) {
    if (imp_path[i] == "app/util.py" && imp_name[i] == "Model") {
      EXPECT_EQ(qn_of[imp_def[i]], "app.models.Model");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 1);
  // `from app.tools import make` names the package's function, not its submodule make.
  auto imp_kind = Column(*r->imports, "resolved_kind"), imp_module = Column(*r->imports, "module");
  auto imp_file = Column(*r->imports, "resolved_path");
  checked = 0;
  for (size_t i = 0; i < imp_def.size(); ++i) {
    if (imp_path[i] != "app/clients.py" || imp_module[i] != "app.tools") continue;
    EXPECT_EQ(imp_kind[i], "symbol");
    EXPECT_EQ(imp_file[i], "app/tools/__init__.py");
    EXPECT_EQ(qn_of[imp_def[i]], "app.tools.make.make");
    ++checked;
  }
  EXPECT_EQ(checked, 1);
  EXPECT_EQ(imports.back(), "ns_user.py|ns|pkgmod|module");
  EXPECT_EQ(imports[imports.size() - 2], "ns_user.py|ns.pkgmod|null|module");
}

TEST(Resolve, CyclesOfStarImportsAliasesAndReexportsEndUnresolved) {
  // Modules that star-import, alias and re-export each other in circles: resolution ends
  // (bounded depth and budget) and the calls reach no definition; a name that does lead
  // somewhere through the same modules still resolves.
  test_support::TempDir dir;
  dir.Write("a.py",
            "from b import *\nx = y\nloop = loop.again\nfrom c import z as w\n\n"
            "def real():\n    pass\n");
  dir.Write("b.py", "from a import *\ny = x\nfrom c import *\n");
  dir.Write("c.py",
            "from a import w as z\nfrom b import *\nclass K(K):\n    pass\n"
            "class L(M):\n    pass\nM = L\n");
  dir.Write("use.py",
            "import a, b, c\nfrom b import *\n\n\ndef f():\n    a.x()\n    b.y()\n"
            "    a.loop()\n    a.w()\n    c.K().m()\n    c.L().m()\n    x()\n"
            "    real()\n    b.real()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  // use.py's star import of b, b's of a.
  EXPECT_EQ(got.at("real"), "PY_CALLS_SYMBOL import a.real");
  EXPECT_EQ(got.at("b.real"), "PY_CALLS_SYMBOL import a.real");
  for (const char* circular : {"a.x", "b.y", "a.loop", "a.w", "c.K().m", "c.L().m", "x"}) {
    EXPECT_EQ(got.at(circular).rfind("PY_CALLS_QNAME ", 0), 0u)
        << circular << ": " << got.at(circular);
  }
}

TEST(Resolve, ANameBoundAgainHoldsItsLastBinding) {
  // What a call made once a module has run sees: the last definition of a name, or what binds
  // it after its definitions; a try body's import, not the handler's fallback; a class's own
  // member, whatever binds it, not a base's.
  test_support::TempDir dir;
  dir.Write("lib.py",
            "import sys\n"
            "if sys.platform == 'win32':\n"
            "    def join(a):\n        return 1\n"
            "else:\n"
            "    def join(a):\n        return 2\n"  // line 6
            "def fast(x):\n    return x\n"
            "try:\n    from _speedups import fast\nexcept ImportError:\n    pass\n"
            "try:\n    from _cwarn import mutated\nexcept ImportError:\n"
            "    def mutated():\n        pass\n"
            "def wrapped():\n    pass\nwrapped = decorate(wrapped)\n"
            "def gone():\n    pass\ngone()\ndel gone\n"
            "class Point(tuple):\n    def __new__(cls, x):\n        pass\n"
            "class Base:\n    def render(self):\n        pass\n    def show(self):\n"
            "        pass\n"
            "class Child(Base):\n    render = Base.show\n    show = make_show()\n"
            "def use_child():\n    Child().render()\n"
            "class Meta(type):\n    def __call__(cls, *args):\n        return 1\n"
            "class Plain(type):\n    pass\n"
            "class Enumish(metaclass=Meta):\n    def __init__(self):\n        pass\n"
            "class Member(Enumish):\n    pass\n"
            "class Other(metaclass=Plain):\n    def __init__(self):\n        pass\n"
            "def indent(text, predicate=None):\n    if predicate is None:\n"
            "        def predicate(line):\n            return True\n"
            "    return predicate(text)\n");
  dir.Write("accel.py",
            "def S_ISDIR(mode):\n    return mode\ndef _private():\n    pass\n"
            "class Date:\n    def weekday(self):\n        return 0\n"
            "try:\n    from _stat import *\nexcept ImportError:\n    pass\n");
  dir.Write("use.py",
            "import accel, lib\n\n\ndef f():\n    lib.join('a')\n    lib.fast(1)\n"
            "    lib.mutated()\n    lib.wrapped()\n    accel.S_ISDIR(0)\n    accel._private()\n"
            "    lib.Point(1)\n    lib.Child().render()\n    lib.Child().show()\n"
            "    lib.Member()\n    lib.Other()\n    accel.Date(1).weekday()\n"
            "    accel.Date.today().year()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  EXPECT_EQ(got.at("lib.join"), "PY_CALLS_SYMBOL import lib.join");
  EXPECT_EQ(got.at("lib.fast"), "PY_CALLS_QNAME import_qname _speedups.fast");
  EXPECT_EQ(got.at("lib.mutated"), "PY_CALLS_QNAME import_qname _cwarn.mutated");
  EXPECT_EQ(got.at("lib.wrapped"), "PY_CALLS_QNAME unresolved lib.wrapped");
  EXPECT_EQ(got.at("gone"), "PY_CALLS_SYMBOL local lib.gone");  // `del` binds nothing
  // A definition of a parameter's name: the call may see the argument.
  EXPECT_EQ(got.at("predicate"), "PY_CALLS_QNAME unresolved predicate");
  // A public name an unknown star import may bind over; not a private one.
  EXPECT_EQ(got.at("accel.S_ISDIR"), "PY_CALLS_QNAME import_qname accel.S_ISDIR");
  EXPECT_EQ(got.at("accel._private"), "PY_CALLS_SYMBOL import accel._private");
  // A class the same star import may replace: its instances' methods by qualified name.
  EXPECT_EQ(got.at("accel.Date"), "PY_CALLS_QNAME import_qname accel.Date");
  EXPECT_EQ(got.at("accel.Date(1).weekday"), "PY_CALLS_QNAME import_qname accel.Date.weekday");
  EXPECT_EQ(got.at("accel.Date.today().year"),
            "PY_CALLS_QNAME unresolved accel.Date.today().year");  // not the class's instance
  EXPECT_EQ(got.at("lib.Point"), "PY_CALLS_SYMBOL class_new lib.Point.__new__");
  // A metaclass's `__call__` (a base's metaclass), else `__init__`.
  EXPECT_EQ(got.at("lib.Member"), "PY_CALLS_SYMBOL metaclass_call lib.Meta.__call__");
  EXPECT_EQ(got.at("lib.Other"), "PY_CALLS_SYMBOL class_init lib.Other.__init__");
  // A class body's alias of a module-level name's attribute, followed from any file; another
  // binding there (`show = make_show()`) only hides the base's.
  EXPECT_EQ(got.at("Child().render"), "PY_CALLS_SYMBOL instance_method lib.Base.show");
  EXPECT_EQ(got.at("lib.Child().render"), "PY_CALLS_SYMBOL instance_method lib.Base.show");
  EXPECT_EQ(got.at("lib.Child().show"), "PY_CALLS_QNAME unresolved lib.Child.show");
  // The definitions table says which definitions a later binding may hide; the call of
  // lib.join reaches the one under `else:` (line 6).
  auto names = Column(*r->definitions, "qualified_name");
  auto rebound = Column(*r->definitions, "rebound");
  auto lines = Column(*r->definitions, "line"), ids = Column(*r->definitions, "def_id");
  std::map<std::string, std::vector<std::string>> rebound_of;
  for (size_t i = 0; i < names.size(); ++i) rebound_of[names[i]].push_back(rebound[i]);
  auto targets = Column(*r->call_resolutions, "target_def_id");
  for (size_t i = 0; i < ids.size(); ++i) {
    if (names[i] != "lib.join") continue;
    const bool called = std::count(targets.begin(), targets.end(), ids[i]) > 0;
    EXPECT_EQ(called, lines[i] == "6") << lines[i];
  }
  EXPECT_EQ(rebound_of["lib.join"], (std::vector<std::string>{"binding", "no"}));
  EXPECT_EQ(rebound_of["lib.fast"], (std::vector<std::string>{"binding"}));
  EXPECT_EQ(rebound_of["lib.mutated"], (std::vector<std::string>{"binding"}));
  EXPECT_EQ(rebound_of["lib.gone"], (std::vector<std::string>{"no"}));
  EXPECT_EQ(rebound_of["accel.S_ISDIR"], (std::vector<std::string>{"star_import"}));
  EXPECT_EQ(rebound_of["lib.Point"], (std::vector<std::string>{"no"}));
}

TEST(Resolve, AMixinsSelfCallsGoWhereItsSubclassesInTheFileAgree) {
  // `self.m()` in a class that has no m and whose bases are all known: the m the classes of
  // the same file derived from it find (those without one cannot call it), when they agree.
  test_support::TempDir dir;
  dir.Write("base.py",
            "import abc\nclass Base:\n    def check(self):\n        pass\n"
            "    def keep(self):\n        pass\n"
            "class Plain(abc.ABC):\n    pass\n");
  dir.Write("tests.py",
            "from typing import Generic, TypeVar\nimport base, ext\nT = TypeVar('T')\n"
            "class Mixin(base.Plain, Generic[T]):\n"
            "    def run(self):\n        self.check()\n"
            "    def pick(self):\n        self.choice()\n"
            "    def kept(self):\n        self.keep()\n"
            "    @classmethod\n    def make(cls):\n        cls.build()\n"
            "class Concrete(Mixin, base.Base):\n"
            "    def choice(self):\n        pass\n"
            "    @classmethod\n    def build(cls):\n        pass\n"
            "class Deeper(Concrete):\n    pass\n"
            "class Bare(Mixin):\n    pass\n"
            "class Other(Mixin):\n    def choice(self):\n        pass\n"
            "def forget(o):\n    o.keep = None\n"
            "class Outside(ext.Thing):\n    def go(self):\n        self.check()\n"
            "class Below(Outside, base.Base):\n    pass\n"
            "class Lone:\n    def go2(self):\n        self.lone()\n");
  dir.Write("other.py",
            "import tests\nclass Elsewhere(tests.Lone):\n    def lone(self):\n        pass\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  // Concrete and Deeper find base.Base.check; Bare has none and cannot call it.
  EXPECT_EQ(got.at("self.check"), "PY_CALLS_QNAME unresolved tests.Outside.check");
  EXPECT_EQ(got.at("cls.build"), "PY_CALLS_SYMBOL subclass_method tests.Concrete.build");
  // Concrete's choice and Other's: not one.
  EXPECT_EQ(got.at("self.choice"), "PY_CALLS_QNAME unresolved tests.Mixin.choice");
  // The file stores an attribute keep, which would hide the class's.
  EXPECT_EQ(got.at("self.keep"), "PY_CALLS_QNAME unresolved tests.Mixin.keep");
  // A subclass in another file is not looked at.
  EXPECT_EQ(got.at("self.lone"), "PY_CALLS_QNAME unresolved tests.Lone.lone");
  // Mixin.run's call (line 6), apart from Outside.go's (line 31): a base outside REPO may
  // have check.
  auto callee = CalleeTexts(*r);
  auto rid = Column(*r->call_resolutions, "call_id");
  auto how = Column(*r->call_resolutions, "resolution_method");
  auto qn = Column(*r->call_resolutions, "target_qualified_name");
  auto lines = Column(*r->call_sites, "line"), ids = Column(*r->call_sites, "call_id");
  std::map<std::string, std::string> line_of;
  for (size_t i = 0; i < ids.size(); ++i) line_of[ids[i]] = lines[i];
  std::set<std::string> checks;
  for (size_t i = 0; i < rid.size(); ++i) {
    if (callee[rid[i]] == "self.check") checks.insert(line_of[rid[i]] + " " + how[i] + " " + qn[i]);
  }
  EXPECT_EQ(checks, (std::set<std::string>{"6 subclass_method base.Base.check",
                                           "31 unresolved tests.Outside.check"}));
}

TEST(Resolve, AModuleLevelInstanceIsReadFromOtherModules) {
  // `default = Policy()` and `strict: Policy` at module level are read from other modules
  // through the module's names, as aliases are; the bindings table says what each holds.
  test_support::TempDir dir;
  dir.Write("base.py", "class Policy:\n    def clone(self):\n        pass\n");
  dir.Write("policy.py",
            "from base import Policy\nimport base\n"
            "class EmailPolicy(Policy):\n    def fold(self):\n        pass\n"
            "    def child(self) -> 'EmailPolicy':\n        pass\n"
            "default = EmailPolicy()\nqualified = base.Policy()\nstrict: Policy = make()\n"
            "derived = EmailPolicy().child()\ncounts = dict()\n"
            "twice = EmailPolicy()\ntwice = None\n"
            "def f():\n    local = EmailPolicy()\n    return local\n"
            "class Registry:\n    def __call__(self, key):\n        pass\n"
            "registry = Registry()\n");
  dir.Write("use.py",
            "import policy\nfrom policy import default, strict, derived, counts, twice\n"
            "def g():\n    default.fold()\n    policy.qualified.clone()\n    strict.clone()\n"
            "    derived.fold()\n    counts.items()\n    twice.fold()\n"
            "    policy.registry('k')\n    default()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  EXPECT_EQ(got.at("default.fold"), "PY_CALLS_SYMBOL instance_method policy.EmailPolicy.fold");
  EXPECT_EQ(got.at("policy.qualified.clone"), "PY_CALLS_SYMBOL instance_method base.Policy.clone");
  EXPECT_EQ(got.at("strict.clone"), "PY_CALLS_SYMBOL annotated_method base.Policy.clone");
  EXPECT_EQ(got.at("counts.items"), "PY_CALLS_QNAME builtin builtins.dict.items");
  // A call of an instance: its class's `__call__`, named when the class has none.
  EXPECT_EQ(got.at("policy.registry"), "PY_CALLS_SYMBOL instance_method policy.Registry.__call__");
  EXPECT_EQ(got.at("default"), "PY_CALLS_QNAME unresolved policy.EmailPolicy.__call__");
  // A call's result on a call's result, and a name bound twice: not followed.
  EXPECT_EQ(got.at("derived.fold"), "PY_CALLS_QNAME import_qname policy.derived.fold");
  EXPECT_EQ(got.at("twice.fold"), "PY_CALLS_QNAME import_qname policy.twice.fold");
  EXPECT_EQ(InstancesOf(*r, "policy.py"),
            (std::map<std::string, std::string>{{"counts", "dict()"},
                                                {"default", "EmailPolicy()"},
                                                {"derived", "EmailPolicy().child()"},
                                                {"local", "EmailPolicy()"},
                                                {"qualified", "base.Policy()"},
                                                {"registry", "Registry()"},
                                                {"strict", "Policy"}}));
}

TEST(Resolve, AnAttributeSetFromANameHoldsWhatTheNameHolds) {
  // `self.repo = repo` in a method, the file's one store to `repo`: what the name holds where
  // it is bound once (an annotated parameter, a call of a class).
  test_support::TempDir dir;
  dir.Write("svc.py",
            "class Repo:\n    def get(self):\n        pass\n"
            "class Service:\n"
            "    def __init__(self, repo: Repo, other, again: Repo):\n"
            "        self.repo = repo\n        made = Repo()\n        self.made = made\n"
            "        self.other = other\n        self.again = again\n"
            "    def reset(self):\n        self.again = None\n"
            "    def run(self):\n        self.repo.get()\n        self.made.get()\n"
            "        self.other.get()\n        self.again.get()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  EXPECT_EQ(got.at("self.repo.get"), "PY_CALLS_SYMBOL attribute_method svc.Repo.get");
  EXPECT_EQ(got.at("self.made.get"), "PY_CALLS_SYMBOL attribute_method svc.Repo.get");
  EXPECT_EQ(got.at("self.other.get"), "PY_CALLS_QNAME unresolved svc.Service.other.get");
  // Stored twice in the file: either value.
  EXPECT_EQ(got.at("self.again.get"), "PY_CALLS_QNAME unresolved svc.Service.again.get");
}

TEST(Resolve, AWithItemHoldsWhatItsEnterReturns) {
  // `with Archive(p) as a`: a is what `__enter__` returns, followed where it returns the
  // instance itself (`return self`, in another module) or its annotation says; `async with`
  // reads `__aenter__`.
  test_support::TempDir dir;
  dir.Write("arc.py",
            "from typing import Self\n"
            "class Archive:\n    def __enter__(self):\n        return self\n"
            "    def __exit__(self, *exc):\n        pass\n    def read(self):\n        pass\n"
            "class Entry:\n    def name(self):\n        pass\n"
            "class Opener:\n    def __enter__(self) -> Entry:\n        return Entry()\n"
            "class Typed:\n    def __enter__(self) -> Self:\n        return make()\n"
            "    def size(self):\n        pass\n"
            "class Closed:\n    def __enter__(self):\n        return None\n"
            "    def read(self):\n        pass\n"
            "class Conn:\n    async def __aenter__(self):\n        return self\n"
            "    async def send(self):\n        pass\n");
  dir.Write("use.py",
            "import arc\n"
            "def f(p):\n"
            "    with arc.Archive(p) as a, arc.Closed() as c:\n        a.read()\n        c.read()\n"
            "    with arc.Opener() as e, arc.Typed() as t:\n        e.name()\n        t.size()\n"
            "    with (arc.Archive(p) as inner):\n        inner.read()\n"
            "    with arc.Archive(p) as (target):\n        target.read()\n"
            "async def g():\n"
            "    async with arc.Conn() as conn:\n        await conn.send()\n"
            "    with arc.Conn() as sync:\n        sync.send()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  EXPECT_EQ(got.at("a.read"), "PY_CALLS_SYMBOL instance_method arc.Archive.read");
  EXPECT_EQ(got.at("inner.read"), "PY_CALLS_SYMBOL instance_method arc.Archive.read");
  EXPECT_EQ(got.at("target.read"), "PY_CALLS_SYMBOL instance_method arc.Archive.read");
  EXPECT_EQ(got.at("e.name"), "PY_CALLS_SYMBOL annotated_method arc.Entry.name");
  EXPECT_EQ(got.at("t.size"), "PY_CALLS_SYMBOL annotated_method arc.Typed.size");
  EXPECT_EQ(got.at("conn.send"), "PY_CALLS_SYMBOL instance_method arc.Conn.send");
  // `__enter__` returns something else; a class with only `__aenter__` in a plain `with`.
  EXPECT_EQ(got.at("c.read"), "PY_CALLS_QNAME unresolved c.read");
  EXPECT_EQ(got.at("sync.send"), "PY_CALLS_QNAME unresolved sync.send");
  auto instance_of = InstancesOf(*r, "use.py");
  EXPECT_EQ(instance_of.at("a"), "arc.Archive().__enter__()");
  EXPECT_EQ(instance_of.at("conn"), "arc.Conn().__aenter__()");
}

TEST(Resolve, AMethodThatReturnsItsInstanceGivesThatInstance) {
  // Fluent calls: a method whose every `return` returns its first parameter, called on an
  // instance, returns that instance. Not a generator, a static method, a method that binds
  // `self` again, one called on its class, or an async method (a coroutine).
  test_support::TempDir dir;
  dir.Write("q.py",
            "class Query:\n"
            "    def where(self, c):\n        if c:\n            return self\n        return self\n"
            "    def rows(self):\n        pass\n"
            "    def each(self):\n        yield self\n        return self\n"
            "    def other(self):\n        self = Query()\n        return self\n"
            "    def maybe(self, c):\n        if c:\n            return None\n        return self\n"
            "    @staticmethod\n    def make(self):\n        return self\n"
            "    async def later(self):\n        return self\n");
  dir.Write("use.py",
            "from q import Query\n"
            "def f(q: Query):\n"
            "    Query().where(1).where(2).rows()\n    q.where(1).rows()\n"
            "    q.each().rows()\n    q.other().rows()\n    q.maybe(1).rows()\n"
            "    q.make(q).rows()\n    Query.where(q, 1).rows()\n    q.later().rows()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  EXPECT_EQ(got.at("Query().where(1).where(2).rows"),
            "PY_CALLS_SYMBOL instance_method q.Query.rows");
  EXPECT_EQ(got.at("q.where(1).rows"), "PY_CALLS_SYMBOL instance_method q.Query.rows");
  for (const char* callee : {"q.each().rows", "q.other().rows", "q.maybe(1).rows", "q.make(q).rows",
                             "Query.where(q, 1).rows", "q.later().rows"})
    EXPECT_EQ(got.at(callee), std::string("PY_CALLS_QNAME unresolved ") + callee) << callee;
  EXPECT_EQ(Returns(*r), (std::map<std::string, std::string>{{"q.Query.later", "self"},
                                                             {"q.Query.where", "self"}}));
}

TEST(Resolve, AFunctionEveryReturnOfWhichCallsOneCalleeGivesWhatTheCallMakes) {
  // `def open(self): return Entry(...)`: a call of it makes an Entry, in another module too
  // (where `Entry`'s first name is a module-level name there). Not when a return gives
  // something else, for a generator or an async function; a return annotation comes first.
  test_support::TempDir dir;
  dir.Write("arc.py",
            "class Entry:\n    def read(self):\n        pass\n"
            "class Other:\n    def read(self):\n        pass\n"
            "class Archive:\n"
            "    def open(self, name):\n        if not name:\n            raise KeyError(name)\n"
            "        return Entry(name)\n"
            "    @staticmethod\n    def make():\n        return Archive()\n"
            "    def maybe(self, c):\n        if c:\n            return None\n"
            "        return Entry(c)\n"
            "    def each(self):\n        yield 1\n        return Entry(1)\n"
            "    async def later(self):\n        return Entry(1)\n"
            "    def declared(self) -> Other:\n        return Entry(1)\n"
            "def opener(a: Archive):\n    return a.open('x')\n"
            "def parse(t):\n    made = Entry(t)\n    made.read()\n    return made\n"
            "def use(a: Archive):\n    opener(a).read()\n");
  dir.Write("use.py",
            "import arc\n"
            "def f(a: arc.Archive):\n"
            "    a.open('x').read()\n    arc.Archive.make().open('y').read()\n"
            "    arc.opener(a).read()\n    a.maybe(1).read()\n    a.each().read()\n"
            "    a.later().read()\n    a.declared().read()\n    arc.parse(1).read()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  EXPECT_EQ(got.at("a.open('x').read"), "PY_CALLS_SYMBOL instance_method arc.Entry.read");
  EXPECT_EQ(got.at("arc.Archive.make().open('y').read"),
            "PY_CALLS_SYMBOL instance_method arc.Entry.read");
  EXPECT_EQ(got.at("opener(a).read"), "PY_CALLS_SYMBOL instance_method arc.Entry.read");
  // From another module, only a call of a module-level name (or a builtin's) there is read.
  EXPECT_EQ(got.at("arc.opener(a).read"), "PY_CALLS_QNAME unresolved arc.opener(a).read");
  EXPECT_EQ(got.at("a.declared().read"), "PY_CALLS_SYMBOL annotated_method arc.Other.read");
  // A returned name holds what it holds (`made = Entry(t)`, `return made`).
  EXPECT_EQ(got.at("arc.parse(1).read"), "PY_CALLS_SYMBOL instance_method arc.Entry.read");
  for (const char* callee : {"a.maybe(1).read", "a.each().read", "a.later().read"})
    EXPECT_EQ(got.at(callee), std::string("PY_CALLS_QNAME unresolved ") + callee) << callee;
  EXPECT_EQ(Returns(*r), (std::map<std::string, std::string>{{"arc.Archive.declared", "Entry()"},
                                                             {"arc.Archive.make", "Archive()"},
                                                             {"arc.Archive.open", "Entry()"},
                                                             {"arc.opener", "a.open()"},
                                                             {"arc.parse", "Entry()"}}));
}

TEST(Resolve, ACallThroughAMetaclassCallReturnsWhatThatCallReturns) {
  // A class whose metaclass defines `__call__` (an enum's, whose functional API makes a class):
  // a call of it is not known to make an instance, unless that `__call__` says what it returns.
  test_support::TempDir dir;
  dir.Write("meta.py",
            "class EnumMeta(type):\n    def __call__(cls, value, names=None):\n"
            "        if names is None:\n            return cls.__new__(cls, value)\n"
            "        return cls._create_(value, names)\n"
            "class Enum(metaclass=EnumMeta):\n    def describe(self):\n        pass\n"
            "class Box:\n    def open(self):\n        pass\n"
            "class Boxing(type):\n    def __call__(cls, key) -> Box:\n        pass\n"
            "class Crate(metaclass=Boxing):\n    def open(self):\n        pass\n");
  dir.Write("use.py",
            "from meta import Enum, Crate\n"
            "def f():\n    Color = Enum('Color', 'RED')\n    Color.RED.describe()\n"
            "    Enum(1).describe()\n    Crate('k').open()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  EXPECT_EQ(got.at("Enum"), "PY_CALLS_SYMBOL metaclass_call meta.EnumMeta.__call__");
  EXPECT_EQ(got.at("Color.RED.describe"), "PY_CALLS_QNAME unresolved Color.RED.describe");
  EXPECT_EQ(got.at("Enum(1).describe"), "PY_CALLS_QNAME unresolved Enum(1).describe");
  EXPECT_EQ(got.at("Crate('k').open"), "PY_CALLS_SYMBOL annotated_method meta.Box.open");
}

TEST(Resolve, ANameEveryDefSiteOfWhichCallsOneCalleeHoldsWhatItMakes) {
  // `c = Counter(a)`, later `c = Counter(b)`: either way an instance of Counter. Not when the
  // callee texts differ, when another def site binds it (`del`, a loop), or across scopes. (The
  // second def sites are in `if` blocks, which no read after them is reached from alone.)
  test_support::TempDir dir;
  dir.Write("m.py",
            "class Counter:\n    def add(self):\n        pass\n"
            "class Other:\n    def add(self):\n        pass\n"
            "def f(a, b, xs):\n"
            "    same = Counter(a)\n    if b:\n        same = Counter(b)\n    same.add()\n"
            "    mixed = Counter(a)\n    if b:\n        mixed = Other()\n    mixed.add()\n"
            "    looped = Counter(a)\n    for looped in xs:\n        pass\n    looped.add()\n"
            "    with Counter(a) as entered:\n        pass\n    if b:\n"
            "        entered = Counter(b)\n    entered.add()\n"
            "g = Counter(1)\n"
            "def h():\n    global g\n    g = Counter(2)\n    g.add()\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = CallsByCallee(*r);
  EXPECT_EQ(got.at("same.add"), "PY_CALLS_SYMBOL instance_method m.Counter.add");
  EXPECT_EQ(got.at("mixed.add"), "PY_CALLS_QNAME unresolved mixed.add");
  EXPECT_EQ(got.at("looped.add"), "PY_CALLS_QNAME unresolved looped.add");
  EXPECT_EQ(got.at("entered.add"), "PY_CALLS_QNAME unresolved entered.add");
  EXPECT_EQ(got.at("g.add"), "PY_CALLS_QNAME unresolved g.add");
}

TEST(Resolve, AReadHoldsWhatTheOneDefSiteReachingItInStraightLineCodeMakes) {
  // `x = A()`, `x.m()`, `x = B()`, `x.m()`: each read holds what the def site before it in the
  // same block made, where no other def site can run between them.
  test_support::TempDir dir;
  dir.Write("m.py",
            "class A:\n    def m(self):\n        pass\n"
            "    def __enter__(self):\n        return self\n"
            "    def __exit__(self, *exc):\n        pass\n"
            "class B:\n    def m(self):\n        pass\n"
            "def f(c, xs):\n"
            "    x = A()\n    x.m()  # first\n    x = B()\n    x.m()  # second\n"
            "    if c:\n        x.m()  # branch\n        x = A()\n    x.m()  # joined\n"
            "    y = A()\n    for i in xs:\n        y.m()  # looped\n        y = B()\n"
            "    z = A()\n    z = z.m()  # own\n"
            "    with A() as w:\n        w.m()  # entered\n    w = B()\n    w.m()  # after\n"
            "    s = []\n    s.append(1)\n    s = {}\n    s.get(1)\n"
            "    q = A()\n    q = B()\n    q.m()  # nonlocal\n"
            "    def g():\n        nonlocal q\n        q = A()\n"
            "    try:\n        t = A()\n    except ValueError:\n        t = B()\n"
            "    t.m()  # after try\n"
            "    v = A()\n    while c:\n        v.m()  # while\n        v = B()\n"
            "    d = None\n    c.attr = d = {}\n    d.get(1)  # chained\n");
  auto r = ExtractDir(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto by_line = CallsByLine(*r);
  EXPECT_EQ(by_line.at("13 x.m"), "PY_CALLS_SYMBOL instance_method m.A.m");  // first
  EXPECT_EQ(by_line.at("15 x.m"), "PY_CALLS_SYMBOL instance_method m.B.m");  // second
  EXPECT_EQ(by_line.at("17 x.m"), "PY_CALLS_SYMBOL instance_method m.B.m");  // x = A() after
  EXPECT_EQ(by_line.at("19 x.m"), "PY_CALLS_QNAME unresolved x.m");          // A() or B()
  EXPECT_EQ(by_line.at("22 y.m"), "PY_CALLS_QNAME unresolved y.m");  // B() from the last turn
  EXPECT_EQ(by_line.at("25 z.m"), "PY_CALLS_QNAME unresolved z.m");  // its own statement
  EXPECT_EQ(by_line.at("27 w.m"), "PY_CALLS_SYMBOL instance_method m.A.m");  // entered
  EXPECT_EQ(by_line.at("29 w.m"), "PY_CALLS_SYMBOL instance_method m.B.m");  // after
  EXPECT_EQ(by_line.at("31 s.append"), "PY_CALLS_QNAME builtin builtins.list.append");
  EXPECT_EQ(by_line.at("33 s.get"), "PY_CALLS_QNAME builtin builtins.dict.get");
  EXPECT_EQ(by_line.at("36 q.m"), "PY_CALLS_QNAME unresolved q.m");  // g may assign q
  EXPECT_EQ(by_line.at("44 t.m"), "PY_CALLS_QNAME unresolved t.m");  // try or except
  EXPECT_EQ(by_line.at("47 v.m"), "PY_CALLS_QNAME unresolved v.m");  // B() from the last turn
  EXPECT_EQ(by_line.at("51 d.get"), "PY_CALLS_QNAME builtin builtins.dict.get");  // chained
}

// Every row of `t` rendered as one string, for rows whose path is `path`, sorted.
std::vector<std::string> RowsOfPath(const arrow::Table& t, const std::string& path) {
  std::vector<std::vector<std::string>> cols;
  for (const auto& f : t.schema()->fields()) cols.push_back(Column(t, f->name()));
  auto paths = Column(t, "path");
  std::vector<std::string> out;
  for (size_t r = 0; r < paths.size(); ++r) {
    if (paths[r] != path) continue;
    std::string row;
    for (const auto& c : cols) row += c[r] + "|";
    out.push_back(row);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Resolve, OnlyPathsGivesTheRowsOfAWholeExtraction) {
  ExtractOptions opt;
  opt.repo_root = FixtureRepo();
  auto whole = ExtractRepository(opt);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  auto paths = Column(*whole->files, "path");
  ASSERT_GE(paths.size(), 5u);
  for (const auto& path : paths) {
    opt.only_paths = std::set<std::string>{path};
    auto part = ExtractRepository(opt);
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    EXPECT_EQ(part->files->num_rows(), 1);
    auto whole_tables = whole->Tables();
    auto part_tables = part->Tables();
    for (size_t t = 0; t < whole_tables.size(); ++t) {
      EXPECT_EQ(RowsOfPath(*part_tables[t].second, path), RowsOfPath(*whole_tables[t].second, path))
          << whole_tables[t].first << " of " << path;
    }
  }
}

// Resolution from the requested files reaches modules no import names at module level: a
// submodule through its package's attribute (`pkg.sub.f()` after `import pkg`), a re-export
// two packages deep, a base class's methods in another module. Each is parsed when resolution
// looks into it, so the rows equal a whole extraction's.
TEST(Resolve, OnlyPathsFollowsWhatResolutionLooksInto) {
  testing::TempRepo repo;
  repo.Write("pkg/__init__.py", "from .mid import g\n");
  repo.Write("pkg/mid.py", "from .impl import g\n");
  repo.Write("pkg/impl.py", "def g():\n    pass\n");
  repo.Write("pkg/sub.py", "def f():\n    pass\n");
  repo.Write("base.py", "class Base:\n    def helper(self):\n        pass\n");
  repo.Write("unrelated.py", "import pkg\n");
  repo.Write("main.py",
             "import pkg\nimport base\nfrom pkg import g\n\n"
             "class C(base.Base):\n    def run(self):\n        self.helper()\n\n"
             "pkg.sub.f()\ng()\n");
  ExtractOptions opt;
  opt.repo_root = repo.root();
  auto whole = ExtractRepository(opt);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  opt.only_paths = std::set<std::string>{"main.py"};
  auto part = ExtractRepository(opt);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  auto resolved = RowsOfPath(*part->call_resolutions, "main.py");
  EXPECT_EQ(resolved, RowsOfPath(*whole->call_resolutions, "main.py"));
  std::set<std::string> targets;
  for (const auto& qn : Column(*part->call_resolutions, "target_qualified_name"))
    targets.insert(qn);
  EXPECT_TRUE(targets.count("pkg.sub.f")) << ::testing::PrintToString(targets);
  EXPECT_TRUE(targets.count("pkg.impl.g")) << ::testing::PrintToString(targets);
  EXPECT_TRUE(targets.count("base.Base.helper")) << ::testing::PrintToString(targets);
  EXPECT_EQ(RowsOfPath(*part->imports, "main.py"), RowsOfPath(*whole->imports, "main.py"));
}

// Each parsed file is reported once, counting up to the files parsed: every file of the
// repository, or with `only_paths` the requested files and the modules resolution looked into.
TEST(Resolve, ReportsEachFileParsed) {
  testing::TempRepo repo;
  repo.Write("pkg/__init__.py", "from .impl import g\n");
  repo.Write("pkg/impl.py", "def g():\n    pass\n");
  repo.Write("unrelated.py", "x = 1\n");
  repo.Write("notes.txt", "not python\n");
  repo.Write("main.py", "from pkg import g\ng()\n");
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> calls;
  ExtractOptions opt;
  opt.repo_root = repo.root();
  opt.jobs = 3;
  opt.on_parsed = [&](int64_t done, int64_t total) {
    std::lock_guard<std::mutex> lock(mu);
    calls.emplace_back(done, total);
  };
  ASSERT_TRUE(ExtractRepository(opt).ok());
  ASSERT_EQ(calls.size(), 5u);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].first, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(calls[i].second, 5);
  }
  calls.clear();
  opt.only_paths = std::set<std::string>{"main.py"};
  ASSERT_TRUE(ExtractRepository(opt).ok());
  // main.py, then the package and the module its re-export leads to; not unrelated.py.
  ASSERT_EQ(calls.size(), 3u) << ::testing::PrintToString(calls);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].first, static_cast<int64_t>(i) + 1);
    EXPECT_GE(calls[i].second, calls[i].first);
  }
  EXPECT_EQ(calls.back().second, 3);
}

// Batches, concatenated, hold exactly the rows of the whole extraction, in file_id order; the
// definitions called from other files are those of cross-file PY_CALLS_SYMBOL rows.
TEST(Resolve, BatchesHoldTheRowsOfTheWholeExtraction) {
  ExtractOptions opt;
  opt.repo_root = FixtureRepo();
  auto whole = ExtractRepository(opt);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  auto scan = ScanRepository({opt.repo_root, {}, {}});
  ASSERT_TRUE(scan.ok());
  std::set<std::string> expected_called;
  {
    auto caller = Column(*whole->call_resolutions, "file_id");
    auto target = Column(*whole->call_resolutions, "target_def_id");
    auto target_file = Column(*whole->call_resolutions, "target_file_id");
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] != "null" && target_file[i] != caller[i]) expected_called.insert(target[i]);
    }
  }
  ASSERT_FALSE(expected_called.empty());
  for (int64_t batch_bytes : {int64_t{1}, int64_t{400}, int64_t{1} << 30}) {
    auto batched = BatchedExtraction::Make(*scan, opt);
    ASSERT_TRUE(batched.ok()) << batched.status().ToString();
    const auto& called = (*batched)->called_from_other_files();
    EXPECT_EQ(std::set<std::string>(called.begin(), called.end()), expected_called);
    std::map<std::string, std::vector<std::shared_ptr<arrow::Table>>> parts;
    int batches = 0;
    std::string last_file_id;
    while (true) {
      auto next = (*batched)->Next(batch_bytes);
      ASSERT_TRUE(next.ok()) << next.status().ToString();
      if (!*next) break;
      ++batches;
      // A batch stops at the first file that takes it to batch_bytes.
      auto sizes = Column(*(*next)->files, "size");
      int64_t before_last = 0;
      for (size_t i = 0; i + 1 < sizes.size(); ++i) before_last += std::stoll(sizes[i]);
      EXPECT_LT(before_last, batch_bytes);
      for (const auto& id : Column(*(*next)->files, "file_id")) {
        EXPECT_LT(last_file_id, id);  // batches go in file_id order
        last_file_id = id;
      }
      for (const auto& [name, table] : (*next)->Tables()) parts[name].push_back(table);
    }
    if (batch_bytes == 1) {
      EXPECT_EQ(batches, whole->files->num_rows());
    } else if (batch_bytes == 400) {
      EXPECT_GT(batches, 1);
    } else {
      EXPECT_EQ(batches, 1);
    }
    for (const auto& [name, table] : whole->Tables()) {
      auto joined = arrow::ConcatenateTables(parts[name]).ValueOrDie();
      std::vector<std::string> cols;
      for (const auto& f : table->schema()->fields()) cols.push_back(f->name());
      auto want = testing::Rows(*table, cols), got = testing::Rows(*joined, cols);
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want) << name << " in batches of " << batch_bytes << " bytes";
    }
  }
}

}  // namespace
}  // namespace anatomy::extract
