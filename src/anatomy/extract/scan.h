#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::extract {

/// \brief What the repository scan keeps.
struct ScanOptions {
  std::string root;                  //!< repository root folder
  std::vector<std::string> include;  //!< globs on relative paths; empty = everything
  std::vector<std::string> exclude;  //!< globs on relative paths (files and folders)
};

/// \brief One regular file found under the root.
struct ScannedFile {
  std::string path;      //!< relative to the root, '/' separators
  std::string abs_path;  //!< path to open
  int64_t size = 0;
  int64_t mtime_ms = 0;
  bool is_python = false;  //!< a `.py` file, parsed by the extractor
};

/// \brief A problem met during the scan (unreadable folder, symlink leaving the root...).
struct ScanProblem {
  std::string path;
  std::string code;
  std::string message;
};

struct ScanResult {
  std::vector<ScannedFile> files;  //!< sorted by path (byte order)
  std::vector<ScanProblem> problems;
};

/// \brief Lists the regular files under `options.root`: skips VCS, virtualenv, build and
/// cache folders, honours `.gitignore` files and the include/exclude globs, never follows
/// a symlink out of the root (folder symlinks are not followed at all). Deterministic.
Result<ScanResult> ScanRepository(const ScanOptions& options);

/// \brief Dotted module name of a relative `.py` path (`pkg/__init__.py` -> `pkg`).
std::string ModuleNameForPath(std::string_view rel_path);

/// \brief The source encoding: a UTF-8 BOM gives `utf-8-sig`, else a PEP 263 cookie in
/// the first two lines (normalized, lowercase), else `utf-8`.
std::string DetectEncoding(std::string_view bytes);

}  // namespace anatomy::extract
