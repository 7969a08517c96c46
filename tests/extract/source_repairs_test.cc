// Text tree-sitter-python 0.25 misreads (source_repairs.h): line breaks inside brackets onto a
// line indented less than its statement (its issue #256) and starred defaults in a `type`
// statement's parameters; the repairs found, the text repaired, and what extraction makes of it.
#include "anatomy/extract/source_repairs.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "anatomy/extract/extract.h"
#include "test_util.h"

namespace anatomy::extract {
namespace {

using testing::Rows;

std::vector<std::string> GapTexts(const std::string& src) {
  std::vector<std::string> out;
  for (const Span& g : FindSourceRepairs(src).gaps) {
    out.push_back(src.substr(g.bstart, g.bend - g.bstart));
  }
  return out;
}

TEST(SourceRepairs, ALineLeftOfItsStatementInsideBrackets) {
  EXPECT_EQ(GapTexts("def f():\n    x = (a.\nb)\n"), std::vector<std::string>{"\n"});
  // Comments, blank lines and a continuation backslash belong to the gap.
  EXPECT_EQ(GapTexts("if x:\n    y = [1,  # one\n\n# left\n  2]\n"),
            std::vector<std::string>{"  # one\n\n# left\n  "});
  EXPECT_EQ(GapTexts("if x:\n    y = (1 + \\\n 2)\n"), std::vector<std::string>{" \\\n "});
  // CRLF line ends and a tab (8 columns, as tree-sitter counts it).
  EXPECT_EQ(GapTexts("if x:\r\n\t\ty = (1 +\r\n\t2)\r\n"), std::vector<std::string>{"\r\n\t"});
}

TEST(SourceRepairs, NoGapWhereTheIndentationIsNotLess) {
  EXPECT_TRUE(GapTexts("def f():\n    x = (a.\n    b)\n").empty());
  EXPECT_TRUE(GapTexts("def f():\n    x = (a.\n        b)\n").empty());
  EXPECT_TRUE(GapTexts("x = (a,\nb)\n").empty());  // a module-level statement is at 0
  // A dedent outside brackets is a dedent.
  EXPECT_TRUE(GapTexts("def f():\n    x = (a)\ny = 1\n").empty());
}

TEST(SourceRepairs, BracketsInStringsAndCommentsDoNotCount) {
  EXPECT_TRUE(GapTexts("def f():\n    x = '('\ny = 1\n").empty());
  EXPECT_TRUE(GapTexts("def f():\n    x = 1  # (\ny = 2\n").empty());
  EXPECT_TRUE(GapTexts("def f():\n    x = rb'\\'('\ny = 2\n").empty());
  // A line break inside a triple-quoted string is the string's.
  EXPECT_TRUE(GapTexts("def f():\n    x = ('''\nleft''')\n").empty());
  EXPECT_TRUE(GapTexts("def f():\n    x = \"\"\"(\n\"\"\"\ny = 1\n").empty());
}

TEST(SourceRepairs, FStringFieldsAreCode) {
  // The field's brackets and nested strings close inside it; the parenthesis after the
  // f-string is open at the line break.
  EXPECT_EQ(GapTexts("def f():\n    x = f\"{g('(')!r:>{w}}{{\" + (\na)\n"),
            std::vector<std::string>{"\n"});
  // 3.12 reuses the quote inside a field.
  EXPECT_EQ(GapTexts("def f():\n    x = f\"{d[\"(\"]}\" + (\na)\n"),
            std::vector<std::string>{"\n"});
  // An opening brace that is doubled is text, not a field.
  EXPECT_TRUE(GapTexts("def f():\n    x = f'{{('\ny = 1\n").empty());
  // Fields nested past 64 levels are not followed: no gaps at all.
  std::string deep = "def f():\n    x = (a.\nb) + ";
  for (int i = 0; i < 70; ++i) deep += "f'{";
  for (int i = 0; i < 70; ++i) deep += "}'";
  EXPECT_TRUE(GapTexts(deep + "\n").empty());
}

std::vector<int32_t> Stars(const std::string& src) {
  std::vector<int32_t> out;
  for (const Span& s : FindSourceRepairs(src).stars) out.push_back(s.bstart);
  return out;
}

TEST(SourceRepairs, StarredDefaultsOfATypeStatement) {
  EXPECT_EQ(Stars("type A[*Ts = *tuple[int]] = tuple[*Ts]\n"), std::vector<int32_t>{13});
  EXPECT_EQ(Stars("x = 1; type A[T, *Ts=*tuple[int, ...]] = int\n"), std::vector<int32_t>{21});
  EXPECT_EQ(Stars("class C:\n    type A[*Ts = (\n *tuple[int])] = int\n"), std::vector<int32_t>{});
  EXPECT_EQ(Stars("class C:\n    type A[\n  *Ts =\n  *tuple[int]] = int\n"),
            std::vector<int32_t>{31});
  // Not a `type` statement's parameters: classes and functions read their starred defaults
  // from tree-sitter's error nodes; `type` as a name; the alias's value; a comparison.
  EXPECT_TRUE(Stars("class C[*Ts = *tuple[int]]: pass\n").empty());
  EXPECT_TRUE(Stars("def f[*Ts = *tuple[int]](): pass\n").empty());
  EXPECT_TRUE(Stars("x = type(a)[b == *c]\ntype[x] = *y\n").empty());
  EXPECT_TRUE(Stars("type A[T] = tuple[*Ts]\n").empty());
  EXPECT_TRUE(Stars("type A[T: a == *b] = int\n").empty());
  EXPECT_TRUE(Stars("type A[**P = [int]] = int\n").empty());
  EXPECT_TRUE(Stars("type A[*Ts = 'x'] = int; *a, = b\n").empty());
}

TEST(SourceRepairs, JoinedTextKeepsEveryOffset) {
  const std::string src = "if x:\r\n            y = [1,  # one\r\n\t 2]\r\n";
  const std::string joined = ApplySourceRepairs(src, FindSourceRepairs(src));  // a tab is kept
  EXPECT_EQ(joined, "if x:\r\n            y = [1,         \t 2]\r\n");
  EXPECT_EQ(joined.size(), src.size());
}

TEST(SourceRepairs, LineIndexCountsNewlines) {
  LineIndex lines("ab\ncd\n\ne");
  EXPECT_EQ(lines.At(0).row, 0u);
  EXPECT_EQ(lines.At(1).column, 1u);
  EXPECT_EQ(lines.At(3).row, 1u);
  EXPECT_EQ(lines.At(3).column, 0u);
  EXPECT_EQ(lines.At(6).row, 2u);
  EXPECT_EQ(lines.At(7).row, 3u);
  EXPECT_EQ(lines.At(8).row, 3u);  // the end of the text
  EXPECT_EQ(lines.At(8).column, 1u);
}

TEST(SourceRepairs, ExtractionReadsTheProgramPythonReads) {
  const std::string src =
      "def f():\n"
      "    x = (a +\n"
      "b)\n"
      "    def g():\n"
      "        return x\n"
      "    return g\n";
  auto r = ExtractSource("m.py", src);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->diagnostics->num_rows(), 0) << r->diagnostics->ToString();
  // g is f's, on its own line of the text (tree-sitter's rows skip the joined line break).
  EXPECT_EQ(Rows(*r->definitions, {"name", "qualified_name", "line"}),
            (std::vector<std::string>{"f|m.f|1", "g|m.f.<locals>.g|4"}));
  // `b` sits at the start of line 3; `x` in g reads f's local.
  auto occ = Rows(*r->occurrences, {"name", "role", "line", "column"});
  EXPECT_NE(std::find(occ.begin(), occ.end(), "b|use|3|0"), occ.end())
      << ::testing::PrintToString(occ);
  EXPECT_NE(std::find(occ.begin(), occ.end(), "x|use|5|15"), occ.end())
      << ::testing::PrintToString(occ);
  auto files = Rows(*r->files, {"has_syntax_errors"});
  EXPECT_EQ(files, std::vector<std::string>{"false"});
}

TEST(SourceRepairs, ATypeStatementsStarredDefaultReadsAsTheOthers) {
  const std::string src = "type A[*Ts = *tuple[int]] = tuple[*Ts]\ny = A\n";
  auto r = ExtractSource("m.py", src);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->diagnostics->num_rows(), 0) << r->diagnostics->ToString();
  EXPECT_EQ(Rows(*r->type_params, {"kind", "name", "default_text"}),
            std::vector<std::string>{"TypeVarTuple|Ts|*tuple[int]"});
  // The statement after it is read too.
  auto occ = Rows(*r->occurrences, {"name", "role", "line", "column"});
  EXPECT_NE(std::find(occ.begin(), occ.end(), "y|def|2|0"), occ.end())
      << ::testing::PrintToString(occ);
}

}  // namespace
}  // namespace anatomy::extract
