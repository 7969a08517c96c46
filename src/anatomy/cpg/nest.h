#pragma once

#include <arrow/table.h>

#include <memory>
#include <string>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::cpg {

/// \brief Groups a table sorted by `keys` into one row per key: the key columns, and a list
/// column `list_name` of structs holding `value_columns` in input order. The list points into
/// the input's buffers (offsets only), so nesting costs one pass over the keys. Acero's
/// hash_list has no kernel for struct values, hence this step after the plan's sort.
Result<std::shared_ptr<arrow::Table>> NestSortedRuns(const arrow::Table& sorted,
                                                     const std::vector<std::string>& keys,
                                                     const std::vector<std::string>& value_columns,
                                                     const std::string& list_name);

/// \brief The inverse of NestSortedRuns: one row per element of the list column `list_name`,
/// with the key columns (every other top-level column) repeated and the struct's fields as
/// columns. Used to patch nested rows without recomputing them from scratch.
Result<std::shared_ptr<arrow::Table>> UnnestRuns(const arrow::Table& nested,
                                                 const std::string& list_name);

}  // namespace anatomy::cpg
