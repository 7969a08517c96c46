#pragma once

// Deterministic JSON for registered types, the same shape as the msgpack (structs as objects in
// declaration order, defaults omitted, map keys sorted); bytes are base64 strings. Decoding
// parses with nlohmann::json behind one wall that turns its exceptions into Status.

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "anatomy/core/status.h"
#include "anatomy/serde/base64.h"
#include "anatomy/serde/json_writer.h"
#include "anatomy/serde/msgpack_codec.h"
#include "anatomy/serde/path.h"
#include "anatomy/serde/struct.h"

namespace anatomy::serde {
namespace internal {

template <typename T>
void WriteJson(JsonWriter& w, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    w.Bool(v);
  } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
    w.Int(v);
  } else if constexpr (std::is_same_v<T, double>) {
    w.Double(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    w.Str(v);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    w.Bytes(v.data);
  } else if constexpr (SerdeEnum<T>) {
    w.Str(EnumLiteral(v));
  } else if constexpr (IsOptional<T>::value) {
    if (v) {
      WriteJson(w, *v);
    } else {
      w.Null();
    }
  } else if constexpr (IsVector<T>::value) {
    w.Raw('[');
    bool first = true;
    for (const auto& e : v) {
      if (!first) w.Raw(',');
      first = false;
      WriteJson(w, e);
    }
    w.Raw(']');
  } else if constexpr (IsStringMap<T>::value) {
    w.Raw('{');
    bool first = true;
    for (const auto& [k, e] : v) {
      if (!first) w.Raw(',');
      first = false;
      w.Str(k);
      w.Raw(':');
      WriteJson(w, e);
    }
    w.Raw('}');
  } else if constexpr (IsPair<T>::value) {
    w.Raw('[');
    WriteJson(w, v.first);
    w.Raw(',');
    WriteJson(w, v.second);
    w.Raw(']');
  } else if constexpr (SerdeStruct<T>) {
    w.Raw('{');
    bool first = true;
    ForEachField<T>([&](const auto& f, auto) {
      if (!FieldPresent(v, f)) return;
      if (!first) w.Raw(',');
      first = false;
      w.Str(f.name);
      w.Raw(':');
      WriteJson(w, v.*f.member);
    });
    w.Raw('}');
  } else {
    static_assert(kAlwaysFalse<T>, "type is not serializable: declare it with ANATOMY_STRUCT");
  }
}

/// null, boolean, integer, float, string, array, object.
std::string_view JsonTypeName(const nlohmann::json& j);
[[gnu::cold]] Status JsonTypeError(const Path& path, std::string_view expected,
                                   const nlohmann::json& j);
Status JsonReadInt(const nlohmann::json& j, const Path& path, int64_t min, int64_t max,
                   int64_t* out);
Status JsonReadDouble(const nlohmann::json& j, const Path& path, double* out);
Result<nlohmann::json> ParseJson(std::string_view text);

template <typename T>
Status ReadJson(const nlohmann::json& j, const Path& path, T* out);

template <SerdeStruct T>
Status ReadJsonStruct(const nlohmann::json& j, const Path& path, T* out) {
  constexpr auto& info = kStructInfo<T>;
  constexpr size_t kSize = std::decay_t<decltype(info)>::kSize;
  if (!j.is_object()) return JsonTypeError(path, "object", j);
  *out = T{};
  std::array<bool, kSize> seen{};
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& value = it.value();
    int idx = FindField<T>(key, 0);
    if (idx < 0) {
      if (info.strictness == Strictness::kStrict) {
        return PathError(path.Field(key), "unknown field");
      }
      continue;
    }
    auto index = static_cast<size_t>(idx);
    seen[index] = true;
    Status st;
    ForEachField<T>([&](const auto& f, auto i) {
      if (i == index) st = ReadJson(value, path.Field(f.name), &(out->*f.member));
    });
    ARROW_RETURN_NOT_OK(st);
  }
  Status st;
  ForEachField<T>([&](const auto& f, auto i) {
    if (st.ok() && f.required && !seen[i]) {
      st = PathError(path.Field(f.name), "missing required field");
    }
  });
  return st;
}

template <typename T>
Status ReadJson(const nlohmann::json& j, const Path& path, T* out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return JsonTypeError(path, "boolean", j);
    *out = j.get<bool>();
    return Status::OK();
  } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
    int64_t v = 0;
    ARROW_RETURN_NOT_OK(
        JsonReadInt(j, path, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), &v));
    *out = static_cast<T>(v);
    return Status::OK();
  } else if constexpr (std::is_same_v<T, double>) {
    return JsonReadDouble(j, path, out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return JsonTypeError(path, "string", j);
    *out = j.get_ref<const std::string&>();
    return Status::OK();
  } else if constexpr (std::is_same_v<T, Bytes>) {
    if (!j.is_string()) return JsonTypeError(path, "bytes (base64 string)", j);
    auto decoded = Base64Decode(j.get_ref<const std::string&>());
    if (!decoded.ok()) return PathError(path, decoded.status().message());
    out->data = std::move(decoded).ValueUnsafe();
    return Status::OK();
  } else if constexpr (SerdeEnum<T>) {
    if (!j.is_string()) return JsonTypeError(path, "string", j);
    const auto& s = j.get_ref<const std::string&>();
    auto e = EnumFromLiteral<T>(s);
    if (!e) return EnumError(path, s, kEnumLiterals<T>);
    *out = *e;
    return Status::OK();
  } else if constexpr (IsOptional<T>::value) {
    if (j.is_null()) {
      out->reset();
      return Status::OK();
    }
    return ReadJson(j, path, &out->emplace());
  } else if constexpr (IsVector<T>::value) {
    if (!j.is_array()) return JsonTypeError(path, "array", j);
    out->clear();
    out->reserve(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
      ARROW_RETURN_NOT_OK(ReadJson(j[i], path.Index(i), &out->emplace_back()));
    }
    return Status::OK();
  } else if constexpr (IsStringMap<T>::value) {
    if (!j.is_object()) return JsonTypeError(path, "object", j);
    out->clear();
    for (const auto& [key, value] : j.items()) {
      typename T::mapped_type v{};
      ARROW_RETURN_NOT_OK(ReadJson(value, path.Key(key), &v));
      out->emplace_hint(out->end(), key, std::move(v));
    }
    return Status::OK();
  } else if constexpr (IsPair<T>::value) {
    if (!j.is_array()) return JsonTypeError(path, "array", j);
    if (j.size() != 2) {
      return PathError(path, "expected array of 2 items, got " + std::to_string(j.size()));
    }
    ARROW_RETURN_NOT_OK(ReadJson(j[0], path.Index(0), &out->first));
    return ReadJson(j[1], path.Index(1), &out->second);
  } else if constexpr (SerdeStruct<T>) {
    return ReadJsonStruct(j, path, out);
  } else {
    static_assert(kAlwaysFalse<T>, "type is not serializable: declare it with ANATOMY_STRUCT");
  }
}

}  // namespace internal

/// \brief Append the deterministic compact JSON of `value` to `out`.
template <typename T>
void EncodeJson(const T& value, std::string* out) {
  JsonWriter w(out);
  internal::WriteJson(w, value);
}

/// \brief The deterministic compact JSON of `value`.
template <typename T>
std::string EncodeJson(const T& value) {
  std::string out;
  EncodeJson(value, &out);
  return out;
}

/// \brief Decode a parsed JSON value as a T.
template <typename T>
Result<T> FromJsonValue(const nlohmann::json& j) {
  T out{};
  ARROW_RETURN_NOT_OK(internal::ReadJson(j, Path{}, &out));
  return out;
}

/// \brief Decode JSON text as a T; never throws on bad input.
template <typename T>
Result<T> DecodeJson(std::string_view text) {
  ARROW_ASSIGN_OR_RAISE(auto j, internal::ParseJson(text));
  return FromJsonValue<T>(j);
}

}  // namespace anatomy::serde
