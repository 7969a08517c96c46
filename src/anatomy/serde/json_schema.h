#pragma once

// JSON Schema (draft 2020-12) of registered types, derived from the same declaration as the
// codecs. Nested structs become `$ref`s into a definitions object.

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "anatomy/serde/json_codec.h"
#include "anatomy/serde/struct.h"

namespace anatomy::serde {

inline constexpr std::string_view kJsonSchemaDialect =
    "https://json-schema.org/draft/2020-12/schema";

/// \brief Where struct definitions go and how `$ref`s point at them.
struct JsonSchemaContext {
  nlohmann::json* defs;    // object: type name -> schema
  std::string ref_prefix;  // e.g. "#/$defs/" or "#/components/schemas/"
};

namespace internal {

/// The default value of a field as JSON, via the JSON encoder.
template <typename M>
nlohmann::json JsonOfValue(const M& v) {
  std::string text = EncodeJson(v);
  return nlohmann::json::parse(text);  // our own output: always valid
}

}  // namespace internal

/// \brief The schema of T; registered structs are added to ctx.defs and referenced.
template <typename T>
nlohmann::json JsonSchemaOf(JsonSchemaContext& ctx) {
  using nlohmann::json;
  if constexpr (std::is_same_v<T, bool>) {
    return json{{"type", "boolean"}};
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return json{{"type", "integer"},
                {"minimum", std::numeric_limits<int32_t>::min()},
                {"maximum", std::numeric_limits<int32_t>::max()}};
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return json{{"type", "integer"},
                {"minimum", std::numeric_limits<int64_t>::min()},
                {"maximum", std::numeric_limits<int64_t>::max()}};
  } else if constexpr (std::is_same_v<T, double>) {
    return json{{"type", "number"}};
  } else if constexpr (std::is_same_v<T, std::string>) {
    return json{{"type", "string"}};
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return json{{"type", "string"}, {"contentEncoding", "base64"}};
  } else if constexpr (SerdeEnum<T>) {
    json values = json::array();
    for (auto lit : kEnumLiterals<T>) values.push_back(std::string(lit));
    return json{{"type", "string"}, {"enum", values}};
  } else if constexpr (IsOptional<T>::value) {
    return json{{"anyOf",
                 json::array({JsonSchemaOf<typename T::value_type>(ctx), json{{"type", "null"}}})}};
  } else if constexpr (IsVector<T>::value) {
    return json{{"type", "array"}, {"items", JsonSchemaOf<typename T::value_type>(ctx)}};
  } else if constexpr (IsStringMap<T>::value) {
    return json{{"type", "object"},
                {"additionalProperties", JsonSchemaOf<typename T::mapped_type>(ctx)}};
  } else if constexpr (IsPair<T>::value) {
    return json{{"type", "array"},
                {"prefixItems", json::array({JsonSchemaOf<typename T::first_type>(ctx),
                                             JsonSchemaOf<typename T::second_type>(ctx)})},
                {"minItems", 2},
                {"maxItems", 2}};
  } else if constexpr (SerdeStruct<T>) {
    constexpr auto& info = kStructInfo<T>;
    std::string name(info.name);
    if (!ctx.defs->contains(name)) {
      (*ctx.defs)[name] = json::object();  // placeholder: stops recursion
      json properties = json::object();
      json required = json::array();
      ForEachField<T>([&](const auto& f, auto) {
        using M = std::decay_t<decltype(std::declval<T>().*f.member)>;
        json prop = JsonSchemaOf<M>(ctx);
        if (f.required) {
          required.push_back(std::string(f.name));
        } else {
          prop["default"] = internal::JsonOfValue(DefaultValue<T>().*f.member);
        }
        properties[std::string(f.name)] = std::move(prop);
      });
      json def{{"type", "object"}, {"title", name}, {"properties", std::move(properties)}};
      if (!required.empty()) def["required"] = std::move(required);
      def["additionalProperties"] = info.strictness == Strictness::kCompat;
      (*ctx.defs)[name] = std::move(def);
    }
    return json{{"$ref", ctx.ref_prefix + name}};
  } else {
    static_assert(internal::kAlwaysFalse<T>, "type is not serializable");
  }
}

/// \brief A standalone draft 2020-12 schema document for T, definitions under `$defs`.
template <typename T>
nlohmann::json JsonSchemaDocument() {
  nlohmann::json defs = nlohmann::json::object();
  JsonSchemaContext ctx{&defs, "#/$defs/"};
  nlohmann::json doc = JsonSchemaOf<T>(ctx);
  doc["$schema"] = std::string(kJsonSchemaDialect);
  doc["$defs"] = std::move(defs);
  return doc;
}

}  // namespace anatomy::serde
