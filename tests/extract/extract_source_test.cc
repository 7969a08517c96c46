// ExtractSource (one file's bytes in memory, the entry of fuzz/fuzz_extract.cc) against
// ExtractRepository, and regressions found by that fuzzer.
#include <arrow/api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "anatomy/extract/extract.h"
#include "anatomy/extract/utf8.h"
#include "test_util.h"

namespace anatomy::extract {
namespace {

using testing::Column;
using testing::TempRepo;

ExtractionResult Source(const std::string& path, const std::string& bytes) {
  auto r = ExtractSource(path, bytes);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.MoveValueUnsafe();
}

TEST(ExtractSource, SameTablesAsTheRepositoryExtraction) {
  const std::string src =
      "import os\nfrom .sib import x\nclass C[T]:\n    def m(self, a: T) -> T:\n"
      "        return os.path.join(self.m(a), x)\n[y for y in (z := [1])]\nbroken(:\n";
  TempRepo repo;
  repo.Write("pkg/mod.py", src);
  ExtractOptions opt;
  opt.repo_root = repo.root();
  opt.jobs = 1;
  auto repo_r = ExtractRepository(opt);
  ASSERT_TRUE(repo_r.ok()) << repo_r.status().ToString();
  auto mem = Source("pkg/mod.py", src);
  auto from_repo = repo_r->Tables();
  auto from_mem = mem.Tables();
  ASSERT_EQ(from_repo.size(), from_mem.size());
  for (size_t i = 0; i < from_repo.size(); ++i) {
    const auto& [name, table] = from_repo[i];
    ASSERT_EQ(name, from_mem[i].first);
    auto got = from_mem[i].second, expected = table;
    if (name == "files") {  // the in-memory file has no mtime
      auto g = got->RemoveColumn(got->schema()->GetFieldIndex("mtime_ms"));
      auto e = expected->RemoveColumn(expected->schema()->GetFieldIndex("mtime_ms"));
      ASSERT_TRUE(g.ok() && e.ok());
      got = *g;
      expected = *e;
    }
    EXPECT_TRUE(got->Equals(*expected)) << name << "\n" << got->ToString();
  }
  EXPECT_GT(mem.definitions->num_rows(), 0);
}

TEST(ExtractSource, IdentifiersAreComparedAfterNfkc) {
  // U+FF58 FULLWIDTH LATIN SMALL LETTER X is `x` after NFKC (PEP 3131): one binding, as in
  // CPython's symtable; so is the class named with U+FB01 LATIN SMALL LIGATURE FI.
  auto r = ExtractSource("m.py", "\xef\xbd\x98 = 1\nprint(x)\nclass \xef\xac\x81le: pass\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto names = testing::Column(*r->bindings, "name");
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"file", "print", "x"}));
  auto flags = testing::Column(*r->bindings, "flags");
  auto all = testing::Column(*r->bindings, "name");
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == "x") {
      EXPECT_NE(flags[i].find("referenced"), std::string::npos) << flags[i];
    }
  }
  EXPECT_EQ(testing::Column(*r->definitions, "name"), std::vector<std::string>{"file"});
  EXPECT_EQ(NormalizeIdentifier("plain"), "plain");
}

TEST(ExtractSource, NamesMadeUpForASyntaxErrorHaveNoOccurrence) {
  // fuzz_extract's finding: here tree-sitter recovers with two MISSING identifiers at one
  // offset. They are TS_MISSING diagnostics, not uses of a name; their occurrence ids
  // collided.
  const std::string src = "# -*" + std::string(31, '\n') + "/" + std::string(23, '\n') +
                          "- coding: latin-1 -*-\ns = \"caf\xe9\"\n";
  auto r = Source("m.py", src);
  auto ids = Column(*r.occurrences, "occurrence_id");
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  for (const auto& name : Column(*r.occurrences, "name")) EXPECT_FALSE(name.empty());
  auto kinds = Column(*r.diagnostics, "kind");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "TS_MISSING"), kinds.end());
}

TEST(ExtractSource, AttributesOfSelfNameTheAttributeOfTheMethodsClass) {
  const std::string src =
      "class C:\n"
      "    def m(self):\n"
      "        f = lambda: self.inner\n"
      "        return self.x.y, other.z\n"
      "    @classmethod\n"
      "    def k(cls):\n"
      "        return cls.count\n"
      "    @staticmethod\n"
      "    def s(self):\n"
      "        return self.x\n"
      "def free(self):\n"
      "    return self.x\n";
  auto r = Source("pkg/mod.py", src);
  auto texts = Column(*r.references, "text");
  auto names = Column(*r.references, "qualified_name");
  std::map<std::string, std::vector<std::string>> by_text;
  for (size_t i = 0; i < texts.size(); ++i) by_text[texts[i]].push_back(names[i]);
  EXPECT_EQ(by_text["self.x.y"], std::vector<std::string>{"pkg.mod.C.x.y"});
  EXPECT_EQ(by_text["cls.count"], std::vector<std::string>{"pkg.mod.C.count"});
  EXPECT_EQ(by_text["other.z"], std::vector<std::string>{"other.z"});
  EXPECT_EQ(by_text["self.inner"], std::vector<std::string>{"self.inner"});  // in a lambda
  // `self.x` inside `self.x.y` in the method; a staticmethod's and a function's first
  // parameter is no instance of the class.
  EXPECT_EQ(by_text["self.x"], (std::vector<std::string>{"pkg.mod.C.x", "self.x", "self.x"}));
}

TEST(ExtractSource, NotPythonIsOnlyAFilesRow) {
  auto r = Source("notes.txt", "def f(: pass");
  EXPECT_EQ(Column(*r.files, "is_python"), std::vector<std::string>{"false"});
  EXPECT_EQ(r.scopes->num_rows(), 0);
}

// Found by fuzz_extract: CPython rejects repeated parameter names, tree-sitter parses them;
// ids were (owner, name) and so collided.
TEST(ExtractSource, RepeatedParameterAndTypeParameterNamesGetUniqueIds) {
  auto r = Source("m.py", "def f(a, a, *, a): pass\nclass B[T, T]: pass\nclass D[T:[]T]: pass\n");
  auto params = Column(*r.parameters, "param_id");
  EXPECT_EQ(params.size(), 3u);
  EXPECT_EQ(std::set<std::string>(params.begin(), params.end()).size(), params.size());
  auto tps = Column(*r.type_params, "type_param_id");
  EXPECT_GE(tps.size(), 3u);
  EXPECT_EQ(std::set<std::string>(tps.begin(), tps.end()).size(), tps.size());
  // Valid code keeps its ids: the first of a name is still (owner, name).
  auto valid = Source("m.py", "def f(a, b): pass\n");
  auto again = Source("m.py", "def f(a, b, b): pass\n");
  EXPECT_EQ(Column(*valid.parameters, "param_id")[0], Column(*again.parameters, "param_id")[0]);
  EXPECT_EQ(Column(*valid.parameters, "param_id")[1], Column(*again.parameters, "param_id")[1]);
}

// Found by fuzz_extract: a class whose base names the class itself (`class C(C.x)`) made
// member lookup and attribute resolution recurse into each other without end (stack overflow).
// Python would raise NameError at run time; we must only terminate, and leave the call
// unresolved. Many such bases must not blow up either (bounded fan-out).
TEST(ExtractSource, ClassWhoseBaseNamesItselfTerminates) {
  auto r = Source("m.py",
                  "class C(C.x):\n    pass\nC.y()\n"
                  "class D(D.a, D.b, D.c, D.d, D.e, D.f, D.g, D.h):\n    pass\nD.z()\n");
  EXPECT_EQ(Column(*r.call_resolutions, "resolution_method"),
            (std::vector<std::string>{"unresolved", "unresolved"}));
  EXPECT_EQ(Column(*r.call_resolutions, "target_qualified_name"),
            (std::vector<std::string>{"m.C.y", "m.D.z"}));
}

}  // namespace
}  // namespace anatomy::extract
