// Bad input never stops extraction: each problem becomes an error row or a diagnostic and
// the other files are still extracted. Large inputs are generated here, never committed.
#include <gtest/gtest.h>

#include <algorithm>

#include "anatomy/extract/extract.h"
#include "test_util.h"

namespace anatomy::extract {
namespace {

using testing::Column;
using testing::Rows;
using testing::TempRepo;

ExtractionResult Extract(const TempRepo& repo) {
  ExtractOptions opt;
  opt.repo_root = repo.root();
  auto r = ExtractRepository(opt);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.MoveValueUnsafe();
}

TEST(Robustness, BadFilesBecomeErrorRowsAndTheRestGoesOn) {
  TempRepo repo;
  repo.Write("good.py", "def ok():\n    return 1\n");
  repo.Write("nul.py", std::string("x = 1\n\0y = 2\n", 13));
  repo.Write("bad_utf8.py", "s = '\xff\xfe'\nx['\xff'].y\ndef still_parsed():\n    pass\n");
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>((i * 131 + 7) % 256));
  repo.Write("binary.py", binary);
  repo.Write("syntax.py", "def broken(:\n    pass\nclass Fine:\n    pass\n");
  repo.Write("latin1.py", "# -*- coding: latin-1 -*-\ncaf\xe9(x.\xe9t\xe9)\n");
  auto r = Extract(repo);
  // Text reaches the utf8 columns as valid UTF-8: latin-1 sources are transcoded, stray bytes
  // of undecodable files become U+FFFD.
  for (const auto& [name, table] : r.Tables()) EXPECT_TRUE(table->ValidateFull().ok()) << name;
  EXPECT_EQ(Column(*r.call_sites, "callee_text")[0], "caf\xC3\xA9");
  EXPECT_EQ(Column(*r.references, "text")[0], "x['\xEF\xBF\xBD'].y");
  auto errs = Rows(*r.errors, {"path", "stage", "code", "bstart"});
  EXPECT_EQ(errs, (std::vector<std::string>{"bad_utf8.py|decode|INVALID_UTF8|5",
                                            "binary.py|decode|NUL_BYTE|211",
                                            "nul.py|decode|NUL_BYTE|6"}));
  auto defs = Rows(*r.definitions, {"path", "name"});
  EXPECT_NE(std::find(defs.begin(), defs.end(), "good.py|ok"), defs.end());
  EXPECT_NE(std::find(defs.begin(), defs.end(), "bad_utf8.py|still_parsed"), defs.end());
  EXPECT_NE(std::find(defs.begin(), defs.end(), "syntax.py|Fine"), defs.end());
  auto diags = Rows(*r.diagnostics, {"path", "kind", "line"});
  ASSERT_FALSE(diags.empty());
  for (const auto& d : diags) EXPECT_EQ(d.substr(0, 10), "syntax.py|");
  EXPECT_EQ(Rows(*r.files, {"path", "parsed", "has_syntax_errors"}),
            (std::vector<std::string>{"bad_utf8.py|true|false", "binary.py|false|false",
                                      "good.py|true|false", "latin1.py|true|false",
                                      "nul.py|false|false", "syntax.py|true|true"}));
}

TEST(Robustness, TenThousandDeepNestingDoesNotOverflowTheStack) {
  TempRepo repo;
  const int depth = 10000;
  repo.Write("parens.py", "x = " + std::string(depth, '(') + "y" + std::string(depth, ')') + "\n");
  repo.Write("lists.py", "x = " + std::string(depth, '[') + std::string(depth, ']') + "\n");
  std::string unary = "x = ";
  for (int i = 0; i < depth; ++i) unary += "-";
  repo.Write("unary.py", unary + "1\n");
  std::string chained = "x = f";
  for (int i = 0; i < depth; ++i) chained += "()";
  repo.Write("chained.py", chained + "\n");
  std::string attrs = "x = a";
  for (int i = 0; i < depth; ++i) attrs += ".b";
  repo.Write("attrs.py", attrs + "\n");
  std::string calls = "x = ";
  for (int i = 0; i < depth; ++i) calls += "f(";
  repo.Write("calls.py", calls + std::string(depth, ')') + "\n");
  std::string bounds = "class C[T";  // constrained types nest: read without recursion
  for (int i = 0; i < depth; ++i) bounds += ": a";
  repo.Write("bounds.py", bounds + " = int]:\n    pass\n");
  auto r = Extract(repo);
  EXPECT_EQ(r.files->num_rows(), 7);
  EXPECT_EQ(r.errors->num_rows(), 0);
  EXPECT_EQ(r.call_sites->num_rows(), 2 * depth);
  EXPECT_EQ(r.references->num_rows(), depth);
  size_t longest = 0;  // source text columns are clipped: linear, not quadratic, in the depth
  for (const auto& t : Column(*r.call_sites, "callee_text")) longest = std::max(longest, t.size());
  for (const auto& t : Column(*r.references, "text")) longest = std::max(longest, t.size());
  EXPECT_LE(longest, 1024u);
  auto occ = Rows(*r.occurrences, {"path", "name", "role"});
  EXPECT_NE(std::find(occ.begin(), occ.end(), "parens.py|y|use"), occ.end());
  EXPECT_EQ(std::count(occ.begin(), occ.end(), "calls.py|f|use"), depth);
}

TEST(Robustness, TenThousandNestedScopesStayLinear) {
  TempRepo repo;
  std::string lambdas = "x = ";
  for (int i = 0; i < 10000; ++i) lambdas += "lambda a" + std::to_string(i) + ": ";
  repo.Write("lambdas.py", lambdas + "free\n");
  std::string comp = "0";
  for (int i = 0; i < 3000; ++i) comp = "[" + comp + " for a" + std::to_string(i) + " in b]";
  repo.Write("comps.py", "x = " + comp + "\n");
  // CPython allows 100 indentation levels; 99 nested functions are valid Python.
  std::string defs;
  for (int i = 0; i < 99; ++i)
    defs += std::string(static_cast<size_t>(i), ' ') + "def f" + std::to_string(i) + "():\n";
  repo.Write("defs.py", defs + std::string(99, ' ') + "return f1\n");
  auto r = Extract(repo);
  EXPECT_EQ(r.errors->num_rows(), 0);
  EXPECT_EQ(r.scopes->num_rows(), 3 + 10000 + 3000 + 99);
  EXPECT_EQ(r.diagnostics->num_rows(), 0);
  size_t longest = 0;
  for (const auto& q : Column(*r.scopes, "qualified_name")) longest = std::max(longest, q.size());
  EXPECT_LT(longest, 600u);  // qualified names are capped, not quadratic
  // f1 (bound in f0) used in the innermost def resolves through 97 functions to its binding.
  auto b = Rows(*r.bindings, {"path", "name", "resolved_kind"});
  EXPECT_NE(std::find(b.begin(), b.end(), "defs.py|f1|enclosing"), b.end());
}

TEST(Robustness, FiftyMegabyteFile) {
  TempRepo repo;
  std::string big = "def before():\n    pass\nDATA = '''";
  big.reserve(50u << 20);
  while (big.size() < (50u << 20))
    big += "abcdefghijklmnopqrstuvwxyz0123456789 lorem ipsum dolor\n";
  big += "'''\ndef after():\n    pass\n";
  repo.Write("big.py", big);
  repo.Write("small.py", "def small():\n    pass\n");
  auto r = Extract(repo);
  EXPECT_EQ(Rows(*r.definitions, {"path", "name"}),
            (std::vector<std::string>{"big.py|before", "big.py|after", "small.py|small"}));
  EXPECT_EQ(r.errors->num_rows(), 0);
}

TEST(Robustness, FilesOverTheSizeLimitAreReported) {
  TempRepo repo;
  repo.Write("a.py", std::string(2000, '#'));
  ExtractOptions opt;
  opt.repo_root = repo.root();
  opt.max_file_bytes = 1000;
  auto r = ExtractRepository(opt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Rows(*r->errors, {"path", "code", "bend"}),
            (std::vector<std::string>{"a.py|FILE_TOO_LARGE|2000"}));
}

}  // namespace
}  // namespace anatomy::extract
