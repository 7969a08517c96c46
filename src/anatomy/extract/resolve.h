#pragma once
// Cross-file resolution after every file is analyzed: imports to REPO modules, and calls
// to definitions (call_resolutions). Internal.

#include <set>
#include <string>
#include <vector>

#include "anatomy/extract/rows.h"

namespace anatomy::extract {

/// \brief Fills ImportRow::resolved_* and FileOutput::call_resolutions (calls on `jobs`
/// threads; with `resolve_calls`, only the imported symbols and calls of the files it marks).
/// Deterministic. Returns the REPO modules resolution looked into whose files are not analyzed (no
/// scopes: the stubs of an extraction of some files only). Once they are analyzed too, a new pass
/// can go further; when none is left, the result is that of a pass over every file.
std::set<std::string> ResolveAcrossFiles(std::vector<FileOutput>& files, int jobs,
                                         const std::vector<bool>* resolve_calls = nullptr);

}  // namespace anatomy::extract
