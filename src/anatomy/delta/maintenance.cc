#include "anatomy/delta/maintenance.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "anatomy/delta/checkpoint_writer.h"
#include "anatomy/delta/deletion_vector.h"
#include "anatomy/delta/log_files.h"
#include "anatomy/delta/snapshot.h"

namespace anatomy::delta {

namespace {

int64_t Now(int64_t given) {
  if (given) return given;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Decoded(const std::string& p) {
  auto d = UriDecode(p);
  return d.ok() ? *d : p;
}

bool Hidden(const std::string& rel) {
  // Hidden paths (a segment starting with '_' or '.') belong to Delta or other tools; only
  // _change_data is ours to clean.
  size_t start = 0;
  while (start < rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    std::string seg = rel.substr(start, end - start);
    if (!seg.empty() && (seg[0] == '.' || (seg[0] == '_' && seg != "_change_data"))) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

Result<VacuumResult> Vacuum(std::shared_ptr<Storage> storage, const VacuumOptions& o) {
  ARROW_ASSIGN_OR_RAISE(auto snap, LoadSnapshot(storage));
  int64_t table_retention = 7 * 86'400'000ll;
  auto prop = snap->Property("delta.deletedFileRetentionDuration");
  if (!prop.empty()) {
    ARROW_ASSIGN_OR_RAISE(table_retention, ParseIntervalMs(prop));
  }
  VacuumResult out;
  out.retention_ms = o.retention_ms.value_or(table_retention);
  if (o.enforce_retention && out.retention_ms < table_retention) {
    return Status::Invalid("vacuum retention ", out.retention_ms,
                           " ms is shorter than the table's ", table_retention,
                           " ms (delta.deletedFileRetentionDuration)");
  }
  int64_t cutoff = Now(o.now_ms) - out.retention_ms;
  std::set<std::string> keep;
  // A file and its deletion vector's file: a version still within retention reads both.
  auto keep_file = [&](const std::string& path, const std::optional<DeletionVectorDescriptor>& dv) {
    keep.insert(Decoded(path));
    if (dv && dv->storage_type == "u") {
      auto p = DeletionVectorRelativePath(*dv);
      if (p.ok()) keep.insert(*p);
    }
  };
  for (const auto& f : snap->files) keep_file(f.path, f.deletion_vector);
  for (const auto& t : snap->tombstones) {
    if (t.deletion_timestamp.value_or(0) > cutoff) keep_file(t.path, t.deletion_vector);
  }
  ARROW_ASSIGN_OR_RAISE(auto all, storage->ListRecursive(""));
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  for (const auto& e : all) {
    if (Hidden(e.path) || keep.count(e.path)) continue;
    if (e.modification_time_ms > cutoff) continue;  // too recent: may belong to a running write
    out.deleted.push_back(e.path);
    if (!o.dry_run) ARROW_RETURN_NOT_OK(storage->Delete(e.path));
  }
  return out;
}

Result<std::vector<std::string>> CleanupLog(std::shared_ptr<Storage> storage,
                                            const LogCleanupOptions& o) {
  ARROW_ASSIGN_OR_RAISE(auto snap, LoadSnapshot(storage));
  int64_t retention = 30 * 86'400'000ll;
  auto prop = snap->Property("delta.logRetentionDuration");
  if (!prop.empty()) {
    ARROW_ASSIGN_OR_RAISE(retention, ParseIntervalMs(prop));
  }
  retention = o.retention_ms.value_or(retention);
  int64_t cutoff = Now(o.now_ms) - retention;
  ARROW_ASSIGN_OR_RAISE(auto log, ListLog(*storage));
  ARROW_ASSIGN_OR_RAISE(auto entries, storage->List(kLogDir));
  // Versioned log files with their versions and ages.
  struct F {
    int64_t version;
    std::string path;
    int64_t mtime;
  };
  std::vector<F> files;
  for (const auto& e : entries) {
    std::string name = e.path.substr(e.path.rfind('/') + 1);
    if (e.is_dir || name.size() < 21 || name[20] != '.') continue;
    bool digits =
        std::all_of(name.begin(), name.begin() + 20, [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) continue;
    files.push_back({std::stoll(name.substr(0, 20)), e.path, e.modification_time_ms});
  }
  // The newest checkpoint C such that every file below C is older than the cutoff: deleting
  // all of them leaves C and everything after it, so every remaining version is readable.
  int64_t boundary = -1;
  for (const auto& cp : log.checkpoints) {
    bool all_old = std::all_of(files.begin(), files.end(), [&](const F& f) {
      return f.version >= cp.version || f.mtime <= cutoff;
    });
    if (all_old) boundary = cp.version;
  }
  std::vector<std::string> out;
  for (const auto& f : files) {
    if (f.version < boundary) {
      out.push_back(f.path);
      if (!o.dry_run) ARROW_RETURN_NOT_OK(storage->Delete(f.path));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace anatomy::delta
