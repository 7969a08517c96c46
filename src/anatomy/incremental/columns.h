#pragma once

#include <arrow/type_fwd.h>

#include <memory>
#include <string>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::incremental {

// Typed reads of the columns of tables an incremental build reads back from OUT.

/// \brief The non-null values of a string column.
Result<std::vector<std::string>> Strings(const arrow::Table& table, const std::string& column);

/// \brief Column `name` of `batch` as `ArrayT` (arrow::StringArray, Int64Array or
/// BooleanArray); an error naming `table` and the column when it is missing or of another type
/// (a table written outside anatomy may hold anything).
template <typename ArrayT>
Result<std::shared_ptr<ArrayT>> ColumnAs(const arrow::RecordBatch& batch, const std::string& name,
                                         const std::string& table);

}  // namespace anatomy::incremental
