#pragma once
// tree-sitter-python 0.25 ends a statement at a line inside brackets that is indented less
// than the statement (`(bar.` then `baz)` further left; its issue #256, open upstream): its
// scanner emits a DEDENT there whenever no closing bracket may follow. Python's tokenizer
// ignores line breaks inside brackets, so the text with those breaks made spaces is the same
// program at the same byte offsets; only the line numbers differ, and those are read from the
// original text (LineIndex).

#include <tree_sitter/api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "anatomy/extract/rows.h"

namespace anatomy::extract {

/// The gaps between two tokens inside brackets that cross a line break onto a line (of code or
/// of a comment) indented less than the first line of its statement: [bstart, bend) byte ranges
/// of whitespace, comments and line breaks, in order. Strings (f-strings with their replacement
/// fields included) are skipped as Python's tokenizer reads them; a file nesting f-strings
/// deeper than 64 levels gets no gaps.
std::vector<Span> DedentedBracketGaps(std::string_view source);

/// `source` with every byte of `gaps` that is not a space or a tab made a space.
std::string JoinGaps(std::string_view source, const std::vector<Span>& gaps);

/// Byte offsets to tree-sitter points (0-based row, byte column) from the text's own line
/// breaks ('\n', as tree-sitter counts them).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  TSPoint At(uint32_t byte) const;

 private:
  std::vector<uint32_t> starts_;
};

}  // namespace anatomy::extract
