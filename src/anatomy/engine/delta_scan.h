#pragma once

#include "anatomy/artifacts/delta_payloads.h"
#include "anatomy/delta/actions.h"

namespace anatomy::engine {

/// \brief Whether the delta layer can read a table with this protocol, and if not, what is
/// missing (CONTRACTS.md DeltaProtocolCompatibility).
artifacts::DeltaProtocolCompatibility ReadCompatibility(const delta::Protocol& protocol);

/// \brief A table's protocol as a payload.
artifacts::DeltaProtocolSnapshot ProtocolSnapshot(const delta::Protocol& protocol);

}  // namespace anatomy::engine
