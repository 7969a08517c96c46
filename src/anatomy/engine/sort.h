#pragma once

#include <arrow/compute/ordering.h>
#include <arrow/memory_pool.h>
#include <arrow/table.h>

#include <memory>

#include "anatomy/core/status.h"

namespace anatomy::engine {

/// \brief `table` sorted by `ordering`: the rows and order of Arrow's SortIndices + Take
/// (Acero's order_by), stable, nulls and NaNs placed as Arrow places them, in one chunk
/// (several when a string column holds more than `max_chunk_bytes`).
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
Result<std::shared_ptr<arrow::Table>> SortTable(
    std::shared_ptr<arrow::Table> table, const arrow::compute::Ordering& ordering,
    arrow::MemoryPool* pool = arrow::default_memory_pool(),
    int64_t max_chunk_bytes = int64_t{1} << 30);

}  // namespace anatomy::engine
