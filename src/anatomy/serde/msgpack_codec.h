#pragma once

// Deterministic msgpack for registered types. Structs are maps keyed by field name in
// declaration order, with fields equal to their default omitted (required fields always
// written); std::map keys come out sorted; equal values give equal bytes. This matches
// msgspec's `Encoder(order="deterministic")` on Structs declared with `omit_defaults=True`.

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <string_view>

#include "anatomy/core/hash.h"
#include "anatomy/core/status.h"
#include "anatomy/serde/msgpack_reader.h"
#include "anatomy/serde/msgpack_writer.h"
#include "anatomy/serde/path.h"
#include "anatomy/serde/struct.h"

namespace anatomy::serde {
namespace internal {

template <typename T>
inline constexpr bool kAlwaysFalse = false;

/// The index of `key` among a struct's field names; tries `hint` (the field after the previous
/// one) first because encoders write fields in declaration order.
template <SerdeStruct T>
int FindField(std::string_view key, size_t hint) {
  static constexpr auto kNames = [] {
    std::array<std::string_view, std::decay_t<decltype(kStructInfo<T>)>::kSize> names{};
    ForEachField<T>([&](const auto& f, auto i) { names[i] = f.name; });
    return names;
  }();
  if (hint < kNames.size() && kNames[hint] == key) return static_cast<int>(hint);
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == key) return static_cast<int>(i);
  }
  return -1;
}

/// Whether field `f` of `v` is written: required, or different from the type's default.
template <typename T, typename F>
bool FieldPresent(const T& v, const F& f) {
  return f.required || !(v.*f.member == DefaultValue<T>().*f.member);
}

template <typename T>
void WriteMsgpack(MsgpackWriter& w, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    w.Bool(v);
  } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
    w.Int(v);
  } else if constexpr (std::is_same_v<T, double>) {
    w.Double(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    w.Str(v);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    w.Bin(v.data);
  } else if constexpr (SerdeEnum<T>) {
    w.Str(EnumLiteral(v));
  } else if constexpr (IsOptional<T>::value) {
    if (v) {
      WriteMsgpack(w, *v);
    } else {
      w.Nil();
    }
  } else if constexpr (IsVector<T>::value) {
    w.ArrayHeader(v.size());
    for (const auto& e : v) WriteMsgpack(w, e);
  } else if constexpr (IsStringMap<T>::value) {
    w.MapHeader(v.size());
    for (const auto& [k, e] : v) {
      w.Str(k);
      WriteMsgpack(w, e);
    }
  } else if constexpr (IsPair<T>::value) {
    w.ArrayHeader(2);
    WriteMsgpack(w, v.first);
    WriteMsgpack(w, v.second);
  } else if constexpr (SerdeStruct<T>) {
    size_t count = 0;
    ForEachField<T>([&](const auto& f, auto) { count += FieldPresent(v, f); });
    w.StructHeader(count, std::decay_t<decltype(kStructInfo<T>)>::kSize);
    ForEachField<T>([&](const auto& f, auto) {
      if (FieldPresent(v, f)) {
        w.Key(f.name);
        WriteMsgpack(w, v.*f.member);
      }
    });
  } else {
    static_assert(kAlwaysFalse<T>, "type is not serializable: declare it with ANATOMY_STRUCT");
  }
}

/// Reads return false with the error kept in the reader; `out` is freshly default-constructed
/// (callers guarantee it), so struct reads need not reset it.
template <typename T>
bool ReadMsgpack(MsgpackReader& r, const Path& path, T* out);

template <SerdeStruct T>
bool ReadStructField(size_t index, MsgpackReader& r, const Path& path, T* out) {
  bool ok = true;
  ForEachField<T>([&](const auto& f, auto i) {
    if (i == index) ok = ReadMsgpack(r, path.Field(f.name), &(out->*f.member));
  });
  return ok;
}

template <SerdeStruct T>
bool ReadStruct(MsgpackReader& r, const Path& path, T* out) {
  constexpr auto& info = kStructInfo<T>;
  constexpr size_t kSize = std::decay_t<decltype(info)>::kSize;
  uint32_t n = 0;
  if (!r.ReadMapHeader(path, &n)) return false;
  std::array<bool, kSize> seen{};
  size_t hint = 0;
  for (uint32_t k = 0; k < n; ++k) {
    std::string_view key;
    if (!r.ReadKey(path, &key)) return false;
    int idx = FindField<T>(key, hint);
    if (idx < 0) {
      if (!MsgpackReader::IsValidUtf8(key)) return r.PathFail(path, "invalid UTF-8 in field name");
      if (info.strictness == Strictness::kStrict)
        return r.PathFail(path.Field(key), "unknown field");
      if (!r.Skip(path.Field(key))) return false;
      continue;
    }
    auto i = static_cast<size_t>(idx);
    if (seen[i]) return r.PathFail(path.Field(key), "duplicate field");
    seen[i] = true;
    hint = i + 1;
    if (!ReadStructField(i, r, path, out)) return false;
  }
  bool ok = true;
  ForEachField<T>([&](const auto& f, auto i) {
    if (ok && f.required && !seen[i]) ok = r.PathFail(path.Field(f.name), "missing required field");
  });
  return ok;
}

template <typename T>
bool ReadMsgpack(MsgpackReader& r, const Path& path, T* out) {
  if constexpr (std::is_same_v<T, bool>) {
    return r.ReadBool(path, out);
  } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
    int64_t v = 0;
    if (!r.ReadInt(path, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), &v)) {
      return false;
    }
    *out = static_cast<T>(v);
    return true;
  } else if constexpr (std::is_same_v<T, double>) {
    return r.ReadDouble(path, out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string_view s;
    if (!r.ReadStr(path, &s)) return false;
    *out = std::string(s);  // cheaper than assign() into the fresh, empty string
    return true;
  } else if constexpr (std::is_same_v<T, Bytes>) {
    std::string_view s;
    if (!r.ReadBin(path, &s)) return false;
    out->data.assign(s);
    return true;
  } else if constexpr (SerdeEnum<T>) {
    std::string_view s;
    if (!r.ReadStr(path, &s)) return false;
    auto e = EnumFromLiteral<T>(s);
    if (!e) return r.Fail(EnumError(path, s, kEnumLiterals<T>));
    *out = *e;
    return true;
  } else if constexpr (IsOptional<T>::value) {
    if (r.NextIsNil()) {
      r.SkipNil();
      out->reset();
      return true;
    }
    return ReadMsgpack(r, path, &out->emplace());
  } else if constexpr (IsVector<T>::value) {
    uint32_t n = 0;
    if (!r.ReadArrayHeader(path, &n)) return false;
    out->clear();
    out->reserve(n);  // n <= remaining bytes, checked by the reader
    for (uint32_t i = 0; i < n; ++i) {
      if (!ReadMsgpack(r, path.Index(i), &out->emplace_back())) return false;
    }
    return true;
  } else if constexpr (IsStringMap<T>::value) {
    uint32_t n = 0;
    if (!r.ReadMapHeader(path, &n)) return false;
    out->clear();
    for (uint32_t i = 0; i < n; ++i) {
      std::string_view key;
      if (!r.ReadStr(path, &key)) return false;
      typename T::mapped_type value{};
      if (!ReadMsgpack(r, path.Key(key), &value)) return false;
      out->insert_or_assign(std::string(key), std::move(value));
    }
    return true;
  } else if constexpr (IsPair<T>::value) {
    uint32_t n = 0;
    if (!r.ReadArrayHeader(path, &n)) return false;
    if (n != 2) return r.PathFail(path, "expected array of 2 items, got " + std::to_string(n));
    return ReadMsgpack(r, path.Index(0), &out->first) &&
           ReadMsgpack(r, path.Index(1), &out->second);
  } else if constexpr (SerdeStruct<T>) {
    return ReadStruct(r, path, out);
  } else {
    static_assert(kAlwaysFalse<T>, "type is not serializable: declare it with ANATOMY_STRUCT");
  }
}

}  // namespace internal

/// \brief Append the deterministic msgpack of `value` to `out`.
template <typename T>
void EncodeMsgpack(const T& value, std::string* out) {
  MsgpackWriter w(out);
  internal::WriteMsgpack(w, value);
}

/// \brief The deterministic msgpack of `value`.
template <typename T>
std::string EncodeMsgpack(const T& value) {
  std::string out;
  EncodeMsgpack(value, &out);
  return out;
}

/// \brief Decode exactly one msgpack value of type T from `data` into `out` (reset first).
template <typename T>
Status DecodeMsgpack(std::string_view data, T* out) {
  *out = T{};
  MsgpackReader r(data);
  Path root;
  if (!internal::ReadMsgpack(r, root, out)) return r.error();
  if (!r.AtEnd()) {
    return PathError(root, "trailing bytes after value at byte " + std::to_string(r.offset()));
  }
  return Status::OK();
}

/// \brief Decode exactly one msgpack value of type T; never throws on bad input.
template <typename T>
Result<T> DecodeMsgpack(std::string_view data) {
  Result<T> out{T{}};
  MsgpackReader r(data);
  Path root;
  if (!internal::ReadMsgpack(r, root, &*out)) return r.error();
  if (!r.AtEnd()) {
    return PathError(root, "trailing bytes after value at byte " + std::to_string(r.offset()));
  }
  return out;
}

/// \brief Lowercase sha256 hex of the deterministic msgpack of `value`.
template <typename T>
std::string Fingerprint(const T& value) {
  return core::Sha256Hex(EncodeMsgpack(value));
}

}  // namespace anatomy::serde
