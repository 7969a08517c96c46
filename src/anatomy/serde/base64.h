#pragma once

#include <string>
#include <string_view>

#include "anatomy/core/status.h"

namespace anatomy::serde {

/// \brief Append standard base64 (RFC 4648, with padding) of `bytes` to `out`.
void Base64Encode(std::string_view bytes, std::string* out);
std::string Base64Encode(std::string_view bytes);

/// \brief Decode standard padded base64; an error names the offending offset.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace anatomy::serde
