#pragma once
// Applying a recomputation of some files to rows that all files share: the qualified-name
// nodes and the edge lists of cpg_edges_by_dst.

#include <arrow/type_fwd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/predicate.h"

namespace anatomy::incremental {

/// \brief The qualified-name nodes of `nodes` (a cpg_nodes result) not in `old_ids`, and those
/// of `old_ids` no longer in `nodes`: (added, removed), sorted.
Result<std::pair<std::vector<std::string>, std::vector<std::string>>> QualifiedNameChanges(
    const arrow::Table& nodes, const std::vector<std::string>& old_ids);

/// \brief The rows of an output that belong to a file (file_id set), or to a qualified name of
/// `added` (in column `id_column`): the qualified names already written stay as they are.
Result<std::shared_ptr<arrow::Table>> WithoutOldQualifiedNames(
    const std::shared_ptr<arrow::Table>& table, const std::string& id_column,
    const std::vector<std::string>& added);

/// \brief The edges into some destinations, as cpg_edges rows of `new_edges`' schema: their
/// previous lists (`old_lists`, cpg_edges_by_dst rows), unnested, without the edges of
/// `rebuilt_files`, then `new_edges`.
Result<std::shared_ptr<arrow::Table>> EdgesInto(const arrow::Table& old_lists,
                                                const std::vector<std::string>& rebuilt_files,
                                                const arrow::Table& new_edges);

}  // namespace anatomy::incremental
