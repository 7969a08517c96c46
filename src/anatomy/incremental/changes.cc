#include "anatomy/incremental/changes.h"

#include <fstream>
#include <iterator>
#include <set>

#include "anatomy/core/hash.h"

namespace anatomy::incremental {

namespace {

Result<std::string> HashFile(const extract::ScannedFile& f) {
  std::ifstream in(f.abs_path, std::ios::binary);
  if (!in) return Status::IOError("cannot read '", f.path, "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return core::Sha256Hex(bytes);
}

}  // namespace

Result<ChangeSet> DetectChanges(const RepoSnapshot& snapshot, const extract::ScanResult& scan) {
  ChangeSet out;
  std::set<std::string> seen;
  std::vector<FileState> added;
  for (const auto& f : scan.files) {
    seen.insert(f.path);
    auto it = snapshot.find(f.path);
    if (it != snapshot.end() && it->second.size == f.size && it->second.mtime_ms == f.mtime_ms)
      continue;
    FileState now{f.path, core::StableId("file", {f.path}), "", f.size, f.mtime_ms};
    // An unreadable file is a change: its extraction records the read error.
    auto sha = HashFile(f);
    ++out.files_hashed;
    now.sha256 = sha.ok() ? *sha : "";
    if (it == snapshot.end()) {
      added.push_back(std::move(now));
      continue;
    }
    out.changes.push_back(
        {f.path, now.sha256 == it->second.sha256 ? "touched" : "changed", std::nullopt});
    out.upserted.push_back(std::move(now));
  }
  std::multimap<std::string, std::string> deleted_by_sha;  // sha256 -> path
  for (const auto& [path, state] : snapshot) {
    if (seen.count(path) == 0) deleted_by_sha.emplace(state.sha256, path);
  }
  for (auto& a : added) {
    auto it = a.sha256.empty() ? deleted_by_sha.end() : deleted_by_sha.find(a.sha256);
    if (it != deleted_by_sha.end()) {
      out.changes.push_back({a.path, "renamed", it->second});
      out.removed_paths.push_back(it->second);
      deleted_by_sha.erase(it);
    } else {
      out.changes.push_back({a.path, "added", std::nullopt});
    }
    out.upserted.push_back(std::move(a));
  }
  for (const auto& [sha, path] : deleted_by_sha) {
    out.changes.push_back({path, "deleted", std::nullopt});
    out.removed_paths.push_back(path);
  }
  return out;
}

}  // namespace anatomy::incremental
