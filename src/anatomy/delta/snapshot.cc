#include "anatomy/delta/snapshot.h"

#include <arrow/compute/initialize.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "anatomy/delta/log_files.h"
#include "anatomy/delta/protocol.h"
#include "anatomy/delta/stats.h"

namespace anatomy::delta {

namespace {

std::string FileKey(const std::string& path, const std::optional<DeletionVectorDescriptor>& dv) {
  auto decoded = UriDecode(path);
  std::string key = decoded.ok() ? *decoded : path;
  if (dv) key += "\x1f" + dv->UniqueId();
  return key;
}

/// Replay state: applies actions oldest to newest. Active files live in one vector (moved in
/// once, never rehashed); the hash map holds only the replay key → slot, so a checkpoint of N
/// files costs N small map nodes and no AddFile moves beyond the first.
struct Replay {
  std::optional<Protocol> protocol;
  std::optional<Metadata> metadata;
  std::vector<AddFile> adds;  ///< slots; a removed file's slot is left behind (not in `live`)
  std::unordered_map<std::string, size_t> live;  ///< replay key → slot in `adds`
  std::unordered_map<std::string, RemoveFile> tombstones;
  std::map<std::string, Txn> txns;
  std::map<std::string, DomainMetadata> domains;

  void Apply(std::vector<Action>&& actions) {
    // A checkpoint is mostly adds: size the containers once.
    if (adds.empty() && actions.size() > 64) {
      adds.reserve(actions.size());
      live.reserve(actions.size());
    }
    for (auto& a : actions) {
      if (auto* add = std::get_if<AddFile>(&a)) {
        std::string key = FileKey(add->path, add->deletion_vector);
        if (!tombstones.empty()) tombstones.erase(key);
        auto [it, inserted] = live.try_emplace(std::move(key), adds.size());
        if (inserted) {
          adds.push_back(std::move(*add));
        } else {
          adds[it->second] = std::move(*add);
        }
      } else if (auto* rm = std::get_if<RemoveFile>(&a)) {
        std::string key = FileKey(rm->path, rm->deletion_vector);
        live.erase(key);
        tombstones.insert_or_assign(std::move(key), std::move(*rm));
      } else if (auto* p = std::get_if<Protocol>(&a)) {
        protocol = std::move(*p);
      } else if (auto* m = std::get_if<Metadata>(&a)) {
        metadata = std::move(*m);
      } else if (auto* t = std::get_if<Txn>(&a)) {
        txns[t->app_id] = std::move(*t);
      } else if (auto* d = std::get_if<DomainMetadata>(&a)) {
        if (d->removed) {
          domains.erase(d->domain);
        } else {
          domains[d->domain] = std::move(*d);
        }
      }
    }
  }
};

std::optional<int64_t> InCommitTimestamp(const std::vector<Action>& actions) {
  for (const auto& a : actions) {
    if (const auto* c = std::get_if<CommitInfo>(&a)) return c->in_commit_timestamp;
  }
  return std::nullopt;
}

/// Chooses the version to load for a timestamp: the newest commit at or before it.
Result<int64_t> VersionAtTimestamp(Storage& storage, const LogListing& log, int64_t ts) {
  if (log.commits.empty()) return Status::Invalid(storage.root(), ": no commits to time-travel in");
  int64_t best = -1;
  int64_t first_ts = 0;
  bool first = true;
  for (const auto& [v, entry] : log.commits) {
    ARROW_ASSIGN_OR_RAISE(int64_t cts, CommitTimestamp(storage, v));
    if (first) first_ts = cts;
    first = false;
    if (cts <= ts) best = v;
  }
  if (best < 0) {
    return Status::Invalid(storage.root(), ": timestamp ", ts,
                           " ms is before the earliest available commit (", first_ts, " ms)");
  }
  return best;
}

/// The part of the log a replay reads: an optional checkpoint, then commits first..target.
struct LogSegment {
  std::optional<CheckpointFiles> checkpoint;
  int64_t target = -1;
  /// Commits known to exist (the listing); empty in a probed segment, where every commit
  /// first..target was seen.
  std::map<int64_t, StorageEntry> commits;
  bool probed = false;
};

/// Commits probed one by one past a stale hint before a listing is cheaper.
constexpr int64_t kMaxProbe = 1000;

/// Finds the segment from `_last_checkpoint` without listing `_delta_log` (a listing of a long
/// log costs about a third of a snapshot load): the hinted checkpoint must exist, then commits
/// hint+1, hint+2, ... are probed until one is missing. The hint is only a hint, so this gives
/// up (nullopt: list instead) whenever it cannot be trusted: no or unreadable hint, a hinted
/// checkpoint that is missing (removed, v2 with a UUID name), a requested version below it or
/// past the commits found, a timestamp, or no commit at all after it. The last case matters
/// for correctness: a stale hint whose next commits were removed by log cleanup must not read
/// as the latest version. Log cleanup removes the oldest commits first, so once commit hint+1
/// exists a missing later commit is the end of the log (a newer checkpoint the hint does not
/// name is harmless: replaying the commits since the older one gives the same state).
Result<std::optional<LogSegment>> ProbeFromHint(Storage& storage, const SnapshotOptions& options) {
  if (options.timestamp_ms) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto hint, ReadLastCheckpoint(storage));
  if (!hint || hint->version < 0) return std::nullopt;
  if (options.version && *options.version < hint->version) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto cp, HintedCheckpoint(storage, *hint));
  if (!cp) return std::nullopt;
  LogSegment seg;
  seg.probed = true;
  int64_t v = hint->version;
  int64_t limit = options.version ? *options.version : hint->version + kMaxProbe;
  while (v < limit) {
    ARROW_ASSIGN_OR_RAISE(bool exists, storage.Exists(CommitPath(v + 1)));
    if (!exists) break;
    ++v;
  }
  if (v == hint->version) return std::nullopt;  // nothing after the hint: list to be sure
  if (!options.version && v < limit) {
    // A commit past the first missing one is a gap in a damaged log, not its end: the listing
    // reports it (one more probe; wider gaps are the listing path's to find on a write).
    ARROW_ASSIGN_OR_RAISE(bool past_gap, storage.Exists(CommitPath(v + 2)));
    if (past_gap) return std::nullopt;
  }
  if (options.version && v != *options.version) return std::nullopt;  // a gap: listing reports it
  if (!options.version && v == limit) return std::nullopt;            // far past a stale hint: list
  seg.checkpoint = std::move(*cp);
  seg.target = v;
  return seg;
}

/// The segment from a listing of `_delta_log` (always correct, costs a full listing).
Result<LogSegment> ListSegment(Storage& storage, const SnapshotOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto log, ListLog(storage));
  if (log.commits.empty() && log.checkpoints.empty()) {
    auto hint = ReadLastCheckpoint(storage);
    if (hint.ok() && *hint) {
      return Status::Invalid(storage.root(), ": _last_checkpoint names version ", (*hint)->version,
                             " but that checkpoint is missing or incomplete and no commits exist");
    }
    return Status::Invalid(storage.root(), ": not a Delta table (no commits in _delta_log)");
  }
  int64_t latest = -1;
  if (!log.commits.empty()) latest = log.commits.rbegin()->first;
  if (!log.checkpoints.empty()) latest = std::max(latest, log.checkpoints.back().version);
  LogSegment seg;
  seg.target = latest;
  if (options.version) {
    if (*options.version < 0 || *options.version > latest) {
      return Status::Invalid(storage.root(), ": version ", *options.version,
                             " does not exist (latest is ", latest, ")");
    }
    seg.target = *options.version;
  } else if (options.timestamp_ms) {
    ARROW_ASSIGN_OR_RAISE(seg.target, VersionAtTimestamp(storage, log, *options.timestamp_ms));
  }
  // Start from the newest complete checkpoint at or below the target (listing already shows
  // every checkpoint, including ones newer than `_last_checkpoint` names).
  for (auto& c : log.checkpoints) {
    if (c.version <= seg.target) seg.checkpoint = c;
  }
  seg.commits = std::move(log.commits);
  return seg;
}

}  // namespace

ColumnMappingMode Snapshot::column_mapping_mode() const {
  auto mode = Property("delta.columnMapping.mode", "none");
  if (mode == "name") return ColumnMappingMode::kName;
  if (mode == "id") return ColumnMappingMode::kId;
  return ColumnMappingMode::kNone;
}

std::string Snapshot::Property(const std::string& key, const std::string& fallback) const {
  auto it = metadata.configuration.find(key);
  return it == metadata.configuration.end() ? fallback : it->second;
}

std::optional<int64_t> Snapshot::NumRecords() const {
  int64_t total = 0;
  for (const auto& f : files) {
    if (!f.stats) return std::nullopt;
    auto n = NumRecordsFromStats(*f.stats);
    if (!n) return std::nullopt;
    total += *n - (f.deletion_vector ? f.deletion_vector->cardinality : 0);
  }
  return total;
}

Result<int64_t> CommitTimestamp(Storage& storage, int64_t version) {
  ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommit(storage, version));
  if (auto ict = InCommitTimestamp(actions)) return *ict;
  ARROW_ASSIGN_OR_RAISE(auto entry, storage.Stat(CommitPath(version)));
  return entry.modification_time_ms;
}

Result<int64_t> LatestVersion(Storage& storage) {
  ARROW_ASSIGN_OR_RAISE(auto log, ListLog(storage));
  int64_t latest = -1;
  if (!log.commits.empty()) latest = log.commits.rbegin()->first;
  if (!log.checkpoints.empty()) latest = std::max(latest, log.checkpoints.back().version);
  return latest;
}

Status EnsureComputeInitialized() {
  // Pruning, scans and writes use compute kernels that Arrow registers only on Initialize().
  static std::once_flag once;
  static Status status;
  std::call_once(once, [] { status = arrow::compute::Initialize(); });
  return status;
}

Result<std::shared_ptr<Snapshot>> LoadSnapshot(std::shared_ptr<Storage> storage,
                                               const SnapshotOptions& options) {
  ARROW_RETURN_NOT_OK(EnsureComputeInitialized());
  ARROW_ASSIGN_OR_RAISE(auto probed, ProbeFromHint(*storage, options));
  LogSegment seg;
  if (probed) {
    seg = std::move(*probed);
  } else {
    ARROW_ASSIGN_OR_RAISE(seg, ListSegment(*storage, options));
  }
  const int64_t target = seg.target;
  Replay replay;
  int64_t next = 0;
  auto snap = std::make_shared<Snapshot>();
  if (seg.checkpoint) {
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCheckpoint(*storage, *seg.checkpoint));
    replay.Apply(std::move(actions));
    next = seg.checkpoint->version + 1;
    snap->checkpoint_version = seg.checkpoint->version;
  }
  for (int64_t v = next; v <= target; ++v) {
    if (!seg.probed && !seg.commits.count(v)) {
      return Status::Invalid(storage->root(), ": commit ", CommitPath(v),
                             " is missing (needed for version ", target, ")");
    }
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommit(*storage, v));
    replay.Apply(std::move(actions));
  }
  if (!replay.protocol)
    return Status::Invalid(storage->root(), ": no protocol action up to version ", target);
  if (!replay.metadata)
    return Status::Invalid(storage->root(), ": no metaData action up to version ", target);
  if (options.check_protocol) ARROW_RETURN_NOT_OK(CheckReadSupported(*replay.protocol));

  snap->storage = storage;
  snap->version = target;
  snap->protocol = std::move(*replay.protocol);
  snap->metadata = std::move(*replay.metadata);
  ARROW_ASSIGN_OR_RAISE(snap->schema, ParseSchema(snap->metadata.schema_string, storage->root()));
  for (const auto& pc : snap->metadata.partition_columns) {
    if (!snap->schema.FindField(pc)) {
      return Status::Invalid(storage->root(), ": partition column '", pc, "' is not in the schema");
    }
  }
  // Deterministic order: sort by (decoded path, DV id), i.e. the replay key; sort keys, not files.
  std::vector<std::pair<std::string_view, size_t>> order;
  order.reserve(replay.live.size());
  for (const auto& [key, slot] : replay.live) order.emplace_back(key, slot);
  std::sort(order.begin(), order.end());
  snap->files.reserve(order.size());
  for (const auto& [_, slot] : order) snap->files.push_back(std::move(replay.adds[slot]));
  for (auto& [_, r] : replay.tombstones) snap->tombstones.push_back(std::move(r));
  std::sort(snap->tombstones.begin(), snap->tombstones.end(),
            [](const RemoveFile& a, const RemoveFile& b) { return a.path < b.path; });
  snap->txns = std::move(replay.txns);
  snap->domains = std::move(replay.domains);
  if (seg.probed || seg.commits.count(target)) {
    ARROW_ASSIGN_OR_RAISE(snap->timestamp_ms, CommitTimestamp(*storage, target));
  }
  return snap;
}

Result<std::shared_ptr<Snapshot>> LoadSnapshot(const std::string& path,
                                               const SnapshotOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto storage, OpenLocalStorage(path));
  return LoadSnapshot(std::move(storage), options);
}

Result<std::vector<CommitSummary>> History(Storage& storage, int64_t limit) {
  ARROW_ASSIGN_OR_RAISE(auto log, ListLog(storage));
  std::vector<CommitSummary> out;
  for (auto it = log.commits.rbegin(); it != log.commits.rend(); ++it) {
    if (limit > 0 && static_cast<int64_t>(out.size()) >= limit) break;
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommit(storage, it->first));
    CommitSummary s;
    s.version = it->first;
    ARROW_ASSIGN_OR_RAISE(auto entry, storage.Stat(CommitPath(it->first)));
    s.timestamp_ms = entry.modification_time_ms;
    for (const auto& a : actions) {
      if (const auto* c = std::get_if<CommitInfo>(&a)) {
        s.info = *c;
        if (c->in_commit_timestamp) {
          s.timestamp_ms = *c->in_commit_timestamp;
        } else if (c->timestamp) {
          s.timestamp_ms = *c->timestamp;
        }
      }
      s.num_add += std::holds_alternative<AddFile>(a);
      s.num_remove += std::holds_alternative<RemoveFile>(a);
      s.num_cdc += std::holds_alternative<AddCdcFile>(a);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace anatomy::delta
