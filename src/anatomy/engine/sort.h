#pragma once

#include <arrow/compute/ordering.h>
#include <arrow/memory_pool.h>
#include <arrow/table.h>

#include <memory>

#include "anatomy/core/status.h"

namespace anatomy::engine {

struct SortOptions {
  arrow::MemoryPool* pool = arrow::default_memory_pool();
  /// Output chunks hold at most this many bytes of any string column.
  int64_t max_chunk_bytes = int64_t{1} << 30;
  /// Threads that build the keys, refine the buckets and gather the columns (the caller's
  /// among them); 0: the capacity of Arrow's CPU pool (`--jobs`).
  int threads = 0;
  /// Fewer rows per thread than this and the sort runs on the caller's thread alone.
  int64_t min_rows_per_thread = int64_t{1} << 13;
};

/// \brief `table` sorted by `ordering`: the rows and order of Arrow's SortIndices + Take
/// (Acero's order_by), stable, nulls and NaNs placed as Arrow places them, in one chunk
/// (several when a string column holds more than `options.max_chunk_bytes`).
///
/// Why not Arrow's: its chunked multi-key sort compares rows through a generic per-column
/// comparator with chunk resolution on every comparison, and the CPG views sort millions of
/// rows by several string keys. Here low-cardinality keys (kinds, file ids) become dense
/// ranks packed into one integer, rows are bucketed by it with a counting sort, and within
/// a bucket the remaining keys refine the tied runs one key at a time (each as order-preserving
/// words; strings are read whole only where their words tie).
/// Keys must be top-level columns of boolean, integer, floating, string or binary type;
/// otherwise this falls back to Arrow's sort. Pass the table by move to free each input
/// column as soon as its sorted copy is made.
///
/// The keys, the buckets and the columns are independent of each other, so they are spread
/// over threads: the views' sorts run on the build's main thread, whose work bounds the
/// build from below however many cores there are.
Result<std::shared_ptr<arrow::Table>> SortTable(std::shared_ptr<arrow::Table> table,
                                                const arrow::compute::Ordering& ordering,
                                                const SortOptions& options = {});

}  // namespace anatomy::engine
