#pragma once
// Per-file analysis: one iterative walk over the tree-sitter tree that records scopes,
// symbols (CPython symtable semantics), definitions, parameters, calls, imports,
// references, type parameters, annotations and syntax diagnostics. Internal.

#include <tree_sitter/api.h>

#include <string_view>

#include "anatomy/extract/rows.h"
#include "anatomy/extract/source_repairs.h"

namespace anatomy::extract {

/// \brief Fills every per-file table of `out` except `out.file` (read for path, file_id
/// and module_name) and `out.errors`. Never recurses on the tree: safe on any depth.
/// Thread-compatible: one call per file, any number of calls in parallel. `out.diagnostics`
/// gets a TS_ERROR / TS_MISSING row for every error node of the tree, except those read as
/// PEP 696 type parameter defaults (which tree-sitter-python does not parse). `lines`, when
/// given, places nodes in `source` instead of tree-sitter's points: the tree was parsed from
/// `source` repaired (source_repairs.h).
void AnalyzeFile(TSNode root, std::string_view source, const LineIndex* lines, FileOutput& out);

}  // namespace anatomy::extract
