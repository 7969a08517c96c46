#pragma once

#include <arrow/record_batch.h>
#include <arrow/type.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::engine {

/// \brief A table that entered the session through Ingest: immutable batches sharing the
/// source's buffers.
struct InMemoryTable {
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  int64_t num_rows = 0;
  /// Bumped each time the name is replaced, so plans see which contents they used.
  int64_t generation = 0;
};

/// \brief The session's named tables. Not thread-safe by itself: Session serialises access.
class Catalog {
 public:
  /// Adds or (with replace) replaces a table; the name must be new otherwise.
  Status Put(const std::string& name, InMemoryTable table, bool replace);
  /// The table of that name, or KeyError naming it and the tables that exist.
  Result<std::shared_ptr<const InMemoryTable>> Get(const std::string& name) const;
  bool Contains(const std::string& name) const { return tables_.count(name) > 0; }
  /// Forgets the table of that name (its batches live on while a plan or caller holds them).
  void Remove(const std::string& name) { tables_.erase(name); }
  /// Names in sorted order.
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::shared_ptr<const InMemoryTable>> tables_;
};

}  // namespace anatomy::engine
