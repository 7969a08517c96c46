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

/// \brief What an incremental build changes in the qualified names: the names the rebuilt
/// files' old or new rows use (`changed`, sorted), and their uses after the old uses are taken
/// away and the new ones added (`uses`: rows of the cpg_qualified_names view, sorted by name,
/// of the changed names some file still uses); the names no file used before (`added`, with
/// their uses) and those no file uses any more (`removed`, sorted).
struct NameUseChanges {
  std::shared_ptr<arrow::Table> uses, added;
  std::vector<std::string> changed, removed;
};

/// \brief The names `old_uses` and `new_uses` (rows of the view's schema) name, sorted: the
/// rows of state/qualified_names an incremental build reads and replaces.
Result<std::vector<std::string>> NamesUsed(const arrow::Table& old_uses,
                                           const arrow::Table& new_uses);

/// \brief `before` (the rows of state/qualified_names for at least the names of NamesUsed) less
/// `old_uses` plus `new_uses`, all three of the view's schema. A count that goes below zero
/// means the state does not match: an error.
Result<NameUseChanges> UpdateNameUses(const arrow::Table& before, const arrow::Table& old_uses,
                                      const arrow::Table& new_uses);

/// \brief The edges into some destinations, as cpg_edges rows of `new_edges`' schema: their
/// previous lists (`old_lists`, cpg_edges_by_dst rows), unnested, without the edges of
/// `rebuilt_files`, then `new_edges`.
Result<std::shared_ptr<arrow::Table>> EdgesInto(const arrow::Table& old_lists,
                                                const std::vector<std::string>& rebuilt_files,
                                                const arrow::Table& new_edges);

}  // namespace anatomy::incremental
