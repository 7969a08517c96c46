#pragma once

#include <string_view>

namespace anatomy::extract {

/// \brief Matches a '/'-separated relative path against a gitignore-style glob.
///
/// `*` and `?` do not cross '/', `[...]` is a character class (`!` or `^` negates),
/// `**` as a whole segment matches any number of segments (including none), and a
/// backslash escapes the next character. Iterative with bounded backtracking.
bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace anatomy::extract
