#include "anatomy/engine/session.h"

namespace anatomy::engine {

std::map<std::string, std::string> SessionOptions::Settings() const {
  return {{"batch_size", std::to_string(batch_size)},
          {"executor_threads", executor_threads > 0 ? std::to_string(executor_threads) : "auto"},
          {"memory_pool", memory_pool},
          {"profile_name", profile_name},
          {"use_threads", use_threads ? "true" : "false"}};
}

Result<std::unique_ptr<Session>> Session::Make(SessionOptions options) {
  return std::unique_ptr<Session>(new Session(std::move(options)));
}

Status Session::Ingest(const std::string& name, IngestSource source, IngestOptions options) {
  {
    // Fail before draining a reader when the name is taken.
    std::lock_guard<std::mutex> lock(mu_);
    if (delta_sources_.count(name)) {
      return Status::AlreadyExists("'", name, "' is registered as a Delta source");
    }
    if (!options.replace && catalog_.Contains(name)) {
      return Status::AlreadyExists(
          "table '", name, "' is already in the session; ingest with replace=true to swap it");
    }
  }
  if (!options.batch_size) options.batch_size = options_.batch_size;
  ARROW_ASSIGN_OR_RAISE(auto partitioned, PartitionSource(name, source, options));
  InMemoryTable table{partitioned.schema, std::move(partitioned.batches),
                      partitioned.event.row_count, 0};
  std::lock_guard<std::mutex> lock(mu_);
  ARROW_RETURN_NOT_OK(catalog_.Put(name, std::move(table), options.replace));
  events_.push_back(std::move(partitioned.event));
  return Status::OK();
}

Status Session::RegisterDeltaSource(const std::string& name, DeltaSourceSpec spec, bool replace) {
  if (name.empty() || spec.uri.empty()) return Status::Invalid("delta source: empty name or uri");
  if (spec.version && spec.timestamp_ms) {
    return Status::Invalid("delta source '", name, "': pin a version or a timestamp, not both");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (catalog_.Contains(name) || (!replace && delta_sources_.count(name))) {
    return Status::AlreadyExists("'", name, "' is already registered in the session");
  }
  delta_sources_[name] = std::move(spec);
  return Status::OK();
}

Result<DeltaSourceSpec> Session::DeltaSource(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = delta_sources_.find(name);
  if (it == delta_sources_.end())
    return Status::KeyError("no Delta source '", name, "' in the session");
  return it->second;
}

Status Session::RegisterView(const std::string& name, LogicalPlan plan, bool replace) {
  if (name.empty()) return Status::Invalid("view: empty name");
  std::lock_guard<std::mutex> lock(mu_);
  if (!replace && views_.count(name))
    return Status::AlreadyExists("view '", name, "' is already registered");
  views_[name] = std::move(plan);
  return Status::OK();
}

Result<LogicalPlan> Session::View(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = views_.find(name);
  if (it == views_.end()) return Status::KeyError("no view '", name, "' in the session");
  return it->second;
}

std::vector<std::string> Session::ViewNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& [n, _] : views_) names.push_back(n);
  return names;
}

void Session::DropTable(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  catalog_.Remove(name);
}

void Session::DropView(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  views_.erase(name);
}

Result<std::shared_ptr<const InMemoryTable>> Session::Table(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalog_.Get(name);
}

std::vector<std::string> Session::TableNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalog_.Names();
}

std::vector<IngestEvent> Session::IngestEvents() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

}  // namespace anatomy::engine
