#include "anatomy/delta/log_files.h"

#include <arrow/buffer.h>
#include <arrow/util/hashing.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>

#include "anatomy/delta/checkpoint_reader.h"
#include "anatomy/delta/json_util.h"

namespace anatomy::delta {

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<int64_t> ParseVersion(std::string_view s) {
  if (s.size() != 20 || !AllDigits(s)) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

/// Parsed commits by content. A build replays a table's log several times (each read, write
/// and compaction check loads a snapshot), and parsing the JSON is most of a replay. A commit
/// file never changes once written, but a table deleted and created again reuses its names:
/// entries are keyed by path, size and a hash of the bytes, so such a file is parsed anew.
/// Bounded by the bytes of the commits held (cleared when full).
class CommitCache {
 public:
  using Key = std::tuple<std::string, size_t, uint64_t>;

  std::optional<std::vector<Action>> Find(const Key& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  void Put(const Key& key, const std::vector<Action>& actions) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (bytes_ + std::get<1>(key) > kMaxBytes) {
      entries_.clear();
      bytes_ = 0;
    }
    if (entries_.emplace(key, actions).second) bytes_ += std::get<1>(key);
  }

 private:
  static constexpr size_t kMaxBytes = size_t{64} << 20;
  std::mutex mutex_;
  std::map<Key, std::vector<Action>> entries_;
  size_t bytes_ = 0;
};

CommitCache& Commits() {
  static CommitCache cache;
  return cache;
}

}  // namespace

std::string CommitPath(int64_t version) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s/%020lld.json", kLogDir, static_cast<long long>(version));
  return buf;
}

Result<LogListing> ListLog(Storage& storage) {
  ARROW_ASSIGN_OR_RAISE(auto entries, storage.ListNames(kLogDir));
  LogListing out;
  // version → (total parts → part paths), for multi-part checkpoints.
  std::map<int64_t, std::map<int64_t, std::map<int64_t, std::string>>> multi;
  for (const auto& e : entries) {
    if (e.is_dir) continue;
    std::string name = e.path.substr(e.path.rfind('/') + 1);
    if (name.empty() || name[0] == '.' || name.size() < 21 || name[20] != '.') continue;
    auto version = ParseVersion(std::string_view(name).substr(0, 20));
    if (!version) continue;
    std::string_view rest = std::string_view(name).substr(21);
    if (rest == "json") {
      out.commits.emplace(*version, e);
    } else if (rest == "checkpoint.parquet") {
      out.checkpoints.push_back({*version, {e.path}, false, false});
    } else if (rest.rfind("checkpoint.", 0) == 0) {
      std::string_view tail = rest.substr(11);
      // Multi-part: checkpoint.PPPPPPPPPP.TTTTTTTTTT.parquet
      if (tail.size() == 10 + 1 + 10 + 8 && AllDigits(tail.substr(0, 10)) && tail[10] == '.' &&
          AllDigits(tail.substr(11, 10)) && tail.substr(21) == ".parquet") {
        int64_t part = std::stoll(std::string(tail.substr(0, 10)));
        int64_t total = std::stoll(std::string(tail.substr(11, 10)));
        if (part >= 1 && part <= total) multi[*version][total][part] = e.path;
      } else if (tail.size() > 8 && tail.substr(tail.size() - 8) == ".parquet") {
        out.checkpoints.push_back({*version, {e.path}, true, false});
      } else if (tail.size() > 5 && tail.substr(tail.size() - 5) == ".json") {
        out.checkpoints.push_back({*version, {e.path}, true, true});
      }
    }
  }
  for (auto& [version, by_total] : multi) {
    for (auto& [total, parts] : by_total) {
      if (static_cast<int64_t>(parts.size()) != total) continue;  // incomplete: ignore
      CheckpointFiles cp{version, {}, false, false};
      for (auto& [_, p] : parts) cp.paths.push_back(p);
      out.checkpoints.push_back(std::move(cp));
    }
  }
  std::stable_sort(out.checkpoints.begin(), out.checkpoints.end(),
                   [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

Result<std::vector<Action>> ReadCommit(Storage& storage, int64_t version) {
  std::string path = CommitPath(version);
  ARROW_ASSIGN_OR_RAISE(auto buf, storage.Read(path));
  const std::string_view text(reinterpret_cast<const char*>(buf->data()),
                              static_cast<size_t>(buf->size()));
  CommitCache::Key key{
      storage.root() + "/" + path, text.size(),
      arrow::internal::ComputeStringHash<0>(text.data(), static_cast<int64_t>(text.size()))};
  if (auto cached = Commits().Find(key)) return std::move(*cached);
  ARROW_ASSIGN_OR_RAISE(auto actions, ParseCommit(text, path));
  Commits().Put(key, actions);
  return actions;
}

Result<std::vector<Action>> ReadCheckpoint(Storage& storage, const CheckpointFiles& cp) {
  std::vector<Action> actions;
  for (const auto& path : cp.paths) {
    if (cp.json) {
      ARROW_ASSIGN_OR_RAISE(auto buf, storage.Read(path));
      ARROW_ASSIGN_OR_RAISE(auto part,
                            ParseCommit(std::string_view(reinterpret_cast<const char*>(buf->data()),
                                                         static_cast<size_t>(buf->size())),
                                        path));
      for (auto& a : part) actions.push_back(std::move(a));
    } else {
      ARROW_RETURN_NOT_OK(ReadParquetActions(storage, path, &actions));
    }
  }
  // v2 checkpoints keep their file actions in sidecars under _delta_log/_sidecars/.
  std::vector<std::string> sidecars;
  for (const auto& a : actions) {
    if (const auto* s = std::get_if<Sidecar>(&a)) sidecars.push_back(s->path);
  }
  for (const auto& s : sidecars) {
    std::string where = cp.paths.empty() ? std::string(kLogDir) : cp.paths[0];
    if (s.find('/') != std::string::npos || s.find("..") != std::string::npos) {
      // Sidecar paths are file names relative to _delta_log/_sidecars (absolute URIs not
      // supported).
      return Status::Invalid(where, ": sidecar path '", s, "' is not a plain file name");
    }
    ARROW_RETURN_NOT_OK(
        ReadParquetActions(storage, std::string(kLogDir) + "/_sidecars/" + s, &actions));
  }
  return actions;
}

Result<std::optional<LastCheckpoint>> ReadLastCheckpoint(Storage& storage) {
  std::string path = std::string(kLogDir) + "/_last_checkpoint";
  ARROW_ASSIGN_OR_RAISE(bool exists, storage.Exists(path));
  if (!exists) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto buf, storage.Read(path));
  auto doc = ParseJson(std::string_view(reinterpret_cast<const char*>(buf->data()),
                                        static_cast<size_t>(buf->size())),
                       path);
  if (!doc.ok() || !doc->is_object()) return std::nullopt;  // a hint only: ignore when damaged
  JsonReader r(&*doc, path);
  LastCheckpoint lc;
  auto v = r.Int("version");
  if (!v.ok()) return std::nullopt;
  lc.version = *v;
  auto size = r.OptInt("size");
  if (size.ok() && *size) lc.size = **size;
  auto parts = r.OptInt("parts");
  if (parts.ok()) lc.parts = *parts;
  auto v2 = r.OptObject("v2Checkpoint");
  if (v2.ok() && *v2) {
    auto p = (*v2)->OptString("path");
    if (p.ok()) lc.v2_path = *p;
  }
  return lc;
}

Result<std::optional<CheckpointFiles>> HintedCheckpoint(Storage& storage,
                                                        const LastCheckpoint& hint) {
  CheckpointFiles cp{hint.version, {}, false, false};
  char buf[96];
  const auto v = static_cast<long long>(hint.version);
  if (hint.v2_path) {
    const std::string& name = *hint.v2_path;
    // A file name beside the commits, named for this version (never a path elsewhere).
    std::snprintf(buf, sizeof(buf), "%020lld.checkpoint.", v);
    if (name.rfind(buf, 0) != 0 || name.find('/') != std::string::npos) return std::nullopt;
    cp.v2 = true;
    cp.json = name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0;
    cp.paths.push_back(std::string(kLogDir) + "/" + name);
  } else if (hint.parts && *hint.parts > 1) {
    if (*hint.parts > 100000) return std::nullopt;
    for (int64_t p = 1; p <= *hint.parts; ++p) {
      std::snprintf(buf, sizeof(buf), "%s/%020lld.checkpoint.%010lld.%010lld.parquet", kLogDir, v,
                    static_cast<long long>(p), static_cast<long long>(*hint.parts));
      cp.paths.push_back(buf);
    }
  } else {
    std::snprintf(buf, sizeof(buf), "%s/%020lld.checkpoint.parquet", kLogDir, v);
    cp.paths.push_back(buf);
  }
  for (const auto& p : cp.paths) {
    ARROW_ASSIGN_OR_RAISE(bool exists, storage.Exists(p));
    if (!exists) return std::nullopt;
  }
  return cp;
}

}  // namespace anatomy::delta
