#pragma once

// CHECK constraints (`delta.constraints.<name>` table properties) and column invariants
// (`delta.invariants` field metadata), PROTOCOL.md "CHECK Constraints" and "Column Invariants":
// every row a write adds must make each expression true (false or null aborts the write).
// Expressions are evaluated when our predicate grammar (predicate.h ParseFilter: a conjunction
// of column-op-literal terms on top-level columns) expresses them exactly; a table with any
// other expression is refused for writing, naming the constraint.

#include <arrow/type_fwd.h>

#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/predicate.h"
#include "anatomy/delta/schema.h"

namespace anatomy::delta {

/// One constraint a write must satisfy.
struct Constraint {
  std::string name;        ///< e.g. "CHECK constraint delta.constraints.positive"
  std::string expression;  ///< the SQL text as stored in the table
  std::vector<Predicate> filters;
};

/// The table's CHECK constraints and column invariants, parsed. NotImplemented naming the
/// constraint when one is outside our grammar (OR, functions, column-to-column comparisons,
/// nested columns, unknown columns).
Result<std::vector<Constraint>> TableConstraints(const Metadata& metadata, const DeltaType& schema);

/// Checks every row of `data` (logical columns) against every constraint; Invalid naming the
/// constraint, its expression and how many rows violate it.
Status EnforceConstraints(const std::vector<Constraint>& constraints, const arrow::Table& data);

}  // namespace anatomy::delta
