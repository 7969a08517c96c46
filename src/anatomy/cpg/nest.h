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

/// \brief Reorders the rows of a nested table whose `file_column` is null (rows that belong to
/// no file, such as the edge lists into qualified names) among the places they hold: first
/// those whose list elements all carry one `file_id`, by that file, then those whose elements
/// come from several files; each group in its previous order. Other rows keep their places.
/// Every row gets `source_column` (after `file_column`): the one `file_id` of its elements,
/// null when they come from several files.
/// An incremental rebuild rewrites the data files that hold the lists its files point into:
/// the lists only one file points into then sit together instead of among all the others, and
/// the statistics of `source_column` find them.
Result<std::shared_ptr<arrow::Table>> ClusterUnownedLists(const arrow::Table& nested,
                                                          const std::string& file_column,
                                                          const std::string& list_name,
                                                          const std::string& source_column);

/// \brief The inverse of NestSortedRuns: one row per element of the list column `list_name`,
/// with the key columns (every other top-level column) repeated and the struct's fields as
/// columns. Used to patch nested rows without recomputing them from scratch.
Result<std::shared_ptr<arrow::Table>> UnnestRuns(const arrow::Table& nested,
                                                 const std::string& list_name);

}  // namespace anatomy::cpg
