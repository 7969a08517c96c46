#include "anatomy/extract/gitignore.h"

#include "anatomy/extract/glob.h"

namespace anatomy::extract {

GitignoreRules GitignoreRules::Parse(std::string_view text, std::string base) {
  GitignoreRules out;
  out.base_ = std::move(base);
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    Rule r;
    if (line[0] == '!') {
      r.negate = true;
      line.remove_prefix(1);
    } else if (line[0] == '\\') {
      line.remove_prefix(1);
    }
    if (!line.empty() && line.back() == '/') {
      r.dir_only = true;
      line.remove_suffix(1);
    }
    if (line.empty()) continue;
    // A slash anywhere but at the end anchors the pattern to the .gitignore's folder.
    if (line.find('/') != std::string_view::npos) {
      r.anchored = true;
      if (line[0] == '/') line.remove_prefix(1);
    }
    r.pattern = std::string(line);
    out.rules_.push_back(std::move(r));
  }
  return out;
}

int GitignoreRules::Match(std::string_view rel_path, bool is_dir) const {
  std::string_view sub = rel_path;
  if (!base_.empty()) {
    if (rel_path.size() <= base_.size() || rel_path.substr(0, base_.size()) != base_ ||
        rel_path[base_.size()] != '/') {
      return 0;
    }
    sub = rel_path.substr(base_.size() + 1);
  }
  std::string_view name = sub;
  if (size_t slash = sub.rfind('/'); slash != std::string_view::npos) name = sub.substr(slash + 1);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    bool m = it->anchored ? GlobMatch(it->pattern, sub) : GlobMatch(it->pattern, name);
    if (m) return it->negate ? -1 : 1;
  }
  return 0;
}

}  // namespace anatomy::extract
