#include "anatomy/engine/ingest.h"

namespace anatomy::engine {

namespace {

// Appends `batch` to `out`, cut into zero-copy slices of at most `batch_size` rows.
void AppendSliced(const std::shared_ptr<arrow::RecordBatch>& batch, int64_t batch_size,
                  std::vector<std::shared_ptr<arrow::RecordBatch>>* out) {
  if (batch->num_rows() == 0) return;
  if (batch_size <= 0 || batch->num_rows() <= batch_size) {
    out->push_back(batch);
    return;
  }
  for (int64_t offset = 0; offset < batch->num_rows(); offset += batch_size) {
    out->push_back(batch->Slice(offset, batch_size));
  }
}

Status Drain(arrow::RecordBatchReader* reader, int64_t batch_size,
             std::vector<std::shared_ptr<arrow::RecordBatch>>* out) {
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
    if (!batch) return Status::OK();
    AppendSliced(batch, batch_size, out);
  }
}

}  // namespace

Result<IngestedBatches> PartitionSource(const std::string& name, const IngestSource& source,
                                        const IngestOptions& options) {
  if (name.empty()) return Status::Invalid("ingest: the table name is empty");
  const int64_t batch_size = options.batch_size.value_or(0);
  if (batch_size < 0) {
    return Status::Invalid("ingest '", name, "': batch_size must be >= 0, got ", batch_size);
  }
  IngestedBatches result;
  result.event.name = name;
  result.event.batch_size = batch_size;
  result.event.partitioning = batch_size > 0 ? "batch_size" : "source_batches";
  if (const auto* table = std::get_if<std::shared_ptr<arrow::Table>>(&source)) {
    if (!*table) return Status::Invalid("ingest '", name, "': null table");
    result.event.method = "arrow_table";
    result.schema = (*table)->schema();
    // TableBatchReader walks the chunks without copying; it cuts at chunk boundaries of
    // every column and at chunksize.
    arrow::TableBatchReader reader(**table);
    if (batch_size > 0) reader.set_chunksize(batch_size);
    ARROW_RETURN_NOT_OK(Drain(&reader, batch_size, &result.batches));
  } else {
    const auto& reader = std::get<std::shared_ptr<arrow::RecordBatchReader>>(source);
    if (!reader) return Status::Invalid("ingest '", name, "': null record batch reader");
    result.event.method = "record_batch_reader";
    result.schema = reader->schema();
    ARROW_RETURN_NOT_OK(Drain(reader.get(), batch_size, &result.batches));
  }
  result.event.batch_count = static_cast<int64_t>(result.batches.size());
  for (const auto& b : result.batches) result.event.row_count += b->num_rows();
  return result;
}

}  // namespace anatomy::engine
