#pragma once

// Deterministic, non-trivial sample values of registered types: every optional engaged, every
// list with two items, every map with two keys. Used for contract goldens, fuzz seeds and
// benchmarks, so that each field's encoding is exercised without hand-writing ~30 values.

#include <string>
#include <string_view>

#include "anatomy/serde/struct.h"

namespace anatomy::serde {

/// \brief A sample T; `hint` (usually the field name) and `seed` vary the contents.
template <typename T>
T SampleValue(std::string_view hint = "value", uint32_t seed = 1) {
  if constexpr (std::is_same_v<T, bool>) {
    return seed % 2 == 1;
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return static_cast<int32_t>(seed % 1000) * 7 + 1;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    // Vary the width so that 1-, 2-, 4- and 8-byte integer encodings all appear.
    static constexpr int64_t kScale[] = {1, 1000, 100000, 10000000000};
    return static_cast<int64_t>(seed % 97 + 1) * kScale[seed % 4];
  } else if constexpr (std::is_same_v<T, double>) {
    return static_cast<double>(seed % 1000) + 0.25;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return std::string(hint) + "-" + std::to_string(seed % 1000);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return Bytes{std::string("\x00\x01\xff", 3) + std::string(hint)};
  } else if constexpr (SerdeEnum<T>) {
    return static_cast<T>(seed % kEnumLiterals<T>.size());
  } else if constexpr (IsOptional<T>::value) {
    return T(SampleValue<typename T::value_type>(hint, seed));
  } else if constexpr (IsVector<T>::value) {
    return T{SampleValue<typename T::value_type>(hint, seed),
             SampleValue<typename T::value_type>(hint, seed + 1)};
  } else if constexpr (IsStringMap<T>::value) {
    T m;
    m.emplace(std::string(hint) + "_b", SampleValue<typename T::mapped_type>(hint, seed + 1));
    m.emplace(std::string(hint) + "_a", SampleValue<typename T::mapped_type>(hint, seed));
    return m;
  } else if constexpr (IsPair<T>::value) {
    return T{SampleValue<typename T::first_type>("first", seed),
             SampleValue<typename T::second_type>("second", seed + 1)};
  } else if constexpr (SerdeStruct<T>) {
    T v{};
    ForEachField<T>([&](const auto& f, auto i) {
      using M = std::decay_t<decltype(v.*f.member)>;
      auto s = seed * 31 + static_cast<uint32_t>(i.value);
      v.*f.member = SampleValue<M>(f.name, s);
      // A field equal to its default would be omitted: pick the next sample instead.
      if (v.*f.member == DefaultValue<T>().*f.member) v.*f.member = SampleValue<M>(f.name, s + 1);
    });
    return v;
  } else {
    static_assert(!sizeof(T*), "type has no sample");
  }
}

/// \brief A T with only its required fields set (sampled), every other field at its default:
/// the smallest encoding, exercising default omission.
template <SerdeStruct T>
T MinimalSampleValue() {
  T v{};
  ForEachField<T>([&](const auto& f, auto i) {
    using M = std::decay_t<decltype(v.*f.member)>;
    if (f.required) v.*f.member = SampleValue<M>(f.name, static_cast<uint32_t>(i.value) + 1);
  });
  return v;
}

}  // namespace anatomy::serde
