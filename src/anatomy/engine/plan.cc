#include "anatomy/engine/plan.h"

#include <sstream>

namespace anatomy::engine {

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

void Render(const std::vector<PlanTreeNode>& nodes, int32_t index, int depth,
            std::ostringstream* out) {
  const PlanTreeNode& n = nodes[index];
  *out << std::string(2 * depth, ' ') << n.kind;
  if (!n.dataset.empty()) *out << " " << n.dataset;
  if (!n.columns.empty()) *out << " columns=[" << Join(n.columns) << "]";
  if (!n.exprs.empty()) *out << " exprs=[" << Join(n.exprs) << "]";
  if (!n.join_type.empty()) {
    *out << " type=" << n.join_type << " on=[" << Join(n.left_keys) << "]=[" << Join(n.right_keys)
         << "]";
  }
  if (!n.group_keys.empty()) *out << " keys=[" << Join(n.group_keys) << "]";
  if (!n.aggregates.empty()) *out << " aggregates=[" << Join(n.aggregates) << "]";
  if (!n.sort_keys.empty()) *out << " order=[" << Join(n.sort_keys) << "]";
  if (n.limit >= 0) *out << " limit=" << n.limit << " offset=" << n.offset;
  *out << "\n";
  for (int32_t input : n.inputs) Render(nodes, input, depth + 1, out);
}

}  // namespace

std::string LogicalPlan::LogicalText() const {
  if (nodes.empty()) return "";
  std::ostringstream out;
  Render(nodes, static_cast<int32_t>(nodes.size()) - 1, 0, &out);
  return out.str();
}

arrow::Result<std::string> LogicalPlan::PhysicalText() const {
  return arrow::acero::DeclarationToString(declaration);
}

}  // namespace anatomy::engine
