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

  /// The folder of an artifact table.
  std::string TablePath(const std::string& table_name) const;
  const std::string& root() const { return root_; }

 private:
  Status AppendTable(const std::string& table_name, const std::shared_ptr<arrow::Table>& table);
  std::mutex& TableMutex(const std::string& table_name);

  std::string root_;
  std::mutex mutexes_mu_;
  std::map<std::string, std::unique_ptr<std::mutex>> mutexes_;
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
