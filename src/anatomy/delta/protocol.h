#pragma once

// The protocol gate: exactly which reader/writer versions and table features this layer
// implements (PROTOCOL.md "Table Features", "Reader/Writer Version Requirements").

#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"

namespace anatomy::delta {

inline constexpr int32_t kMaxReaderVersion = 3;
inline constexpr int32_t kMaxWriterVersion = 7;

/// Reader features a snapshot read honours.
const std::vector<std::string>& SupportedReaderFeatures();
/// Writer features our writers honour.
const std::vector<std::string>& SupportedWriterFeatures();

/// OK when we can read a table with this protocol; otherwise NotImplemented naming the
/// missing feature or version.
Status CheckReadSupported(const Protocol& protocol);
/// OK when we can write to a table with this protocol and metadata; otherwise NotImplemented
/// naming the feature (or the property that needs an unsupported writer behaviour).
Status CheckWriteSupported(const Protocol& protocol, const Metadata& metadata);

/// True when the protocol has the given reader (or, for writer_feature, writer) feature
/// enabled, including legacy versions that imply it.
bool HasReaderFeature(const Protocol& p, const std::string& feature);
bool HasWriterFeature(const Protocol& p, const std::string& feature);

/// `p` with `features` added (features a table can gain without rewriting data, such as
/// deletionVectors): reader 3 / writer 7, with the features its legacy versions implied listed
/// explicitly (PROTOCOL.md "Table Features"). Unchanged when it has them all.
Protocol WithFeatures(const Protocol& p, const std::vector<std::string>& features);

}  // namespace anatomy::delta
