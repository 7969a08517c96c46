#pragma once

#include <arrow/table.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/serde/arrow_codec.h"
#include "anatomy/serde/struct.h"

namespace anatomy::artifacts {

/// \brief Appends artifact rows to their Delta tables under `OUT/artifacts/`
/// (`delta_observability/` for the observability tables). Each Append is one Delta commit, so
/// a failed append never loses rows committed before it. Thread-safe: appends to the same table
/// are serialised, appends to different tables run in parallel.
///
/// Inside a batch (ArtifactBatch) appends are held in memory and committed together when the
/// batch ends: one commit per table instead of one per row, for runs that record hundreds of
/// rows. A batch that ends early (an error) still commits what it holds.
class ArtifactStore {
 public:
  /// `artifacts_root` is OUT/artifacts.
  explicit ArtifactStore(std::string artifacts_root) : root_(std::move(artifacts_root)) {}

  template <serde::SerdeStruct T>
  Status Append(const std::vector<T>& rows) {
    if (rows.empty()) return Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto batch, serde::ToRecordBatch(rows));
    ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches({batch}));
    return AppendTable(std::string(serde::kStructInfo<T>.name), table);
  }
  template <serde::SerdeStruct T>
  Status Append(const T& row) {
    return Append(std::vector<T>{row});
  }

  /// Holds appends until Flush (see ArtifactBatch).
  void BeginBatch();
  /// Commits the held appends (one commit per table) and ends the batch.
  Status Flush();

  /// The folder of an artifact table.
  std::string TablePath(const std::string& table_name) const;
  const std::string& root() const { return root_; }

 private:
  Status AppendTable(const std::string& table_name, const std::shared_ptr<arrow::Table>& table);
  std::mutex& TableMutex(const std::string& table_name);

  Status Commit(const std::string& table_name, const std::shared_ptr<arrow::Table>& table);

  std::string root_;
  std::mutex mutexes_mu_;
  std::map<std::string, std::unique_ptr<std::mutex>> mutexes_;
  std::mutex pending_mu_;
  bool batching_ = false;
  std::map<std::string, std::vector<std::shared_ptr<arrow::Table>>> pending_;
};

/// \brief A batch of appends for its lifetime: Flush to see the commit's status; the
/// destructor commits whatever is still held (errors then go unreported).
class ArtifactBatch {
 public:
  explicit ArtifactBatch(ArtifactStore* store) : store_(store) { store_->BeginBatch(); }
  ~ArtifactBatch() {
    if (store_) (void)store_->Flush();
  }
  ArtifactBatch(const ArtifactBatch&) = delete;
  ArtifactBatch& operator=(const ArtifactBatch&) = delete;
  Status Flush() {
    auto* store = store_;
    store_ = nullptr;
    return store ? store->Flush() : Status::OK();
  }

 private:
  ArtifactStore* store_;
};

/// \brief The rows of an artifact table, read back through the delta layer.
template <serde::SerdeStruct T>
Result<std::vector<T>> ReadArtifacts(const std::string& table_path);

/// Reads a whole Delta table (latest version) as one Arrow table.
Result<std::shared_ptr<arrow::Table>> ReadArtifactTable(const std::string& table_path);

template <serde::SerdeStruct T>
Result<std::vector<T>> ReadArtifacts(const std::string& table_path) {
  ARROW_ASSIGN_OR_RAISE(auto table, ReadArtifactTable(table_path));
  ARROW_ASSIGN_OR_RAISE(auto combined, table->CombineChunksToBatch());
  return serde::FromRecordBatch<T>(*combined);
}

}  // namespace anatomy::artifacts
