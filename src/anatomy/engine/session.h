#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/engine/catalog.h"
#include "anatomy/engine/ingest.h"

namespace anatomy::engine {

struct SessionOptions {
  std::string profile_name = "default";
};

/// \brief A catalog of named tables and the plans over them. Arrow data enters only through
/// Ingest. All methods may be called from several threads.
class Session {
 public:
  static Result<std::unique_ptr<Session>> Make(SessionOptions options = {});

  /// \brief The one ingest surface: register `source` under `name`, partitioned as `options`
  /// asks, and record an IngestEvent.
  Status Ingest(const std::string& name, IngestSource source, IngestOptions options = {});

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
};

}  // namespace anatomy::engine
