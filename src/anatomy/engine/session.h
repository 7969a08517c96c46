#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/engine/catalog.h"
#include "anatomy/engine/ingest.h"
#include "anatomy/engine/plan.h"

namespace anatomy::engine {

struct SessionOptions {
  std::string profile_name = "default";
  /// Run plans on Arrow's CPU pool (true) or on the calling thread.
  bool use_threads = true;
  /// Executor threads asked for; 0 means Arrow's default. Recorded as configured, not as
  /// detected, so that fingerprints do not depend on the machine.
  int executor_threads = 0;
  /// Rows per batch that plans aim for: the ingest's partitions, unless it asks otherwise.
  int64_t batch_size = 1 << 16;
  /// The memory pool plans allocate from, by name ("default" = Arrow's default pool).
  std::string memory_pool = "default";

  /// The engine settings every plan artifact records and hashes, sorted by key.
  std::map<std::string, std::string> Settings() const;
};

/// \brief A Delta table registered as a source, optionally pinned to a version or a time.
struct DeltaSourceSpec {
  std::string uri;
  std::optional<int64_t> version;
  std::optional<int64_t> timestamp_ms;
  /// Storage options (none for local tables); only their hash is recorded.
  std::map<std::string, std::string> storage_options;
};

/// \brief A catalog of named tables and the plans over them. Arrow data enters only through
/// Ingest. All methods may be called from several threads.
class Session {
 public:
  static Result<std::unique_ptr<Session>> Make(SessionOptions options = {});

  /// \brief The one ingest surface: register `source` under `name`, partitioned as `options`
  /// asks, and record an IngestEvent.
  Status Ingest(const std::string& name, IngestSource source, IngestOptions options = {});

  /// \brief Register a Delta table as a source. It is read through the delta layer when a plan
  /// scans it; the protocol is checked then. Replacing needs `replace`.
  Status RegisterDeltaSource(const std::string& name, DeltaSourceSpec spec, bool replace = false);
  /// The Delta source registered under `name`, or KeyError.
  Result<DeltaSourceSpec> DeltaSource(const std::string& name) const;

  /// \brief Register a named plan (a view). Views are plans, not data: they record
  /// view_artifacts_v4 rows when compiled (see ViewArtifact). Replacing needs `replace`.
  Status RegisterView(const std::string& name, LogicalPlan plan, bool replace = false);
  /// The plan of the view `name`, or KeyError.
  Result<LogicalPlan> View(const std::string& name) const;
  /// View names, sorted.
  std::vector<std::string> ViewNames() const;

  /// \brief Forgets the table registered under `name`, so that its memory is freed once no
  /// plan or caller holds it (a build drops each input after the last view reading it has
  /// run). Unknown names are ignored.
  void DropTable(const std::string& name);
  /// \brief Forgets the view registered under `name` (its plan holds the tables it scans).
  void DropView(const std::string& name);

  /// The table registered under `name`.
  Result<std::shared_ptr<const InMemoryTable>> Table(const std::string& name) const;
  /// Registered names, sorted.
  std::vector<std::string> TableNames() const;
  /// Every ingest so far, in order.
  std::vector<IngestEvent> IngestEvents() const;

  const SessionOptions& options() const { return options_; }

 private:
  explicit Session(SessionOptions options) : options_(std::move(options)) {}

  SessionOptions options_;
  mutable std::mutex mu_;
  Catalog catalog_;
  std::vector<IngestEvent> events_;
  std::map<std::string, DeltaSourceSpec> delta_sources_;
  std::map<std::string, LogicalPlan> views_;
};

}  // namespace anatomy::engine
