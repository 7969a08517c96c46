#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/engine/plan.h"

namespace anatomy::engine {
class Session;
}

namespace anatomy::cpg {

/// Name of the session table holding extraction dataset `dataset` (e.g. "extract_scopes").
std::string ExtractTableName(const std::string& dataset);

/// \brief A CPG output and the plan that computes it.
struct CpgView {
  std::string name;  // cpg_nodes, cpg_edges, ...
  engine::LogicalPlan plan;
  std::vector<std::string> partition_by;
  /// Within a partition, rows are written ordered by these columns (the file a row belongs
  /// to), so that the rows of one file sit in few data files and an incremental build
  /// rewrites only those (file pruning on the column's statistics).
  std::vector<std::string> cluster_by;
  /// Plans whose output order matters downstream run on one thread.
  bool needs_ordered_execution = false;
  /// Set for the nested views: after the plan (sorted by the keys), group runs of equal keys
  /// into one row with a list of structs of the value columns (see NestSortedRuns).
  struct Nest {
    std::vector<std::string> keys;
    std::vector<std::string> values;
    std::string list_name;
    /// Set to the key column naming the file a row belongs to when the rows of no file are
    /// clustered by the file of their elements (see ClusterUnownedLists), which
    /// `source_column` then names.
    std::optional<std::string> cluster_unowned_by;
    std::string source_column;
  };
  std::optional<Nest> nest;
};

/// The view of the distinct qualified names that definitions, imports, unresolved calls and
/// dotted references point at (column qualified_name, and uses), over the extraction tables.
/// Its result is ingested under this name before the base views are built.
inline constexpr const char* kQualifiedNamesView = "cpg_qualified_names";

/// \brief The extraction datasets the qualified names view reads.
const std::vector<std::string>& QualifiedNameDatasets();

/// \brief The qualified names view over the extraction tables ingested in `session`.
Result<CpgView> BuildQualifiedNamesView(const engine::Session& session);

/// \brief `table` (the result of view `view`) with the columns CONTRACTS.md declares NOT NULL
/// marked non-nullable (Acero's projections make every column nullable). Fails, naming the
/// column, if one of them holds a null. Zero-copy.
Result<std::shared_ptr<arrow::Table>> WithContractNullability(
    const std::string& view, const std::shared_ptr<arrow::Table>& table);

/// \brief The base CPG views (cpg_nodes, cpg_edges, cpg_props) over the extraction tables
/// ingested in `session` (under ExtractTableName) and the qualified names (kQualifiedNamesView).
/// Each view is an Acero plan built with the plan builder, so its lineage is recorded. Output rows
/// are sorted by partition and file, then nodes and edges by span (a file in source order, and
/// row-group statistics on bstart that narrow a lookup by position), ties and props by id, so
/// contents are deterministic.
Result<std::vector<CpgView>> BuildBaseViews(const engine::Session& session);

/// \brief The derived views (cpg_props_map, cpg_edges_by_src, cpg_edges_by_dst) over the base
/// views' results, ingested in `session` under their own names (cpg_props, cpg_edges), so that
/// the base plans run once.
Result<std::vector<CpgView>> BuildDerivedViews(const engine::Session& session);

/// \brief One of the derived views, over only the table it reads (cpg_props for
/// cpg_props_map, cpg_edges for the adjacency lists).
Result<CpgView> BuildDerivedView(const engine::Session& session, const std::string& name);

}  // namespace anatomy::cpg
