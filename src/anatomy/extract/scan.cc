#include "anatomy/extract/scan.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "anatomy/extract/gitignore.h"
#include "anatomy/extract/glob.h"

namespace anatomy::extract {
namespace fs = std::filesystem;
namespace {

bool IsSkippedDirName(std::string_view n) {
  static constexpr std::string_view kSkip[] = {
      ".git",        ".hg",          ".svn",  "__pycache__", ".venv",       "venv",
      "build",       "dist",         ".tox",  ".nox",        ".mypy_cache", ".pytest_cache",
      ".ruff_cache", "node_modules", ".eggs", ".hypothesis", ".idea",       ".vscode"};
  for (auto s : kSkip)
    if (n == s) return true;
  return n.size() > 9 && n.substr(n.size() - 9) == ".egg-info";
}

// Names that tools give their output but that are also names of packages (the standard
// library's `venv`, pypa's `build`): such a folder with an `__init__.py` is a package of the
// repository and is scanned (a virtualenv is still known by its pyvenv.cfg).
bool IsPackageNamedLikeOutput(std::string_view n, const fs::path& dir) {
  if (n != "venv" && n != "build" && n != "dist") return false;
  std::error_code ec;
  return fs::is_regular_file(dir / "__init__.py", ec);
}

bool AnyGlob(const std::vector<std::string>& globs, std::string_view path) {
  for (const auto& g : globs)
    if (GlobMatch(g, path)) return true;
  return false;
}

std::string ReadSmallFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct DirFrame {
  fs::path abs;
  std::string rel;
  size_t rules_depth;  // number of gitignore rule sets active for this folder
};

bool PathWithin(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

std::string ModuleNameForPath(std::string_view rel) {
  if (rel.size() >= 3 && rel.substr(rel.size() - 3) == ".py") rel.remove_suffix(3);
  std::string out(rel);
  std::replace(out.begin(), out.end(), '/', '.');
  constexpr std::string_view kInit = "__init__";
  if (out == kInit) return "";
  if (out.size() > kInit.size() + 1 && out.substr(out.size() - kInit.size() - 1) == ".__init__") {
    out.resize(out.size() - kInit.size() - 1);
  }
  return out;
}

std::string DetectEncoding(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xEF\xBB\xBF") return "utf-8-sig";
  size_t pos = 0;
  for (int line = 0; line < 2 && pos < b.size(); ++line) {
    size_t end = b.find('\n', pos);
    if (end == std::string_view::npos) end = b.size();
    std::string_view l = b.substr(pos, end - pos);
    pos = end + 1;
    size_t i = 0;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t' || l[i] == '\f')) ++i;
    if (i >= l.size() || l[i] != '#') {
      if (i < l.size() && l[i] != '\r') break;  // code on line 1: no cookie on line 2
      continue;
    }
    size_t c = l.find("coding", i);
    if (c == std::string_view::npos || c + 6 >= l.size()) continue;
    if (l[c + 6] != ':' && l[c + 6] != '=') continue;
    size_t v = c + 7;
    while (v < l.size() && (l[v] == ' ' || l[v] == '\t')) ++v;
    size_t e = v;
    while (e < l.size() && (std::isalnum(static_cast<unsigned char>(l[e])) || l[e] == '-' ||
                            l[e] == '_' || l[e] == '.')) {
      ++e;
    }
    if (e == v) continue;
    std::string enc(l.substr(v, e - v));
    for (auto& ch : enc) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::replace(enc.begin(), enc.end(), '_', '-');
    if (enc == "utf8" || enc.rfind("utf-8-", 0) == 0) enc = "utf-8";
    if (enc == "latin-1" || enc == "iso-8859-1" || enc == "iso-latin-1" ||
        enc.rfind("latin-1-", 0) == 0 || enc.rfind("iso-8859-1-", 0) == 0) {
      enc = "iso-8859-1";
    }
    return enc;
  }
  return "utf-8";
}

Result<ScanResult> ScanRepository(const ScanOptions& options) {
  ScanResult out;
  std::error_code ec;
  fs::path root = fs::canonical(options.root, ec);
  if (ec) return Status::IOError("repository root '", options.root, "': ", ec.message());
  if (!fs::is_directory(root, ec)) {
    return Status::Invalid("repository root '", options.root, "' is not a folder");
  }
  std::vector<GitignoreRules> rules;  // stack, one entry per folder with a .gitignore
  std::vector<DirFrame> stack{{root, "", 0}};
  while (!stack.empty()) {
    DirFrame frame = std::move(stack.back());
    stack.pop_back();
    rules.resize(frame.rules_depth);
    if (fs::exists(frame.abs / "pyvenv.cfg", ec)) continue;  // a virtualenv
    fs::path gi = frame.abs / ".gitignore";
    if (fs::is_regular_file(gi, ec)) {
      rules.push_back(GitignoreRules::Parse(ReadSmallFile(gi), frame.rel));
    }
    std::vector<std::pair<std::string, fs::directory_entry>> entries;
    fs::directory_iterator it(frame.abs, fs::directory_options::none, ec);
    if (ec) {
      out.problems.push_back({frame.rel, "SCAN_UNREADABLE_DIR", ec.message()});
      continue;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      entries.emplace_back(it->path().filename().string(), *it);
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<DirFrame> subdirs;
    for (auto& [name, entry] : entries) {
      std::string rel = frame.rel.empty() ? name : frame.rel + "/" + name;
      fs::file_status st = entry.symlink_status(ec);
      if (ec) continue;
      bool is_link = fs::is_symlink(st);
      fs::path target = entry.path();
      if (is_link) {
        fs::path resolved = fs::canonical(entry.path(), ec);
        if (ec || !PathWithin(root, resolved)) {
          out.problems.push_back(
              {rel, "SYMLINK_OUTSIDE_REPO", "symlink target leaves the repository"});
          continue;
        }
        st = fs::status(resolved, ec);
        if (ec || fs::is_directory(st)) continue;  // folder symlinks are never followed
        target = resolved;
      }
      bool is_dir = fs::is_directory(st);
      if (!is_dir && !fs::is_regular_file(st)) continue;
      int verdict = 0;
      for (const auto& r : rules) {
        int v = r.Match(rel, is_dir);
        if (v != 0) verdict = v;
      }
      if (verdict > 0) continue;
      if (is_dir) {
        if (IsSkippedDirName(name) && !IsPackageNamedLikeOutput(name, entry.path())) continue;
        if (AnyGlob(options.exclude, rel)) continue;
        subdirs.push_back({entry.path(), rel, rules.size()});
        continue;
      }
      if (AnyGlob(options.exclude, rel)) continue;
      if (!options.include.empty() && !AnyGlob(options.include, rel)) continue;
      ScannedFile f;
      f.path = rel;
      f.abs_path = target.string();
      f.size = static_cast<int64_t>(fs::file_size(target, ec));
      struct stat sb {};
      if (::stat(target.c_str(), &sb) == 0) {
        f.mtime_ms = static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000 + sb.st_mtim.tv_nsec / 1000000;
      }
      f.is_python = name.size() > 3 && name.substr(name.size() - 3) == ".py";
      out.files.push_back(std::move(f));
    }
    for (auto it2 = subdirs.rbegin(); it2 != subdirs.rend(); ++it2)
      stack.push_back(std::move(*it2));
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace anatomy::extract
