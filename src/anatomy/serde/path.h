#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "anatomy/core/status.h"

namespace anatomy::serde {

/// \brief A position inside a decoded value, kept as a stack-allocated chain so that decoding
/// builds no strings unless it fails. Rendered as `$.scan_units[3].delta_version`.
struct Path {
  enum class Kind : uint8_t { kRoot, kField, kIndex, kKey };
  const Path* parent = nullptr;
  Kind kind = Kind::kRoot;
  std::string_view name;  // field name or map key
  uint64_t index = 0;     // array index

  Path Field(std::string_view field) const { return Path{this, Kind::kField, field, 0}; }
  Path Index(uint64_t i) const { return Path{this, Kind::kIndex, {}, i}; }
  Path Key(std::string_view key) const { return Path{this, Kind::kKey, key, 0}; }
};

/// \brief `$`, `$.a.b[3]`, `$.settings["key"]`.
std::string RenderPath(const Path& path);

/// \brief Status::Invalid("<path>: <problem>").
[[gnu::cold]] Status PathError(const Path& path, std::string_view problem);

/// \brief `<path>: invalid enum literal "x", expected one of "a", "b"`.
[[gnu::cold]] Status EnumError(const Path& path, std::string_view got,
                               std::span<const std::string_view> allowed);

}  // namespace anatomy::serde
