#pragma once

#include <arrow/type.h>

#include "anatomy/artifacts/engine_payloads.h"

namespace anatomy::engine {

/// \brief The stable description of an Arrow schema (fields in order, Arrow type strings,
/// metadata sorted); schema_fingerprint is the fingerprint of this payload.
artifacts::SchemaAbiPayload SchemaAbiOf(const arrow::Schema& schema);

}  // namespace anatomy::engine
