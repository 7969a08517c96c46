// Extraction tables on small sources: scopes, bindings, definitions, parameters, imports,
// calls, type parameters (3.12 syntax, hand-written expectations), determinism.
#include "anatomy/extract/extract.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "anatomy/extract/schemas.h"
#include "test_util.h"

namespace anatomy::extract {
namespace {

using testing::Column;
using testing::Rows;
using testing::TempRepo;

ExtractionResult Extract(const TempRepo& repo, int jobs = 2) {
  ExtractOptions opt;
  opt.repo_root = repo.root();
  opt.jobs = jobs;
  auto r = ExtractRepository(opt);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.MoveValueUnsafe();
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Extract, SchemasMatchTablesAndCarrySpans) {
  TempRepo repo;
  repo.Write("m.py", "def f(x):\n    return g(x)\n");
  auto r = Extract(repo);
  for (const auto& [name, table] : r.Tables()) {
    ASSERT_NE(table, nullptr) << name;
    EXPECT_TRUE(table->schema()->Equals(*DatasetSchema(name), /*check_metadata=*/true)) << name;
    for (const char* col : {"path", "file_id", "bstart", "bend"}) {
      EXPECT_NE(table->schema()->GetFieldByName(col), nullptr) << name << "." << col;
    }
    EXPECT_TRUE(table->ValidateFull().ok()) << name;
  }
}

TEST(Extract, FilesRow) {
  TempRepo repo;
  repo.Write("pkg/__init__.py", "");
  repo.Write("pkg/mod.py", "# -*- coding: latin-1 -*-\nx = 1\n");
  repo.Write("README", "hello");
  auto r = Extract(repo);
  EXPECT_EQ(
      Rows(*r.files, {"path", "module_name", "encoding", "line_count", "is_python"}),
      (std::vector<std::string>{"README|null|null|1|false", "pkg/__init__.py|pkg|utf-8|0|true",
                                "pkg/mod.py|pkg.mod|iso-8859-1|2|true"}));
  EXPECT_EQ(Column(*r.files, "sha256")[0],
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
}

TEST(Extract, ScopesAndQualifiedNames) {
  TempRepo repo;
  repo.Write("pkg/mod.py",
             "class C:\n"
             "    def m(self):\n"
             "        def inner():\n"
             "            return [lambda: 1 for _ in ()]\n");
  auto r = Extract(repo);
  EXPECT_EQ(
      Rows(*r.scopes, {"scope_kind", "scope_name", "qualified_name", "line"}),
      (std::vector<std::string>{
          "module|top|pkg.mod|1", "class|C|pkg.mod.C|1", "function|m|pkg.mod.C.m|2",
          "function|inner|pkg.mod.C.m.<locals>.inner|3",
          "comprehension|listcomp|pkg.mod.C.m.<locals>.inner.<locals>.<listcomp>|4",
          "lambda|lambda|pkg.mod.C.m.<locals>.inner.<locals>.<listcomp>.<locals>.<lambda>|4"}));
  auto defs = Rows(*r.definitions, {"def_kind", "qualified_name", "is_method"});
  EXPECT_EQ(defs,
            (std::vector<std::string>{
                "class|pkg.mod.C|false", "function|pkg.mod.C.m|true",
                "function|pkg.mod.C.m.<locals>.inner|false",
                "lambda|pkg.mod.C.m.<locals>.inner.<locals>.<listcomp>.<locals>.<lambda>|false"}));
}

TEST(Extract, BindingsResolveFreeVariablesToTheEnclosingBinding) {
  TempRepo repo;
  repo.Write("m.py",
             "x = 1\n"
             "def outer():\n"
             "    y = 2\n"
             "    def inner():\n"
             "        return x + y + len([])\n"
             "    return inner\n");
  auto r = Extract(repo);
  auto rows = Rows(*r.bindings, {"name", "scope_resolution", "resolved_kind"});
  EXPECT_TRUE(Contains(rows, "y|CELL|local"));
  EXPECT_TRUE(Contains(rows, "y|FREE|enclosing"));
  EXPECT_TRUE(Contains(rows, "x|GLOBAL_IMPLICIT|global"));
  EXPECT_TRUE(Contains(rows, "len|GLOBAL_IMPLICIT|builtin"));
  // The free y points at outer's binding of y.
  auto ids = Column(*r.bindings, "binding_id");
  auto names = Column(*r.bindings, "name");
  auto res = Column(*r.bindings, "scope_resolution");
  auto target = Column(*r.bindings, "resolved_binding_id");
  std::string cell_id, free_target;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (names[i] == "y" && res[i] == "CELL") cell_id = ids[i];
    if (names[i] == "y" && res[i] == "FREE") free_target = target[i];
  }
  EXPECT_FALSE(cell_id.empty());
  EXPECT_EQ(free_target, cell_id);
  // Def and use sites of y.
  auto occ = Rows(*r.occurrences, {"name", "role", "ctx", "line"});
  EXPECT_TRUE(Contains(occ, "y|def|store|3"));
  EXPECT_TRUE(Contains(occ, "y|use|load|5"));
}

TEST(Extract, ExceptAsUnbindsAndDelAndMatchCaptures) {
  TempRepo repo;
  repo.Write("m.py",
             "try:\n    pass\nexcept ValueError as err:\n    print(err)\n"
             "del gone\n"
             "match cmd:\n    case [first, *rest]:\n        pass\n");
  auto r = Extract(repo);
  auto occ = Rows(*r.occurrences, {"name", "role", "ctx"});
  EXPECT_TRUE(Contains(occ, "err|def|store"));
  EXPECT_TRUE(Contains(occ, "err|def|except_unbind"));
  EXPECT_TRUE(Contains(occ, "gone|def|del"));
  EXPECT_TRUE(Contains(occ, "first|def|capture"));
  EXPECT_TRUE(Contains(occ, "rest|def|store"));
}

TEST(Extract, DefinitionsParametersDecoratorsAnnotations) {
  TempRepo repo;
  repo.Write("m.py",
             "@dec.one\n"
             "@two(3)\n"
             "async def f(a, /, b: int = 1, *args, c, d=2, **kw) -> str:\n"
             "    pass\n");
  auto r = Extract(repo);
  EXPECT_EQ(Rows(*r.definitions, {"def_kind", "name", "decorators", "line"}),
            (std::vector<std::string>{"async_function|f|[dec.one,two(3)]|3"}));
  EXPECT_EQ(Rows(*r.parameters, {"name", "kind", "position", "default_text", "annotation_text"}),
            (std::vector<std::string>{"a|posonly|0|null|null", "b|normal|1|1|int",
                                      "args|vararg|2|null|null", "c|kwonly|3|null|null",
                                      "d|kwonly|4|2|null", "kw|varkw|5|null|null"}));
  EXPECT_EQ(Rows(*r.annotations, {"target_kind", "target_name", "annotation_text"}),
            (std::vector<std::string>{"return|f|str", "parameter|b|int"}));
  EXPECT_EQ(Column(*r.annotations, "owner_id")[1], Column(*r.parameters, "param_id")[1]);
  EXPECT_EQ(Column(*r.annotations, "owner_id")[0], Column(*r.definitions, "def_id")[0]);
}

TEST(Extract, ImportsAbsoluteRelativeStarAndResolution) {
  TempRepo repo;
  repo.Write("pkg/__init__.py", "from . import sub\nfrom .sub import thing as t\n");
  repo.Write("pkg/sub.py", "import os.path\nimport pkg.sub as me\nfrom ..up import *\nthing = 1\n");
  repo.Write("nspkg/mod.py", "");
  repo.Write("use.py", "import nspkg.mod\nfrom nspkg import mod\n");
  auto r = Extract(repo);
  EXPECT_EQ(Rows(*r.imports, {"path", "module", "imported_name", "asname", "level", "is_star",
                              "resolved_kind", "resolved_path"}),
            (std::vector<std::string>{"pkg/__init__.py|pkg|sub|null|1|false|module|pkg/sub.py",
                                      "pkg/__init__.py|pkg.sub|thing|t|1|false|symbol|pkg/sub.py",
                                      "pkg/sub.py|os.path|null|null|0|false|external|null",
                                      "pkg/sub.py|pkg.sub|null|me|0|false|module|pkg/sub.py",
                                      "pkg/sub.py|up|*|null|2|true|external|null",
                                      "use.py|nspkg.mod|null|null|0|false|module|nspkg/mod.py",
                                      "use.py|nspkg|mod|null|0|false|module|nspkg/mod.py"}));
  auto b = Rows(*r.bindings, {"path", "name", "flags"});
  EXPECT_TRUE(Contains(b, "pkg/sub.py|os|[local,global,imported]"));
}

TEST(Extract, CallSites) {
  TempRepo repo;
  repo.Write("m.py", "f(1, *a, k=2)\nobj.meth.call()\nmake()(x for x in y)\n");
  auto r = Extract(repo);
  EXPECT_EQ(Rows(*r.call_sites, {"callee_text", "callee_name", "arg_count", "line"}),
            (std::vector<std::string>{"f|f|3|1", "obj.meth.call|call|0|2", "make()|null|1|3",
                                      "make|make|0|3"}));
}

TEST(Extract, TypeParametersPep695) {
  // 3.12 syntax, hand-written expectations (a 3.12+ symtable, when the machine has one, checks
  // tests/extract/fixtures/symtable_312 in tests/python/extract).
  TempRepo repo;
  repo.Write("m.py",
             "def first[T: int, *Ts, **P](x: T) -> T:\n"
             "    return x\n"
             "class Box[K: (str, bytes)]:\n"
             "    pass\n"
             "type Alias[V] = list[V]\n");
  auto r = Extract(repo);
  EXPECT_EQ(Rows(*r.type_params, {"owner_name", "kind", "name", "bound_text", "constraints"}),
            (std::vector<std::string>{"first|TypeVar|T|int|[]", "first|TypeVarTuple|Ts|null|[]",
                                      "first|ParamSpec|P|null|[]", "Box|TypeVar|K|null|[str,bytes]",
                                      "Alias|TypeVar|V|null|[]"}));
  EXPECT_EQ(Rows(*r.scopes, {"scope_kind", "scope_name"}),
            (std::vector<std::string>{
                "module|top", "type_params|<generic parameters of first>", "annotation|T",
                "function|first", "type_params|<generic parameters of Box>", "annotation|K",
                "class|Box", "type_params|<generic parameters of Alias>", "annotation|Alias"}));
  // A bound is evaluated in its own scope: `int` is read there, not in the type parameters'.
  EXPECT_TRUE(
      Contains(Rows(*r.bindings, {"scope_id", "name"}), Rows(*r.scopes, {"scope_id"})[2] + "|int"));
  // T in the annotation of x resolves to the type parameter's binding.
  auto b = Rows(*r.bindings, {"name", "flags", "resolved_kind"});
  EXPECT_TRUE(Contains(b, "T|[local,assigned,referenced,type_param]|local"));
  EXPECT_TRUE(Contains(b, "V|[free,referenced]|enclosing"));
  EXPECT_EQ(r.diagnostics->num_rows(), 0);
}

TEST(Extract, TypeParameterDefaultsPep696) {
  // 3.13 syntax that tree-sitter-python 0.25 reads as errors; a 3.13+ symtable checks
  // tests/extract/fixtures/symtable_313 in tests/python/extract.
  TempRepo repo;
  repo.Write("m.py",
             "class C[T = int, *Ts = *tuple[int, ...], **P = [str]]:\n"
             "    pass\n"
             "def f[T: int = bool, U: (int, str) = int](x: T) -> T:\n"
             "    return x\n"
             "type A[T = dict[\n"
             "    str, int]] = list[T]\n");
  auto r = Extract(repo);
  EXPECT_EQ(r.diagnostics->num_rows(), 0);
  EXPECT_EQ(Rows(*r.files, {"has_syntax_errors"}), std::vector<std::string>{"false"});
  EXPECT_EQ(Rows(*r.type_params, {"owner_name", "kind", "name", "bound_text", "constraints",
                                  "default_text", "bstart", "bend"}),
            (std::vector<std::string>{
                "C|TypeVar|T|null|[]|int|8|15", "C|TypeVarTuple|Ts|null|[]|*tuple[int, ...]|17|39",
                "C|ParamSpec|P|null|[]|[str]|41|52", "f|TypeVar|T|int|[]|bool|70|83",
                "f|TypeVar|U|null|[int,str]|int|85|104",
                "A|TypeVar|T|null|[]|dict[\n    str, int]|138|161"}));
  // Each bound and each default is evaluated in an annotation scope of its own, which reads
  // the names of its value.
  auto scopes = Rows(*r.scopes, {"scope_kind", "scope_name"});
  EXPECT_EQ(std::count(scopes.begin(), scopes.end(), "annotation|T"), 4);
  EXPECT_EQ(std::count(scopes.begin(), scopes.end(), "annotation|U"), 2);
  auto bindings = Rows(*r.bindings, {"name", "resolved_kind"});
  for (const char* read :
       {"int|builtin", "tuple|builtin", "str|builtin", "bool|builtin", "dict|builtin"})
    EXPECT_TRUE(Contains(bindings, read)) << read;
}

TEST(Extract, MalformedTypeParameterListsStayDiagnosed) {
  // Not a PEP 696 default: the error nodes are reported, and the parameters that read
  // on their own are kept (before, an error node's text was taken for a name: "T = int =").
  TempRepo repo;
  repo.Write("m.py", "class C[T = , U]:\n    pass\nclass D[T = int = str]:\n    pass\n");
  auto r = Extract(repo);
  EXPECT_GT(r.diagnostics->num_rows(), 0);
  EXPECT_EQ(Rows(*r.files, {"has_syntax_errors"}), std::vector<std::string>{"true"});
  auto names = Rows(*r.type_params, {"owner_name", "name"});
  EXPECT_TRUE(Contains(names, "C|T"));
  EXPECT_TRUE(Contains(names, "C|U"));
  for (const auto& name : Column(*r.type_params, "name"))
    EXPECT_EQ(name.find_first_of(" ="), std::string::npos) << name;
}

TEST(Extract, SameResultWhateverTheThreadCount) {
  TempRepo repo;
  for (int i = 0; i < 30; ++i) {
    repo.Write("p" + std::to_string(i % 4) + "/m" + std::to_string(i) + ".py",
               "import os\nclass C:\n    def m(self):\n        return os.path.join(self, " +
                   std::to_string(i) + ")\n");
  }
  auto one = Extract(repo, 1);
  auto four = Extract(repo, 4);
  auto t1 = one.Tables(), t4 = four.Tables();
  ASSERT_EQ(t1.size(), t4.size());
  for (size_t i = 0; i < t1.size(); ++i) {
    EXPECT_TRUE(t1[i].second->Equals(*t4[i].second)) << t1[i].first;
  }
  EXPECT_EQ(one.files->num_rows(), 30);
}

}  // namespace
}  // namespace anatomy::extract
