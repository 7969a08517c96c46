#pragma once
// Builds the Arrow tables of the extraction from per-file rows, in file order. Internal.

#include <arrow/type_fwd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/extract/rows.h"

namespace anatomy::extract {

/// \brief One table per dataset name (see schemas.h), rows in the order of `files`, built on
/// `jobs` threads (one record batch per fixed group of files).
/// Consumes the large row vectors of `files` (emptied once their table is built).
/// `file_ids`: the ids of the files resolved together (CallResolutionRow::target_file).
Result<std::map<std::string, std::shared_ptr<arrow::Table>>> BuildTables(
    std::vector<FileOutput>& files, const std::vector<std::string>& file_ids,
    const std::vector<ErrorRow>& scan_errors, int jobs);

/// \brief The binding flags as the CPG's string list (local, global, nonlocal, free, ...).
/// Like symtable.Symbol, a name bound at module level is both `local` and `global`.
std::vector<std::string> BindingFlagNames(uint32_t flag_bits, Resolution res, bool module_scope);

}  // namespace anatomy::extract
