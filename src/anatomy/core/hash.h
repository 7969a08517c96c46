#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace anatomy::core {

/// \brief Lowercase hex sha256 of the bytes.
std::string Sha256Hex(std::string_view bytes);

/// \brief Unkeyed BLAKE2b with a digest of `digest_bytes` (1..64) as lowercase hex.
std::string Blake2bHex(std::string_view bytes, size_t digest_bytes);

/// \brief BLAKE2b with a 128-bit output, as used by stable ids.
inline std::string Blake2b128Hex(std::string_view bytes) { return Blake2bHex(bytes, 16); }

/// \brief A part of a stable id; std::nullopt is written as `__NULL__`.
using IdPart = std::optional<std::string_view>;

/// \brief `prefix + ":" + hex(blake2b-128(parts joined by 0x1F))`; the prefix is not hashed.
std::string StableId(std::string_view prefix, std::span<const IdPart> parts);
std::string StableId(std::string_view prefix, std::initializer_list<IdPart> parts);

/// \brief StableId(prefix, parts) written into `out` (its contents replaced), with `joined`
/// as scratch. Both keep their capacity from call to call: a loop over rows allocates nothing.
void StableIdInto(std::string_view prefix, std::span<const IdPart> parts, std::string& joined,
                  std::string& out);

/// \brief Lowercase hex of bytes.
std::string HexEncode(std::string_view bytes);

}  // namespace anatomy::core
