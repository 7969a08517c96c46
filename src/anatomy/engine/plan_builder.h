#pragma once

#include <arrow/compute/expression.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/predicate.h"
#include "anatomy/engine/plan.h"

namespace anatomy::engine {

class Session;

enum class JoinKind { kInner, kLeftOuter, kRightOuter, kFullOuter, kLeftSemi, kLeftAnti };

struct NamedExpr {
  arrow::compute::Expression expr;
  std::string name;
};

struct AggregateSpec {
  std::string function;  // sum, count, min, max, mean, count_distinct, ...
  std::string target;    // input column
  std::string name;      // output column
};

struct SortSpec {
  std::string column;
  bool descending = false;
};

/// \brief Builds a plan over the session's tables on Arrow Acero, recording the canonical
/// plan tree and lineage (scans, joins, expressions, referenced columns and functions) as each
/// operator is added. Errors (unknown table or column, type errors) are kept and returned by
/// Build(), so calls can be chained. A builder is a value: copy it to branch.
class PlanBuilder {
 public:
  /// Scan a table of the session, keeping `columns` (all when empty) and applying `filter`.
  static PlanBuilder Scan(const Session& session, const std::string& table,
                          std::vector<std::string> columns = {},
                          std::optional<arrow::compute::Expression> filter = std::nullopt);

  /// Scan a Delta source of the session. `filters` prune files (partition values and stats)
  /// and then filter rows; the scan records its pinned input and scan unit. A table whose
  /// protocol we cannot read fails with the compatibility report.
  static PlanBuilder ScanDelta(const Session& session, const std::string& name,
                               std::vector<std::string> columns = {},
                               std::vector<delta::Predicate> filters = {});

  PlanBuilder& Filter(arrow::compute::Expression predicate);
  PlanBuilder& Project(std::vector<NamedExpr> exprs);
  /// Project onto existing columns by name.
  PlanBuilder& Select(const std::vector<std::string>& columns);
  PlanBuilder& Join(const PlanBuilder& right, JoinKind kind, std::vector<std::string> left_keys,
                    std::vector<std::string> right_keys);
  PlanBuilder& Aggregate(std::vector<AggregateSpec> aggregates, std::vector<std::string> keys);
  PlanBuilder& OrderBy(std::vector<SortSpec> keys);
  PlanBuilder& Union(const PlanBuilder& other);
  PlanBuilder& Limit(int64_t count, int64_t offset = 0);

  /// The plan, or the first error met while building.
  Result<LogicalPlan> Build() const;

 private:
  PlanBuilder() = default;

  // Appends a node whose inputs are the current root (and `extra_inputs`), and makes it root.
  void AddNode(PlanTreeNode node, arrow::acero::Declaration decl);
  // Records an expression: referenced columns (mapped to source tables) and functions.
  void RecordExpr(const std::string& kind, const arrow::compute::Expression& expr);
  // Recomputes the output schema from the root declaration and remaps column origins by name.
  // With `inputs` (the schemas of the root's inputs), only the root node is bound, over empty
  // sources of those schemas: binding the whole plan again at every node would make building
  // a plan quadratic in its nodes.
  void RefreshSchema(std::vector<std::set<ColumnRef>> origins,
                     const std::vector<std::shared_ptr<arrow::Schema>>& inputs = {});
  // The root declaration's output schema (bound alone over `inputs` when given).
  Result<std::shared_ptr<arrow::Schema>> RootSchema(
      const std::vector<std::shared_ptr<arrow::Schema>>& inputs) const;
  std::set<ColumnRef> OriginsOf(const std::string& column);
  void Fail(Status status);
  void Merge(const PlanBuilder& other);

  Status status_;
  LogicalPlan plan_;
  std::set<std::string> functions_;
  // Per output field: the (table, column) pairs it derives from.
  std::vector<std::set<ColumnRef>> origins_;
};

}  // namespace anatomy::engine
