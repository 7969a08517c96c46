#pragma once
// Text that tree-sitter-python 0.25 misreads, and the same program at the same byte offsets that
// it reads. A file whose tree has errors is parsed again with these bytes made spaces
// (extract.cc), and that tree is kept when it has fewer errors:
//  - Lines inside brackets indented less than their statement (`(bar.` then `baz)` further
//    left; its issue #256, open): its scanner emits a DEDENT there whenever no closing bracket
//    may follow. Python's tokenizer ignores line breaks inside brackets; with them made spaces
//    only the line numbers differ, and the analyzer reads those from the original text.
//  - A starred default in a `type` statement's parameter list (`type A[*Ts = *tuple[int]] =
//    ...`, PEP 696): tree-sitter reads no PEP 696 default (its issue #346), and its recovery of
//    this one swallows the statement. Without the star it reads as the other defaults do, and
//    the analyzer takes the default's text from the star on.

#include <tree_sitter/api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "anatomy/extract/rows.h"

namespace anatomy::extract {

/// [bstart, bend) byte ranges, each list in order.
struct SourceRepairs {
  /// Between two tokens inside brackets, gaps (whitespace, comments, line breaks) that cross
  /// onto a line, of code or of a comment, indented less than the first line of its statement.
  std::vector<Span> gaps;
  /// The `*` of each starred default in a `type` statement's parameter list.
  std::vector<Span> stars;
  bool empty() const { return gaps.empty() && stars.empty(); }
};

/// Strings (f-strings with their replacement fields) are skipped as Python's tokenizer reads
/// them; a text nesting f-strings deeper than 64 levels gets no repairs.
SourceRepairs FindSourceRepairs(std::string_view source);

/// `source` with every byte of the repairs that is not a space or a tab made a space.
std::string ApplySourceRepairs(std::string_view source, const SourceRepairs& repairs);

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
