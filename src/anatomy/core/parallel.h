#pragma once

#include <cstddef>
#include <functional>

#include "anatomy/core/status.h"

namespace anatomy::core {

/// \brief Runs `task(i)` for every i in [0, n) on up to `threads` threads, the caller's among
/// them (no pool: tasks may themselves wait on Arrow's thread pools). Indexes are handed out
/// in order; after a failure no new index starts, and the error of the lowest failing index
/// is returned.
Status ParallelFor(size_t n, int threads, const std::function<Status(size_t)>& task);

}  // namespace anatomy::core
