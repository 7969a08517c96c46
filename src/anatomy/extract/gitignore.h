#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace anatomy::extract {

/// \brief The rules of one `.gitignore` file (a documented subset of git's semantics).
///
/// Supported: comments, blank lines, `\` escapes, `!` negation, a trailing `/` for
/// directories only, anchoring by a leading or inner `/`, and `*`, `?`, `[...]`, `**`.
/// Not supported: trailing-space escapes and `core.excludesFile` / `.git/info/exclude`.
class GitignoreRules {
 public:
  /// \brief Parses the text of a `.gitignore` located in directory `base` ("" = repo root).
  static GitignoreRules Parse(std::string_view text, std::string base);

  /// \brief The verdict of these rules for `rel_path` (relative to the repo root):
  /// 1 ignored, -1 explicitly re-included, 0 no rule matched. The last matching rule wins.
  int Match(std::string_view rel_path, bool is_dir) const;

  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string pattern;  // glob relative to base (anchored) or a basename glob
    bool negate = false;
    bool dir_only = false;
    bool anchored = false;
  };
  std::string base_;
  std::vector<Rule> rules_;
};

}  // namespace anatomy::extract
