#pragma once

#include <arrow/acero/exec_plan.h>

#include <memory>
#include <string>
#include <vector>

#include "anatomy/artifacts/engine_payloads.h"

namespace anatomy::engine {

using artifacts::ColumnRef;
using artifacts::LineagePayload;
using artifacts::PlanTreeNode;

/// \brief One Delta scan of a plan: its pinned input, scan unit and table as planned.
struct DeltaScanRecord {
  std::string table_uri;
  artifacts::DeltaInputPin pin;
  artifacts::ScanUnitPayload unit;
  artifacts::InformationSchemaTable table;
};

/// \brief A built plan: the canonical tree, its lineage and the Acero declaration that runs it.
struct LogicalPlan {
  /// The canonical tree, flattened: inputs index earlier nodes, the root is last.
  std::vector<PlanTreeNode> nodes;
  LineagePayload lineage;
  /// Compute functions the plan calls, sorted and unique.
  std::vector<std::string> required_functions;
  std::shared_ptr<arrow::Schema> output_schema;
  /// Per output column: the (table, column) pairs it derives from, sorted.
  std::vector<std::vector<ColumnRef>> output_origins;
  arrow::acero::Declaration declaration;
  /// The Delta scans, in build order.
  std::vector<DeltaScanRecord> delta_scans;

  /// Indented text of the canonical tree, root first.
  std::string LogicalText() const;
  /// Acero's rendering of the declaration.
  arrow::Result<std::string> PhysicalText() const;
};

}  // namespace anatomy::engine
