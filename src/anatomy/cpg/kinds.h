#pragma once

#include <arrow/table.h>

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "anatomy/core/status.h"

namespace anatomy::cpg {

/// \brief The typed value column a property uses in cpg_props.
enum class ValueType { kString, kInt, kFloat, kBool, kStrings };

std::string_view ValueTypeName(ValueType type);

struct PropSpec {
  std::string_view key;
  ValueType type;
};

/// \brief A node kind: its name, the prefix of its stable ids, and the properties every node
/// of the kind carries.
struct NodeKindSpec {
  std::string_view name;
  std::string_view id_prefix;
  std::string_view description;
  std::span<const PropSpec> required_props;
};

/// \brief An edge kind: its endpoints (node kinds, alternatives separated by '|') and the
/// cpg_edges columns that must be set on each edge.
struct EdgeKindSpec {
  std::string_view name;
  std::string_view src_kind;
  std::string_view dst_kind;
  std::string_view description;
  std::span<const std::string_view> required_columns;
};

/// The node kinds of CONTRACTS.md, in a fixed order.
std::span<const NodeKindSpec> NodeKinds();
/// The edge kinds of CONTRACTS.md, in a fixed order.
std::span<const EdgeKindSpec> EdgeKinds();

/// The spec of a kind, or KeyError naming it.
Result<const NodeKindSpec*> FindNodeKind(std::string_view name);
Result<const EdgeKindSpec*> FindEdgeKind(std::string_view name);

/// \brief Rows per value of a string column (null counted as "<null>"), sorted by value.
Result<std::map<std::string, int64_t>> CountByKind(const arrow::Table& table,
                                                   const std::string& column);

/// \brief The build's own check of cpg_edges: every edge_kind is a declared kind and every edge
/// has each column its kind requires. The error names the kind, the column and how many edges
/// lack it.
Status CheckEdges(const arrow::Table& edges);

/// \brief The same for nodes: node_kind declared, and node_id set.
Status CheckNodes(const arrow::Table& nodes);

}  // namespace anatomy::cpg
