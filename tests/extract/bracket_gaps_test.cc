// Line breaks inside brackets onto a line indented less than its statement (tree-sitter-python
// issue #256): the gaps found, the text joined, and what extraction makes of such a file.
#include "anatomy/extract/bracket_gaps.h"

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
  for (const Span& g : DedentedBracketGaps(src)) {
    out.push_back(src.substr(g.bstart, g.bend - g.bstart));
  }
  return out;
}

TEST(BracketGaps, ALineLeftOfItsStatementInsideBrackets) {
  EXPECT_EQ(GapTexts("def f():\n    x = (a.\nb)\n"), std::vector<std::string>{"\n"});
  // Comments, blank lines and a continuation backslash belong to the gap.
  EXPECT_EQ(GapTexts("if x:\n    y = [1,  # one\n\n# left\n  2]\n"),
            std::vector<std::string>{"  # one\n\n# left\n  "});
  EXPECT_EQ(GapTexts("if x:\n    y = (1 + \\\n 2)\n"), std::vector<std::string>{" \\\n "});
  // CRLF line ends and a tab (8 columns, as tree-sitter counts it).
  EXPECT_EQ(GapTexts("if x:\r\n\t\ty = (1 +\r\n\t2)\r\n"), std::vector<std::string>{"\r\n\t"});
}

TEST(BracketGaps, NoGapWhereTheIndentationIsNotLess) {
  EXPECT_TRUE(GapTexts("def f():\n    x = (a.\n    b)\n").empty());
  EXPECT_TRUE(GapTexts("def f():\n    x = (a.\n        b)\n").empty());
  EXPECT_TRUE(GapTexts("x = (a,\nb)\n").empty());  // a module-level statement is at 0
  // A dedent outside brackets is a dedent.
  EXPECT_TRUE(GapTexts("def f():\n    x = (a)\ny = 1\n").empty());
}

TEST(BracketGaps, BracketsInStringsAndCommentsDoNotCount) {
  EXPECT_TRUE(GapTexts("def f():\n    x = '('\ny = 1\n").empty());
  EXPECT_TRUE(GapTexts("def f():\n    x = 1  # (\ny = 2\n").empty());
  EXPECT_TRUE(GapTexts("def f():\n    x = rb'\\'('\ny = 2\n").empty());
  // A line break inside a triple-quoted string is the string's.
  EXPECT_TRUE(GapTexts("def f():\n    x = ('''\nleft''')\n").empty());
  EXPECT_TRUE(GapTexts("def f():\n    x = \"\"\"(\n\"\"\"\ny = 1\n").empty());
}

TEST(BracketGaps, FStringFieldsAreCode) {
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

TEST(BracketGaps, JoinedTextKeepsEveryOffset) {
  const std::string src = "if x:\r\n            y = [1,  # one\r\n\t 2]\r\n";
  const std::string joined = JoinGaps(src, DedentedBracketGaps(src));  // a tab is kept
  EXPECT_EQ(joined, "if x:\r\n            y = [1,         \t 2]\r\n");
  EXPECT_EQ(joined.size(), src.size());
}

TEST(BracketGaps, LineIndexCountsNewlines) {
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

TEST(BracketGaps, ExtractionReadsTheProgramPythonReads) {
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

}  // namespace
}  // namespace anatomy::extract
