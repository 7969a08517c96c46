#pragma once

#include <arrow/acero/exec_plan.h>
#include <arrow/compute/expression.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace anatomy::engine {

/// \brief A (table, column) pair as lineage records it.
struct ColumnRef {
  std::string table;
  std::string column;
  auto operator<=>(const ColumnRef&) const = default;
};

/// \brief One node of the canonical plan tree. The tree is stored flattened in build order:
/// `inputs` index earlier nodes, the root is the last node. Fields not used by a kind stay empty.
struct PlanNode {
  std::string kind;  // scan, filter, project, join, aggregate, order_by, union, limit
  std::string dataset;
  std::vector<std::string> columns;  // scan: projected; project: output names
  std::vector<std::string> exprs;    // filter: predicate; project: expressions; scan: pushed filters
  std::string join_type;
  std::vector<std::string> left_keys;
  std::vector<std::string> right_keys;
  std::vector<std::string> group_keys;
  std::vector<std::string> aggregates;  // "sum(x) AS total"
  std::vector<std::string> sort_keys;   // "x ASC"
  int64_t limit = -1;
  int64_t offset = 0;
  std::vector<int32_t> inputs;
};

struct ScanLineage {
  std::string dataset_name;
  std::vector<std::string> projected_columns;
  std::vector<std::string> pushed_filters;
};

struct JoinLineage {
  std::string join_type;
  std::vector<std::string> left_keys;
  std::vector<std::string> right_keys;
};

struct ExprLineage {
  std::string kind;  // the plan node kind the expression belongs to
  std::vector<ColumnRef> referenced_columns;
  std::vector<std::string> referenced_functions;
  std::string text;
};

/// \brief What a plan reads and computes, recorded by the builder as it builds.
struct Lineage {
  std::vector<ScanLineage> scans;
  std::vector<JoinLineage> joins;
  std::vector<ExprLineage> exprs;
  std::map<std::string, std::vector<std::string>> required_columns_by_dataset;
  std::vector<std::string> filters;
  std::vector<std::string> aggregations;
  std::vector<std::string> referenced_tables;
  std::vector<ColumnRef> all_required_columns;
};

/// \brief A built plan: the canonical tree, its lineage and the Acero declaration that runs it.
struct LogicalPlan {
  std::vector<PlanNode> nodes;
  Lineage lineage;
  /// Compute functions the plan calls, sorted and unique.
  std::vector<std::string> required_functions;
  std::shared_ptr<arrow::Schema> output_schema;
  arrow::acero::Declaration declaration;

  /// Indented text of the canonical tree, root first.
  std::string LogicalText() const;
  /// Acero's rendering of the declaration.
  arrow::Result<std::string> PhysicalText() const;
};

}  // namespace anatomy::engine
