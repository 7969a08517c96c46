#include "anatomy/extract/glob.h"

#include <cstddef>

namespace anatomy::extract {
namespace {

// Matches one character class starting at pattern[p] == '['; advances p past ']'.
// Returns false for no match; sets `ok` false when the class is malformed (then '['
// is taken literally).
bool MatchClass(std::string_view pat, size_t& p, char c, bool& ok) {
  size_t i = p + 1;
  bool negate = false;
  if (i < pat.size() && (pat[i] == '!' || pat[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < pat.size() && (pat[i] != ']' || first)) {
    first = false;
    char lo = pat[i];
    if (lo == '\\' && i + 1 < pat.size()) lo = pat[++i];
    char hi = lo;
    if (i + 2 < pat.size() && pat[i + 1] == '-' && pat[i + 2] != ']') {
      hi = pat[i + 2];
      i += 2;
    }
    if (c >= lo && c <= hi) matched = true;
    ++i;
  }
  if (i >= pat.size()) {
    ok = false;
    return false;
  }
  ok = true;
  p = i + 1;
  return matched != negate;
}

// Glob match of a single path segment (no '/' in `s`).
bool SegmentMatch(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star_p = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (p < pat.size()) {
      char pc = pat[p];
      if (pc == '*') {
        star_p = ++p;
        star_i = i;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++i;
        continue;
      }
      if (pc == '[') {
        size_t q = p;
        bool ok = true;
        bool m = MatchClass(pat, q, s[i], ok);
        if (ok) {
          if (m) {
            p = q;
            ++i;
            continue;
          }
        } else if (s[i] == '[') {
          ++p;
          ++i;
          continue;
        }
      } else {
        if (pc == '\\' && p + 1 < pat.size()) pc = pat[p + 1];
        if (pc == s[i]) {
          p += (pat[p] == '\\' && p + 1 < pat.size()) ? 2 : 1;
          ++i;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    i = ++star_i;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

std::string_view NextSegment(std::string_view s, size_t& pos) {
  size_t end = s.find('/', pos);
  if (end == std::string_view::npos) end = s.size();
  std::string_view seg = s.substr(pos, end - pos);
  pos = end + 1;
  return seg;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  // Segment-wise matching with backtracking over the last '**' only (like fnmatch's '*').
  size_t pp = 0, sp = 0;
  size_t star_pp = std::string_view::npos, star_sp = 0;
  const size_t pn = pattern.size() + 1, sn = path.size() + 1;
  while (sp < sn) {
    if (pp < pn) {
      size_t save_pp = pp;
      std::string_view pseg = NextSegment(pattern, pp);
      if (pseg == "**") {
        star_pp = pp;
        star_sp = sp;
        continue;
      }
      size_t save_sp = sp;
      std::string_view sseg = NextSegment(path, sp);
      if (SegmentMatch(pseg, sseg)) continue;
      pp = save_pp;
      sp = save_sp;
    }
    if (star_pp == std::string_view::npos) return false;
    if (star_sp >= sn - 1) return false;
    pp = star_pp;
    NextSegment(path, star_sp);
    sp = star_sp;
  }
  // Remaining pattern segments must all be '**'.
  while (pp < pn) {
    if (NextSegment(pattern, pp) != "**") return false;
  }
  return true;
}

}  // namespace anatomy::extract
