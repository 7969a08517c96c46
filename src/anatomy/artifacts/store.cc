#include "anatomy/artifacts/store.h"

#include <arrow/util/key_value_metadata.h>

#include "anatomy/delta/scan.h"
#include "anatomy/delta/write.h"

namespace anatomy::artifacts {

namespace {
bool IsObservability(const std::string& name) { return name.rfind("delta_", 0) == 0; }
}  // namespace

std::string ArtifactStore::TablePath(const std::string& table_name) const {
  return root_ + (IsObservability(table_name) ? "/delta_observability/" : "/") + table_name;
}

std::mutex& ArtifactStore::TableMutex(const std::string& table_name) {
  std::lock_guard<std::mutex> lock(mutexes_mu_);
  auto& slot = mutexes_[table_name];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

void ArtifactStore::BeginBatch() {
  std::lock_guard<std::mutex> lock(pending_mu_);
  batching_ = true;
}

Status ArtifactStore::Flush() {
  std::map<std::string, std::vector<std::shared_ptr<arrow::Table>>> pending;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    batching_ = false;
    pending.swap(pending_);
  }
  Status status;
  for (const auto& [name, tables] : pending) {
    auto combined = arrow::ConcatenateTables(tables);
    Status st = combined.ok() ? Commit(name, *combined) : combined.status();
    if (status.ok() && !st.ok()) status = st;  // the other tables are still committed
  }
  return status;
}

Status ArtifactStore::AppendTable(const std::string& table_name,
                                  const std::shared_ptr<arrow::Table>& table) {
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    if (batching_) {
      pending_[table_name].push_back(table);
      return Status::OK();
    }
  }
  return Commit(table_name, table);
}

Status ArtifactStore::Commit(const std::string& table_name,
                             const std::shared_ptr<arrow::Table>& table) {
  std::lock_guard<std::mutex> lock(TableMutex(table_name));
  delta::WriteOptions options;
  options.mode = delta::WriteMode::kAppend;
  options.name = table_name;
  options.commit_metadata = {{"anatomy.artifact_table", table_name}};
  // A Delta schema has no schema-level metadata: the registry's name and version travel as
  // table properties, set when the table is created.
  if (auto metadata = table->schema()->metadata()) {
    for (const char* key : {"anatomy.schema_name", "anatomy.schema_version"}) {
      auto value = metadata->Get(key);
      if (value.ok()) options.properties[key] = *value;
    }
  }
  auto written = delta::WriteTable(TablePath(table_name), table, options);
  if (!written.ok()) {
    return written.status().WithMessage("appending to artifact table ", table_name, ": ",
                                        written.status().message());
  }
  return Status::OK();
}

}  // namespace anatomy::artifacts

namespace anatomy::artifacts {

Result<std::shared_ptr<arrow::Table>> ReadArtifactTable(const std::string& table_path) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::LoadSnapshot(table_path));
  return delta::ScanToTable(*snapshot);
}

}  // namespace anatomy::artifacts
