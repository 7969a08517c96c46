#pragma once
// Cross-file resolution after every file is analyzed: imports to REPO modules, and calls
// to definitions (call_resolutions). Internal.

#include <vector>

#include "anatomy/extract/rows.h"

namespace anatomy::extract {

/// \brief Fills ImportRow::resolved_* and FileOutput::call_resolutions (calls on `jobs`
/// threads). Deterministic.
void ResolveAcrossFiles(std::vector<FileOutput>& files, int jobs);

}  // namespace anatomy::extract
