#include "anatomy/delta/schema.h"

#include <arrow/type.h>

#include <nlohmann/json.hpp>

#include "anatomy/delta/json_util.h"

namespace anatomy::delta {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

const StructField* DeltaType::FindField(const std::string& name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

namespace {

Result<std::shared_ptr<DeltaType>> ParseType(const json& j, const std::string& where, int depth);

Result<StructField> ParseField(const json& j, const std::string& where, int depth) {
  if (!j.is_object()) return Status::Invalid(where, ": a field must be an object");
  StructField f;
  auto name = j.find("name");
  if (name == j.end() || !name->is_string())
    return Status::Invalid(where, ": field without a name");
  f.name = name->get<std::string>();
  std::string here = where + "." + f.name;
  auto type = j.find("type");
  if (type == j.end()) return Status::Invalid(here, ": field without a type");
  ARROW_ASSIGN_OR_RAISE(f.type, ParseType(*type, here, depth + 1));
  auto nullable = j.find("nullable");
  if (nullable != j.end() && nullable->is_boolean()) f.nullable = nullable->get<bool>();
  auto md = j.find("metadata");
  if (md != j.end() && md->is_object()) {
    f.metadata_json = SafeDump(*md);
    auto id = md->find("delta.columnMapping.id");
    if (id != md->end() && id->is_number_integer()) f.mapping_id = id->get<int64_t>();
    auto pn = md->find("delta.columnMapping.physicalName");
    if (pn != md->end() && pn->is_string()) f.physical_name = pn->get<std::string>();
  }
  return f;
}

Result<std::shared_ptr<DeltaType>> ParseType(const json& j, const std::string& where, int depth) {
  if (depth > 64) return Status::Invalid(where, ": schema nested too deeply");
  auto t = std::make_shared<DeltaType>();
  if (j.is_string()) {
    t->kind = DeltaType::Kind::kPrimitive;
    t->primitive = j.get<std::string>();
    return t;
  }
  if (!j.is_object()) return Status::Invalid(where, ": a type must be a string or an object");
  auto kind = j.find("type");
  if (kind == j.end() || !kind->is_string())
    return Status::Invalid(where, ": type object without 'type'");
  const std::string k = kind->get<std::string>();
  if (k == "struct") {
    t->kind = DeltaType::Kind::kStruct;
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array())
      return Status::Invalid(where, ": struct without fields");
    for (const auto& fj : *fields) {
      ARROW_ASSIGN_OR_RAISE(auto f, ParseField(fj, where, depth));
      t->fields.push_back(std::move(f));
    }
  } else if (k == "array") {
    t->kind = DeltaType::Kind::kArray;
    auto e = j.find("elementType");
    if (e == j.end()) return Status::Invalid(where, ": array without elementType");
    ARROW_ASSIGN_OR_RAISE(t->element, ParseType(*e, where + ".element", depth + 1));
    auto cn = j.find("containsNull");
    if (cn != j.end() && cn->is_boolean()) t->contains_null = cn->get<bool>();
  } else if (k == "map") {
    t->kind = DeltaType::Kind::kMap;
    auto kt = j.find("keyType");
    auto vt = j.find("valueType");
    if (kt == j.end() || vt == j.end())
      return Status::Invalid(where, ": map without keyType/valueType");
    ARROW_ASSIGN_OR_RAISE(t->key, ParseType(*kt, where + ".key", depth + 1));
    ARROW_ASSIGN_OR_RAISE(t->value, ParseType(*vt, where + ".value", depth + 1));
    auto vcn = j.find("valueContainsNull");
    if (vcn != j.end() && vcn->is_boolean()) t->value_contains_null = vcn->get<bool>();
  } else {
    return Status::Invalid(where, ": unknown complex type '", k, "'");
  }
  return t;
}

ojson TypeJson(const DeltaType& t);

ojson FieldJson(const StructField& f) {
  ojson o;
  o["name"] = f.name;
  o["type"] = TypeJson(*f.type);
  o["nullable"] = f.nullable;
  auto md = json::parse(f.metadata_json, nullptr, false);
  o["metadata"] = md.is_discarded() ? ojson::object() : ojson::parse(md.dump());
  return o;
}

ojson TypeJson(const DeltaType& t) {
  switch (t.kind) {
    case DeltaType::Kind::kPrimitive:
      return t.primitive;
    case DeltaType::Kind::kStruct: {
      ojson o;
      o["type"] = "struct";
      o["fields"] = ojson::array();
      for (const auto& f : t.fields) o["fields"].push_back(FieldJson(f));
      return o;
    }
    case DeltaType::Kind::kArray: {
      ojson o;
      o["type"] = "array";
      o["elementType"] = TypeJson(*t.element);
      o["containsNull"] = t.contains_null;
      return o;
    }
    case DeltaType::Kind::kMap: {
      ojson o;
      o["type"] = "map";
      o["keyType"] = TypeJson(*t.key);
      o["valueType"] = TypeJson(*t.value);
      o["valueContainsNull"] = t.value_contains_null;
      return o;
    }
  }
  return nullptr;
}

}  // namespace

Result<DeltaType> ParseSchema(const std::string& schema_string, const std::string& where) {
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJson(schema_string, where + ": schemaString"));
  ARROW_ASSIGN_OR_RAISE(auto t, ParseType(j, where + ": schemaString", 0));
  if (t->kind != DeltaType::Kind::kStruct) {
    return Status::Invalid(where, ": schemaString must be a struct type");
  }
  return std::move(*t);
}

std::string SerializeSchema(const DeltaType& schema) {
  return TypeJson(schema).dump(-1, ' ', false, ojson::error_handler_t::replace);
}

Result<std::shared_ptr<arrow::DataType>> ToArrowType(const DeltaType& t) {
  switch (t.kind) {
    case DeltaType::Kind::kPrimitive: {
      const std::string& p = t.primitive;
      if (p == "string") return arrow::utf8();
      if (p == "long") return arrow::int64();
      if (p == "integer") return arrow::int32();
      if (p == "short") return arrow::int16();
      if (p == "byte") return arrow::int8();
      if (p == "float") return arrow::float32();
      if (p == "double") return arrow::float64();
      if (p == "boolean") return arrow::boolean();
      if (p == "binary") return arrow::binary();
      if (p == "date") return arrow::date32();
      if (p == "timestamp") return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
      if (p == "timestamp_ntz") return arrow::timestamp(arrow::TimeUnit::MICRO);
      int precision = 0, scale = 0;
      if (std::sscanf(p.c_str(), "decimal(%d,%d)", &precision, &scale) == 2 ||
          std::sscanf(p.c_str(), "decimal(%d, %d)", &precision, &scale) == 2) {
        if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
          return Status::Invalid("invalid decimal type '", p, "'");
        }
        return arrow::decimal128(precision, scale);
      }
      return Status::NotImplemented("unsupported Delta type '", p, "'");
    }
    case DeltaType::Kind::kStruct: {
      arrow::FieldVector fields;
      for (const auto& f : t.fields) {
        ARROW_ASSIGN_OR_RAISE(auto ft, ToArrowType(*f.type));
        fields.push_back(arrow::field(f.name, ft, f.nullable));
      }
      return arrow::struct_(fields);
    }
    case DeltaType::Kind::kArray: {
      ARROW_ASSIGN_OR_RAISE(auto e, ToArrowType(*t.element));
      return arrow::list(arrow::field("element", e, t.contains_null));
    }
    case DeltaType::Kind::kMap: {
      ARROW_ASSIGN_OR_RAISE(auto k, ToArrowType(*t.key));
      ARROW_ASSIGN_OR_RAISE(auto v, ToArrowType(*t.value));
      return arrow::map(k, arrow::field("value", v, t.value_contains_null));
    }
  }
  return Status::Invalid("bad type kind");
}

Result<std::shared_ptr<arrow::Schema>> ToArrowSchema(const DeltaType& schema) {
  arrow::FieldVector fields;
  for (const auto& f : schema.fields) {
    ARROW_ASSIGN_OR_RAISE(auto ft, ToArrowType(*f.type));
    fields.push_back(arrow::field(f.name, ft, f.nullable));
  }
  return arrow::schema(fields);
}

Result<std::shared_ptr<DeltaType>> FromArrowType(const arrow::DataType& type) {
  auto t = std::make_shared<DeltaType>();
  auto prim = [&](const char* name) {
    t->primitive = name;
    return t;
  };
  switch (type.id()) {
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
      return prim("string");
    case arrow::Type::INT64:
      return prim("long");
    case arrow::Type::INT32:
      return prim("integer");
    case arrow::Type::INT16:
      return prim("short");
    case arrow::Type::INT8:
      return prim("byte");
    case arrow::Type::FLOAT:
      return prim("float");
    case arrow::Type::DOUBLE:
      return prim("double");
    case arrow::Type::BOOL:
      return prim("boolean");
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
      return prim("binary");
    case arrow::Type::DATE32:
      return prim("date");
    case arrow::Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(type);
      return prim(ts.timezone().empty() ? "timestamp_ntz" : "timestamp");
    }
    case arrow::Type::DECIMAL128: {
      const auto& d = static_cast<const arrow::Decimal128Type&>(type);
      t->primitive =
          "decimal(" + std::to_string(d.precision()) + "," + std::to_string(d.scale()) + ")";
      return t;
    }
    case arrow::Type::STRUCT: {
      t->kind = DeltaType::Kind::kStruct;
      for (const auto& f : type.fields()) {
        StructField sf;
        sf.name = f->name();
        ARROW_ASSIGN_OR_RAISE(sf.type, FromArrowType(*f->type()));
        sf.nullable = f->nullable();
        t->fields.push_back(std::move(sf));
      }
      return t;
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST: {
      t->kind = DeltaType::Kind::kArray;
      const auto& vf = type.field(0);
      ARROW_ASSIGN_OR_RAISE(t->element, FromArrowType(*vf->type()));
      t->contains_null = vf->nullable();
      return t;
    }
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapType&>(type);
      t->kind = DeltaType::Kind::kMap;
      ARROW_ASSIGN_OR_RAISE(t->key, FromArrowType(*m.key_type()));
      ARROW_ASSIGN_OR_RAISE(t->value, FromArrowType(*m.item_type()));
      t->value_contains_null = m.item_field()->nullable();
      return t;
    }
    default:
      return Status::NotImplemented("Arrow type ", type.ToString(), " has no Delta equivalent");
  }
}

Result<DeltaType> FromArrowSchema(const arrow::Schema& schema) {
  DeltaType t;
  t.kind = DeltaType::Kind::kStruct;
  for (const auto& f : schema.fields()) {
    StructField sf;
    sf.name = f->name();
    ARROW_ASSIGN_OR_RAISE(sf.type, FromArrowType(*f->type()));
    sf.nullable = f->nullable();
    t.fields.push_back(std::move(sf));
  }
  return t;
}

bool UsesTimestampNtz(const DeltaType& t) {
  switch (t.kind) {
    case DeltaType::Kind::kPrimitive:
      return t.primitive == "timestamp_ntz";
    case DeltaType::Kind::kStruct:
      for (const auto& f : t.fields) {
        if (UsesTimestampNtz(*f.type)) return true;
      }
      return false;
    case DeltaType::Kind::kArray:
      return UsesTimestampNtz(*t.element);
    case DeltaType::Kind::kMap:
      return UsesTimestampNtz(*t.key) || UsesTimestampNtz(*t.value);
  }
  return false;
}

}  // namespace anatomy::delta
