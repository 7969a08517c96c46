#include "anatomy/delta/transaction.h"

#include <chrono>

#include "anatomy/delta/log_files.h"

namespace anatomy::delta {

namespace {

std::string Decoded(const std::string& p) {
  auto d = UriDecode(p);
  return d.ok() ? *d : p;
}

/// Returns a non-OK status describing the first real conflict between our intent and a winner.
Status CheckConflict(const CommitIntent& intent, int64_t version,
                     const std::vector<Action>& winner) {
  for (const auto& a : winner) {
    if (std::holds_alternative<Metadata>(a) || std::holds_alternative<Protocol>(a)) {
      return Status::Invalid("commit conflict: version ", version,
                             " changed the table metadata or protocol concurrently");
    }
    if (const auto* t = std::get_if<Txn>(&a);
        t && !intent.app_id.empty() && t->app_id == intent.app_id) {
      return Status::Invalid("commit conflict: version ", version, " committed app transaction '",
                             t->app_id, "' concurrently");
    }
    if (const auto* r = std::get_if<RemoveFile>(&a)) {
      if (intent.removed_paths.count(Decoded(r->path))) {
        return Status::Invalid("commit conflict: version ", version, " removed ", r->path,
                               " which this transaction also removes (concurrent delete)");
      }
    }
    if (const auto* add = std::get_if<AddFile>(&a);
        add && !intent.blind_append && add->data_change) {
      if (!intent.reads || intent.reads(*add)) {
        return Status::Invalid("commit conflict: version ", version, " added ", add->path,
                               " to data this transaction read (concurrent append)");
      }
    }
  }
  return Status::OK();
}

}  // namespace

Result<CommitResult> Commit(Storage& storage, CommitIntent intent) {
  CommitResult result;
  int64_t version = intent.read_version + 1;
  for (int attempt = 0; attempt <= intent.max_retries; ++attempt) {
    result.attempts = attempt + 1;
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    std::optional<int64_t> ict;
    if (intent.in_commit_timestamp) {
      ict = now;
      if (version > 0) {
        auto prev = CommitTimestamp(storage, version - 1);
        if (prev.ok() && *prev >= now) ict = *prev + 1;
      }
    }
    for (auto& a : intent.actions) {
      if (auto* c = std::get_if<CommitInfo>(&a)) {
        if (intent.read_version >= 0) c->read_version = version - 1;
        c->in_commit_timestamp = ict;
      }
    }
    std::string body = SerializeActions(intent.actions);
    Status st = storage.PutIfAbsent(CommitPath(version), body);
    if (st.ok()) {
      result.version = version;
      return result;
    }
    if (!st.IsAlreadyExists()) return st;
    if (intent.read_version < 0) {
      return Status::Invalid("commit conflict: the table was created concurrently (",
                             CommitPath(version), " exists)");
    }
    // Lost the race: check every winner up to the current end of the log.
    while (true) {
      ARROW_ASSIGN_OR_RAISE(bool exists, storage.Exists(CommitPath(version)));
      if (!exists) break;
      ARROW_ASSIGN_OR_RAISE(auto winner, ReadCommit(storage, version));
      ARROW_RETURN_NOT_OK(CheckConflict(intent, version, winner));
      ++version;
    }
  }
  return Status::IOError("commit failed: lost the race ", intent.max_retries + 1,
                         " times in a row at ", storage.root());
}

}  // namespace anatomy::delta
