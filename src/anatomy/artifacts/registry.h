#pragma once

#include "anatomy/serde/registry.h"

namespace anatomy::artifacts {

/// \brief Every contract type of CONTRACTS.md, registered with its domain ("delta", "engine",
/// "run", "extract", "artifacts"). Built on first use; immutable and thread-safe afterwards.
const serde::SchemaRegistry& ArtifactRegistry();

/// \brief schema_contract_hash: sha256 of the msgpack of the registry export.
const std::string& SchemaContractHash();

}  // namespace anatomy::artifacts
