#pragma once

// Declaring a serde type once. A registered struct is a plain aggregate with default member
// initializers and a defaulted operator==, followed (in the same namespace) by ANATOMY_STRUCT
// listing its fields in wire order:
//
//   struct OutputDescriptor {
//     std::string name;
//     std::optional<int64_t> rows;
//     bool operator==(const OutputDescriptor&) const = default;
//   };
//   ANATOMY_STRUCT(OutputDescriptor, "OutputDescriptor", kStrict,
//                  ANATOMY_REQUIRED(name), ANATOMY_FIELD(rows));
//
// Enums are C++ enums whose values are numbered 0..N-1, mapped to string literals:
//
//   enum class StatsPolicy { kOff, kExplicit, kAuto };
//   ANATOMY_ENUM(StatsPolicy, "off", "explicit", "auto");
//
// Both macros define a constexpr function found by argument-dependent lookup, so a type's
// declaration stays an ordinary aggregate (designated initializers keep working).

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace anatomy::serde {

/// \brief Strict types reject unknown fields on decode; compat types skip them.
enum class Strictness { kStrict, kCompat };

/// \brief Opaque bytes: msgpack bin, JSON base64 string, Arrow binary. Distinct from
/// std::string, which is always text (msgpack str, Arrow utf8).
struct Bytes {
  std::string data;
  auto operator<=>(const Bytes&) const = default;
};

namespace internal {

/// One field of a registered struct: its wire name, its member pointer, and whether it is
/// required (always written; an error when missing on decode).
template <typename T, typename M>
struct FieldDef {
  using Owner = T;
  using Member = M;
  std::string_view name;
  M T::*member;
  bool required;
};

template <typename T, typename M>
constexpr FieldDef<T, M> MakeField(std::string_view name, M T::*member, bool required) {
  return FieldDef<T, M>{name, member, required};
}

template <typename T, typename... Fields>
struct StructInfo {
  std::string_view name;
  Strictness strictness;
  std::tuple<Fields...> fields;
  static constexpr size_t kSize = sizeof...(Fields);
};

template <typename T, typename... Fields>
constexpr StructInfo<T, Fields...> MakeStructInfo(std::string_view name, Strictness strictness,
                                                  Fields... fields) {
  static_assert((std::is_same_v<typename Fields::Owner, T> && ...),
                "ANATOMY_STRUCT fields must be members of the declared type");
  return StructInfo<T, Fields...>{name, strictness, std::tuple<Fields...>(fields...)};
}

}  // namespace internal

/// \brief True for types declared with ANATOMY_STRUCT.
template <typename T>
concept SerdeStruct = requires {
  AnatomyStructInfo(static_cast<const T*>(nullptr));
};

/// \brief True for enums declared with ANATOMY_ENUM.
template <typename T>
concept SerdeEnum = std::is_enum_v<T> && requires {
  AnatomyEnumLiterals(T{});
};

/// \brief The compile-time field list of a registered struct.
template <SerdeStruct T>
inline constexpr auto kStructInfo = AnatomyStructInfo(static_cast<const T*>(nullptr));

/// \brief The string literals of a registered enum, indexed by the enum's value.
template <SerdeEnum E>
inline constexpr auto kEnumLiterals = AnatomyEnumLiterals(E{});

/// \brief The literal of an enum value ("" when out of range).
template <SerdeEnum E>
constexpr std::string_view EnumLiteral(E value) {
  auto i = static_cast<size_t>(value);
  return i < kEnumLiterals<E>.size() ? kEnumLiterals<E>[i] : std::string_view();
}

/// \brief The enum value of a literal, if it is one of the declared literals.
template <SerdeEnum E>
constexpr std::optional<E> EnumFromLiteral(std::string_view literal) {
  for (size_t i = 0; i < kEnumLiterals<E>.size(); ++i) {
    if (kEnumLiterals<E>[i] == literal) return static_cast<E>(i);
  }
  return std::nullopt;
}

/// \brief The schema version of a type: N of a trailing `_vN` in its name, else 1.
constexpr int SchemaVersionOf(std::string_view name) {
  auto pos = name.rfind("_v");
  if (pos == std::string_view::npos || pos + 2 >= name.size()) return 1;
  int v = 0;
  for (size_t i = pos + 2; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return 1;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

// Type classification used by every codec.
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};
template <typename T>
struct IsStringMap : std::false_type {};
template <typename V>
struct IsStringMap<std::map<std::string, V>> : std::true_type {};
template <typename T>
struct IsPair : std::false_type {};
template <typename A, typename B>
struct IsPair<std::pair<A, B>> : std::true_type {};

/// \brief The default-constructed value of a type, the reference for "equal to default".
template <typename T>
const T& DefaultValue() {
  static const T kDefault{};
  return kDefault;
}

/// \brief Call fn(field_def, index) for each field of a registered struct, in order.
template <SerdeStruct T, typename Fn>
constexpr void ForEachField(Fn&& fn) {
  constexpr auto& info = kStructInfo<T>;
  [&]<size_t... I>(std::index_sequence<I...>) {
    (fn(std::get<I>(info.fields), std::integral_constant<size_t, I>{}), ...);
  }
  (std::make_index_sequence<std::decay_t<decltype(info)>::kSize>{});
}

}  // namespace anatomy::serde

/// Declare the wire form of an aggregate; see the top of this header.
#define ANATOMY_STRUCT(Type, Name, Strict, ...)                    \
  [[maybe_unused]] constexpr auto AnatomyStructInfo(const Type*) { \
    using Self [[maybe_unused]] = Type;                            \
    return ::anatomy::serde::internal::MakeStructInfo<Type>(       \
        Name, ::anatomy::serde::Strictness::Strict, __VA_ARGS__);  \
  }                                                                \
  static_assert(true, "")

/// An optional field: omitted when equal to its default, its default when missing.
#define ANATOMY_FIELD(member) ::anatomy::serde::internal::MakeField(#member, &Self::member, false)
/// A required field: always written, an error when missing.
#define ANATOMY_REQUIRED(member) ::anatomy::serde::internal::MakeField(#member, &Self::member, true)

/// Map the values 0..N-1 of an enum to string literals.
#define ANATOMY_ENUM(Type, ...)                               \
  [[maybe_unused]] constexpr auto AnatomyEnumLiterals(Type) { \
    return std::to_array<std::string_view>({__VA_ARGS__});    \
  }                                                           \
  static_assert(true, "")
