#include "anatomy/extract/source_repairs.h"

#include <algorithm>
#include <array>

namespace anatomy::extract {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

// Whether `word` prefixes a string literal, and whether that string has replacement fields
// (f-strings, and 3.14's t-strings).
bool IsStringPrefix(std::string_view word, bool& fields) {
  static constexpr std::array<std::string_view, 11> kPrefixes = {"r",  "u",  "b",  "f",  "t", "br",
                                                                 "rb", "fr", "rf", "tr", "rt"};
  if (word.size() > 2) return false;
  std::string lower(word);
  for (char& c : lower) c = static_cast<char>(c | 0x20);
  if (std::find(kPrefixes.begin(), kPrefixes.end(), lower) == kPrefixes.end()) return false;
  fields = lower.find_first_of("ft") != std::string::npos;
  return true;
}

// A tokenizer that reads only what decides the repairs: brackets, strings, comments, `type`
// statement headers and the indentation of line starts, counted as tree-sitter-python's
// scanner counts it (a tab is 8).
class RepairScanner {
 public:
  explicit RepairScanner(std::string_view s) : s_(s), n_(s.size()) {}

  // False when f-strings nest too deep to follow.
  bool Run() {
    bool line_start = true;
    size_t last_token_end = 0;
    while (i_ < n_) {
      if (line_start) {
        i_ = SkipIndent(i_, statement_indent_);
        if (i_ < n_ && (s_[i_] == '\n' || s_[i_] == '#')) {
          SkipToLineEnd();  // a blank or comment-only line starts no statement
          if (i_ < n_) ++i_;
        } else {
          line_start = false;
          statement_start_ = true;
        }
        continue;
      }
      Header next = Header::kNone;  // what this token makes of a `type NAME[` header
      const unsigned char c = static_cast<unsigned char>(s_[i_]);
      switch (c) {
        case '\n':
          if (depth_ > 0) {
            ScanGap(last_token_end);
          } else {
            line_start = true;
            ++i_;
          }
          continue;
        case ' ':
        case '\t':
        case '\r':
        case '\f':
          ++i_;
          continue;
        case '#':
          SkipToLineEnd();
          continue;
        case '\\':
          if (AtContinuation()) {
            if (depth_ > 0) {
              ScanGap(last_token_end);
            } else {
              i_ = s_.find('\n', i_) + 1;  // the logical line goes on
            }
            continue;
          }
          ++i_;
          break;
        case '[':
          if (header_ == Header::kName) type_params_depth_ = depth_ + 1;
          [[fallthrough]];
        case '(':
        case '{':
          ++depth_;
          ++i_;
          break;
        case ')':
        case ']':
        case '}':
          if (depth_ > 0) --depth_;
          if (depth_ < type_params_depth_) type_params_depth_ = 0;
          ++i_;
          break;
        case '=':
          if (depth_ > 0 && depth_ == type_params_depth_) FindStarredDefault();
          ++i_;
          break;
        case ';':
          ++i_;
          last_token_end = i_;
          statement_start_ = depth_ == 0;
          header_ = Header::kNone;
          continue;
        case '"':
        case '\'':
          if (!SkipString(false)) return false;
          break;
        default:
          if (IsWordByte(c)) {
            const size_t start = i_;
            bool string = false;
            if (!SkipWord(string)) return false;
            if (!string && statement_start_ && depth_ == 0 &&
                s_.substr(start, i_ - start) == "type") {
              next = Header::kType;
            } else if (!string && header_ == Header::kType) {
              next = Header::kName;
            }
          } else {
            ++i_;
          }
      }
      header_ = next;
      statement_start_ = false;
      last_token_end = i_;
    }
    return true;
  }

  std::vector<Span> gaps, stars;

 private:
  // The position after the indentation at `pos`, and its width in `indent`.
  size_t SkipIndent(size_t pos, int32_t& indent) const {
    indent = 0;
    for (; pos < n_; ++pos) {
      const char c = s_[pos];
      if (c == ' ') {
        ++indent;
      } else if (c == '\t') {
        indent += 8;
      } else if (c == '\f' || c == '\r') {
        indent = 0;
      } else {
        break;
      }
    }
    return pos;
  }

  void SkipToLineEnd() {
    size_t nl = s_.find('\n', i_);
    i_ = nl == std::string_view::npos ? n_ : nl;
  }

  // A backslash that continues the line ("\\\n" or "\\\r\n").
  bool AtContinuation() const {
    size_t p = i_ + 1;
    if (p < n_ && s_[p] == '\r') ++p;
    return p < n_ && s_[p] == '\n';
  }

  // From a line break (or a continuation backslash) inside brackets to the next token; the
  // gap from `begin` (the end of the previous token) counts when one of the lines it crosses
  // onto, of code or of a comment, is indented less than the statement.
  void ScanGap(size_t begin) {
    bool dedented = false;
    while (i_ < n_) {
      const char c = s_[i_];
      if (c == '\n') {
        int32_t indent = 0;
        i_ = SkipIndent(i_ + 1, indent);
        if (i_ < n_ && s_[i_] != '\n' && indent < statement_indent_) dedented = true;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        ++i_;
      } else if (c == '#') {
        SkipToLineEnd();
      } else if (c == '\\' && AtContinuation()) {
        ++i_;
      } else {
        break;
      }
    }
    if (dedented) gaps.push_back({static_cast<int32_t>(begin), static_cast<int32_t>(i_)});
  }

  // A name, keyword or number; a string when it is a prefix followed by a quote.
  bool SkipWord(bool& string) {
    const size_t start = i_;
    while (i_ < n_ && IsWordByte(static_cast<unsigned char>(s_[i_]))) ++i_;
    bool fields = false;
    string = i_ < n_ && (s_[i_] == '"' || s_[i_] == '\'') &&
             IsStringPrefix(s_.substr(start, i_ - start), fields);
    return !string || SkipString(fields);
  }

  // A string literal from its opening quote; an unterminated one-line string ends at its line
  // end, as the tokenizer's error does.
  bool SkipString(bool fields) {
    const char quote = s_[i_];
    const bool triple = i_ + 2 < n_ && s_[i_ + 1] == quote && s_[i_ + 2] == quote;
    i_ += triple ? 3 : 1;
    while (i_ < n_) {
      const char c = s_[i_];
      if (c == '\\') {
        // An escaped character (a raw string's backslash keeps a quote in it too); `\{` in
        // an f-string still opens a field.
        i_ += fields && i_ + 1 < n_ && s_[i_ + 1] == '{' ? 1 : 2;
      } else if (c == quote) {
        if (!triple) {
          ++i_;
          return true;
        }
        if (i_ + 2 < n_ && s_[i_ + 1] == quote && s_[i_ + 2] == quote) {
          i_ += 3;
          return true;
        }
        ++i_;
      } else if (c == '\n' && !triple) {
        return true;
      } else if (fields && c == '{') {
        if (i_ + 1 < n_ && s_[i_ + 1] == '{') {
          i_ += 2;
        } else {
          ++i_;
          if (!SkipField()) return false;
        }
      } else {
        ++i_;
      }
    }
    i_ = n_;
    return true;
  }

  // A replacement field from after its `{` to after its `}`: an expression with brackets and
  // strings of its own, then a format spec that may hold fields.
  bool SkipField() {
    if (++field_nesting_ > kMaxFieldNesting) return false;
    int nest = 0;
    while (i_ < n_) {
      const unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '(' || c == '[' || c == '{') {
        ++nest;
        ++i_;
      } else if (c == ')' || c == ']') {
        if (nest > 0) --nest;
        ++i_;
      } else if (c == '}') {
        ++i_;
        if (nest == 0) break;
        --nest;
      } else if (c == ':' && nest == 0) {
        for (++i_; i_ < n_ && s_[i_] != '}';) {
          if (s_[i_++] == '{' && !SkipField()) return false;
        }
        if (i_ < n_) ++i_;
        break;
      } else if (c == '"' || c == '\'') {
        if (!SkipString(false)) return false;
      } else if (IsWordByte(c)) {
        bool string = false;
        if (!SkipWord(string)) return false;
      } else {
        ++i_;
      }
    }
    --field_nesting_;
    return true;
  }

  // After `=` in a `type` statement's parameter list: a default starting with a single `*`.
  void FindStarredDefault() {
    if (i_ > 0 && std::string_view("=<>!:").find(s_[i_ - 1]) != std::string_view::npos) return;
    size_t j = i_ + 1;
    if (j < n_ && s_[j] == '=') return;  // `==`
    while (j < n_ &&
           (s_[j] == ' ' || s_[j] == '\t' || s_[j] == '\r' || s_[j] == '\n' || s_[j] == '\f')) {
      ++j;
    }
    if (j < n_ && s_[j] == '*' && (j + 1 == n_ || s_[j + 1] != '*')) {
      stars.push_back({static_cast<int32_t>(j), static_cast<int32_t>(j + 1)});
    }
  }

  // A `type` soft keyword at a statement's start, then the alias's name: a `[` then opens
  // its type parameters.
  enum class Header : uint8_t { kNone, kType, kName };

  static constexpr int kMaxFieldNesting = 64;
  std::string_view s_;
  size_t n_;
  size_t i_ = 0;
  int depth_ = 0;  // brackets open in the code, outside strings
  int field_nesting_ = 0;
  int32_t statement_indent_ = 0;  // of the first line of the current statement
  bool statement_start_ = false;  // the next token starts a statement
  Header header_ = Header::kNone;
  int type_params_depth_ = 0;  // depth_ inside a `type` statement's parameter list, else 0
};

}  // namespace

SourceRepairs FindSourceRepairs(std::string_view source) {
  RepairScanner scanner(source);
  if (!scanner.Run()) return {};
  return {std::move(scanner.gaps), std::move(scanner.stars)};
}

std::string ApplySourceRepairs(std::string_view source, const SourceRepairs& repairs) {
  std::string repaired(source);
  for (const auto* spans : {&repairs.gaps, &repairs.stars}) {
    for (const Span& g : *spans) {
      for (int32_t i = g.bstart; i < g.bend; ++i) {
        if (repaired[i] != ' ' && repaired[i] != '\t') repaired[i] = ' ';
      }
    }
  }
  return repaired;
}

LineIndex::LineIndex(std::string_view text) {
  starts_.push_back(0);
  for (size_t i = text.find('\n'); i != std::string_view::npos; i = text.find('\n', i + 1)) {
    starts_.push_back(static_cast<uint32_t>(i + 1));
  }
}

TSPoint LineIndex::At(uint32_t byte) const {
  auto next = std::upper_bound(starts_.begin(), starts_.end(), byte);
  const uint32_t row = static_cast<uint32_t>(next - starts_.begin()) - 1;
  return {row, byte - starts_[row]};
}

}  // namespace anatomy::extract
