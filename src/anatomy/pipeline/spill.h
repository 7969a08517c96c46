#pragma once

// Rows a build sets aside until its end, on disk rather than in memory: a full build keeps the
// edges whose cpg_edges_by_dst lists span batches (about a fifth of all edges) for its last
// batch, and holding them in memory while every other batch runs set much of the peak.

#include <arrow/type_fwd.h>

#include <memory>
#include <string>

#include "anatomy/core/status.h"

namespace anatomy::pipeline {

/// \brief An Arrow IPC file of tables of one schema, appended one after another, read back
/// whole once. The file has no name in its folder: it goes when the spill does, or with the
/// process, however that ends (a killed build leaves nothing).
class Spill {
 public:
  /// The file is created in `path`'s folder on the first Append; errors name `path`.
  explicit Spill(std::string path);
  ~Spill();
  Spill(const Spill&) = delete;
  Spill& operator=(const Spill&) = delete;

  /// Appends the rows of `table` (its schema must be the first table's).
  Status Append(const arrow::Table& table);
  /// Every row appended, in order (null when none was); no Append after this.
  Result<std::shared_ptr<arrow::Table>> ReadAll();
  int64_t num_rows() const { return rows_; }

 private:
  struct Writer;
  std::string path_;
  std::unique_ptr<Writer> writer_;
  int64_t rows_ = 0;
};

}  // namespace anatomy::pipeline
