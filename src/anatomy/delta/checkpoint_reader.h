#pragma once

// Reading actions from Parquet checkpoint files and v2 sidecars (PROTOCOL.md "Checkpoint Schema").

#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

/// Appends the actions of one Parquet checkpoint/sidecar file; errors name the file and row.
Status ReadParquetActions(Storage& storage, const std::string& path, std::vector<Action>* out);

}  // namespace anatomy::delta
