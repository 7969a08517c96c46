#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace anatomy::extract {

/// \brief Byte offset of the first byte that is not part of a well-formed UTF-8 sequence
/// (overlongs, surrogates and values above U+10FFFF are ill-formed), or -1.
int64_t FirstInvalidUtf8(std::string_view s);

/// \brief `s` with every ill-formed byte replaced by U+FFFD (Arrow utf8 columns must hold
/// valid UTF-8; source text of undecodable or non-UTF-8 files goes through here).
std::string SanitizeUtf8(std::string_view s);

/// \brief Converts `in` from `encoding` (a PEP 263 name, e.g. iso-8859-1, cp1252) to UTF-8
/// with iconv. On failure returns false and a message naming the encoding or the byte offset.
/// \brief An identifier as Python reads it: NFKC-normalised (PEP 3131), so `ｘ` and `x` are
/// one name. ASCII comes back as is; ill-formed UTF-8 too.
std::string NormalizeIdentifier(std::string_view name);

bool TranscodeToUtf8(const std::string& encoding, std::string_view in, std::string& out,
                     std::string& error, int64_t& error_offset);

}  // namespace anatomy::extract
