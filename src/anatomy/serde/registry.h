#pragma once

#include <arrow/type_fwd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/serde/arrow_codec.h"
#include "anatomy/serde/json_codec.h"
#include "anatomy/serde/json_schema.h"
#include "anatomy/serde/msgpack_codec.h"
#include "anatomy/serde/sample.h"

namespace anatomy::serde {

enum class Format { kMsgpack, kJson };

/// \brief A payload is stored as msgpack bytes; a row type is also an Arrow table layout.
enum class TypeKind { kPayload, kRow };

/// \brief One registered type, with type-erased operations over its encoded forms (for tools,
/// contract tests and fuzzing, which do not know the C++ type).
struct TypeEntry {
  std::string name;
  std::string domain;
  Strictness strictness = Strictness::kStrict;
  int version = 1;
  TypeKind kind = TypeKind::kPayload;
  std::shared_ptr<arrow::Schema> arrow_schema;  // row types only

  /// Decode `input` in format `from` and encode the value in format `to`.
  Result<std::string> (*reencode)(std::string_view input, Format from, Format to) = nullptr;
  /// Decode msgpack, re-encode and decode again; an error unless both values compare equal.
  Status (*check_round_trip)(std::string_view msgpack) = nullptr;
  /// The draft 2020-12 schema document of the type (definitions under `$defs`).
  nlohmann::json (*json_schema)() = nullptr;
  /// The msgpack of SampleValue<T>() (every field set).
  std::string (*sample_msgpack)() = nullptr;
  /// The msgpack of MinimalSampleValue<T>() (required fields only).
  std::string (*minimal_msgpack)() = nullptr;
};

namespace internal {

template <SerdeStruct T>
Result<T> DecodeAs(std::string_view input, Format from) {
  return from == Format::kMsgpack ? DecodeMsgpack<T>(input) : DecodeJson<T>(input);
}

template <SerdeStruct T>
Result<std::string> Reencode(std::string_view input, Format from, Format to) {
  ARROW_ASSIGN_OR_RAISE(T value, DecodeAs<T>(input, from));
  return to == Format::kMsgpack ? EncodeMsgpack(value) : EncodeJson(value);
}

/// Decoders fill freshly constructed values, so a member of struct type must default to its
/// type's own default (else omitted fields would decode to the member's default instead).
template <SerdeStruct T>
Status CheckNestedDefaults() {
  Status st;
  ForEachField<T>([&](const auto& f, auto) {
    using M = std::decay_t<decltype(std::declval<T>().*f.member)>;
    if constexpr (SerdeStruct<M>) {
      if (st.ok() && !(DefaultValue<T>().*f.member == DefaultValue<M>())) {
        st = Status::Invalid(kStructInfo<T>.name, ".", f.name,
                             ": a struct member must default to its type's default value");
      }
      if (st.ok()) st = CheckNestedDefaults<M>();
    }
  });
  return st;
}

template <SerdeStruct T>
Status CheckRoundTrip(std::string_view msgpack) {
  ARROW_ASSIGN_OR_RAISE(T first, DecodeMsgpack<T>(msgpack));
  std::string bytes = EncodeMsgpack(first);
  ARROW_ASSIGN_OR_RAISE(T second, DecodeMsgpack<T>(bytes));
  if (!(first == second))
    return Status::Invalid(kStructInfo<T>.name, ": msgpack round trip changed the value");
  ARROW_ASSIGN_OR_RAISE(T third, DecodeJson<T>(EncodeJson(first)));
  if (!(first == third))
    return Status::Invalid(kStructInfo<T>.name, ": JSON round trip changed the value");
  return Status::OK();
}

}  // namespace internal

/// \brief The registered contract types: their JSON Schemas, Arrow schemas of row types, and
/// the exported registry whose msgpack hash is `schema_contract_hash`.
/// Filled once at start-up, then read-only (safe to read from many threads).
class SchemaRegistry {
 public:
  /// \brief Register payload type T under `domain` ("delta", "engine", "artifacts", ...).
  /// Names must be unique.
  template <SerdeStruct T>
  Status Register(std::string domain) {
    ARROW_RETURN_NOT_OK(internal::CheckNestedDefaults<T>());
    return Add(MakeEntry<T>(std::move(domain), TypeKind::kPayload));
  }

  /// \brief Register a row type (an artifact table layout named `<table>_vN`); it also gets
  /// its Arrow schema.
  template <SerdeStruct T>
  Status RegisterRow(std::string domain) {
    ARROW_RETURN_NOT_OK(internal::CheckNestedDefaults<T>());
    TypeEntry e = MakeEntry<T>(std::move(domain), TypeKind::kRow);
    e.arrow_schema = ArrowSchemaOf<T>();
    return Add(std::move(e));
  }

  /// \brief The entry named `name`, or nullptr.
  const TypeEntry* Find(std::string_view name) const;

  /// \brief All entries, sorted by name.
  const std::vector<TypeEntry>& types() const { return types_; }

  /// \brief The registry document: `$schema`, `components.schemas` (every JSON Schema, nested
  /// types included) and `types` (name, domain, kind, strictness, version, `$ref`, and the
  /// Arrow columns of row types). Keys sorted; deterministic.
  nlohmann::json Export() const;
  /// \brief Export() as indented JSON text ending in a newline (`schema_registry.json`).
  std::string ExportJson() const;
  /// \brief sha256 hex of the msgpack of Export().
  std::string ContractHash() const;

  static constexpr std::string_view kComponentsRef = "#/components/schemas/";

 private:
  template <SerdeStruct T>
  TypeEntry MakeEntry(std::string domain, TypeKind kind) {
    constexpr auto& info = kStructInfo<T>;
    TypeEntry e;
    e.name = std::string(info.name);
    e.domain = std::move(domain);
    e.strictness = info.strictness;
    e.version = SchemaVersionOf(info.name);
    e.kind = kind;
    e.reencode = &internal::Reencode<T>;
    e.check_round_trip = &internal::CheckRoundTrip<T>;
    e.json_schema = &JsonSchemaDocument<T>;
    e.sample_msgpack = [] { return EncodeMsgpack(SampleValue<T>()); };
    e.minimal_msgpack = [] { return EncodeMsgpack(MinimalSampleValue<T>()); };
    JsonSchemaContext ctx{&components_, std::string(kComponentsRef)};
    JsonSchemaOf<T>(ctx);
    return e;
  }
  Status Add(TypeEntry entry);

  std::vector<TypeEntry> types_;
  nlohmann::json components_ = nlohmann::json::object();
};

std::string_view ToString(Strictness s);
std::string_view ToString(TypeKind k);
std::string_view ToString(Format f);

}  // namespace anatomy::serde
