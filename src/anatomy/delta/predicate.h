#pragma once

// Simple filters: a conjunction of (column op literal) terms, used for file pruning and for
// filtering rows of a scan.

#include <arrow/compute/expression.h>

#include <string>
#include <string_view>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::delta {

enum class PredicateOp { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kIsNull, kIsNotNull };

/// One term. Literals are text, typed by the column when bound (so "3" works for a long column
/// and "2024-01-31" for a date column).
struct Predicate {
  std::string column;  ///< logical top-level column name
  PredicateOp op = PredicateOp::kEq;
  std::vector<std::string> values;  ///< one for comparisons, several for IN, none for IS [NOT] NULL
  std::string ToString() const;
};

/// Parses e.g. `letter = 'a' AND number > 3 AND x IN (1, 2) AND y IS NOT NULL`.
/// Identifiers may be "double-quoted" or `backquoted`; strings are 'single-quoted' ('' escapes).
Result<std::vector<Predicate>> ParseFilter(std::string_view text);

/// The conjunction as an Arrow compute expression over logical columns of `schema`.
Result<arrow::compute::Expression> ToExpression(const std::vector<Predicate>& filters,
                                                const arrow::Schema& schema);

/// A literal of the predicate as a scalar of `type`.
Result<std::shared_ptr<arrow::Scalar>> BindLiteral(const std::string& text,
                                                   const std::shared_ptr<arrow::DataType>& type);

}  // namespace anatomy::delta
