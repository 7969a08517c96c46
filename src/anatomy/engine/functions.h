#pragma once

#include "anatomy/core/status.h"

namespace anatomy::engine {

/// \brief Register anatomy's compute functions in Arrow's default function registry, once
/// (idempotent, thread-safe). Plans may then call them like built-ins, and lineage records them.
///
/// - `stable_id(prefix, part, ...)`: utf8 → utf8, the stable id of core::StableId for each row
///   (a null part is written `__NULL__`; a null prefix gives null).
Status RegisterAnatomyFunctions();

}  // namespace anatomy::engine
