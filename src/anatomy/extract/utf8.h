#pragma once

#include <cstdint>
#include <string_view>

namespace anatomy::extract {

/// \brief Byte offset of the first byte that is not part of a well-formed UTF-8 sequence
/// (overlongs, surrogates and values above U+10FFFF are ill-formed), or -1.
int64_t FirstInvalidUtf8(std::string_view s);

}  // namespace anatomy::extract
