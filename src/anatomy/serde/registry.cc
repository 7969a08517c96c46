#include "anatomy/serde/registry.h"

#include <arrow/type.h>

#include <algorithm>

#include "anatomy/core/hash.h"

namespace anatomy::serde {

std::string_view ToString(Strictness s) { return s == Strictness::kStrict ? "strict" : "compat"; }
std::string_view ToString(TypeKind k) { return k == TypeKind::kRow ? "row" : "payload"; }
std::string_view ToString(Format f) { return f == Format::kMsgpack ? "msgpack" : "json"; }

Status SchemaRegistry::Add(TypeEntry entry) {
  auto pos = std::lower_bound(types_.begin(), types_.end(), entry.name,
                              [](const TypeEntry& e, const std::string& n) { return e.name < n; });
  if (pos != types_.end() && pos->name == entry.name) {
    return Status::AlreadyExists("schema registry: type '", entry.name, "' registered twice");
  }
  types_.insert(pos, std::move(entry));
  return Status::OK();
}

const TypeEntry* SchemaRegistry::Find(std::string_view name) const {
  auto pos = std::lower_bound(types_.begin(), types_.end(), name,
                              [](const TypeEntry& e, std::string_view n) { return e.name < n; });
  return pos != types_.end() && pos->name == name ? &*pos : nullptr;
}

nlohmann::json SchemaRegistry::Export() const {
  using nlohmann::json;
  json types = json::array();
  for (const auto& e : types_) {
    json t{{"name", e.name},
           {"domain", e.domain},
           {"kind", std::string(ToString(e.kind))},
           {"strictness", std::string(ToString(e.strictness))},
           {"version", e.version},
           {"$ref", std::string(kComponentsRef) + e.name}};
    if (e.arrow_schema) {
      json columns = json::array();
      for (const auto& f : e.arrow_schema->fields()) {
        columns.push_back(json{
            {"name", f->name()}, {"type", f->type()->ToString()}, {"nullable", f->nullable()}});
      }
      t["columns"] = std::move(columns);
    }
    types.push_back(std::move(t));
  }
  return json{{"$schema", std::string(kJsonSchemaDialect)},
              {"components", json{{"schemas", components_}}},
              {"types", std::move(types)}};
}

std::string SchemaRegistry::ExportJson() const { return Export().dump(2) + "\n"; }

std::string SchemaRegistry::ContractHash() const {
  std::vector<uint8_t> bytes = nlohmann::json::to_msgpack(Export());
  return core::Sha256Hex(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace anatomy::serde
