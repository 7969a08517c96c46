#pragma once

#include <arrow/record_batch.h>
#include <arrow/table.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::engine {

/// \brief Arrow data offered to Session::Ingest: a whole table or a stream of batches.
using IngestSource =
    std::variant<std::shared_ptr<arrow::Table>, std::shared_ptr<arrow::RecordBatchReader>>;

struct IngestOptions {
  /// > 0: partition into batches of at most this many rows (zero-copy slices);
  /// 0: keep the batches as the source gives them; unset: the session's
  /// `SessionOptions::batch_size`, which the plans' settings record.
  std::optional<int64_t> batch_size = std::nullopt;
  /// Replace an existing table of the same name; without it, a second ingest is an error.
  bool replace = false;
};

/// \brief What one ingest did; the session keeps these as diagnostics.
struct IngestEvent {
  std::string name;
  std::string method;        // "arrow_table" | "record_batch_reader"
  std::string partitioning;  // "batch_size" | "source_batches"
  int64_t batch_size = 0;
  int64_t batch_count = 0;
  int64_t row_count = 0;
};

/// \brief The batches of an ingested table, sliced as the options ask. Slices share the
/// source's buffers: nothing is copied.
struct IngestedBatches {
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  IngestEvent event;
};

/// \brief Drain a source into batches per the options. Used by Session::Ingest only.
Result<IngestedBatches> PartitionSource(const std::string& name, const IngestSource& source,
                                        const IngestOptions& options);

}  // namespace anatomy::engine
