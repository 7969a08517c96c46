#include "anatomy/delta/column_mapping.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "anatomy/delta/data_writer.h"
#include "anatomy/delta/json_util.h"

namespace anatomy::delta {

namespace {

int64_t MaxIdOf(const DeltaType& t) {
  int64_t m = 0;
  switch (t.kind) {
    case DeltaType::Kind::kPrimitive:
      break;
    case DeltaType::Kind::kStruct:
      for (const auto& f : t.fields) {
        m = std::max(m, f.mapping_id.value_or(0));
        m = std::max(m, MaxIdOf(*f.type));
      }
      break;
    case DeltaType::Kind::kArray:
      m = MaxIdOf(*t.element);
      break;
    case DeltaType::Kind::kMap:
      m = std::max(MaxIdOf(*t.key), MaxIdOf(*t.value));
      break;
  }
  return m;
}

Status SetMappingMetadata(StructField* f) {
  auto md = nlohmann::json::parse(f->metadata_json, nullptr, /*allow_exceptions=*/false);
  if (md.is_discarded() || !md.is_object()) md = nlohmann::json::object();
  md["delta.columnMapping.id"] = *f->mapping_id;
  md["delta.columnMapping.physicalName"] = *f->physical_name;
  f->metadata_json = SafeDump(md);
  return Status::OK();
}

Status AssignType(DeltaType* t, const DeltaType* prev, int64_t* max_id, const std::string& where);

Status AssignField(StructField* f, const StructField* prev, int64_t* max_id,
                   const std::string& where) {
  const std::string here = where.empty() ? f->name : where + "." + f->name;
  bool changed = false;
  if (!f->mapping_id || !f->physical_name) {
    if (prev && prev->mapping_id && prev->physical_name) {
      f->mapping_id = prev->mapping_id;
      f->physical_name = prev->physical_name;
    } else {
      if (*max_id >= INT32_MAX) {
        return Status::Invalid(here, ": column mapping ids exhausted (ids are 32-bit)");
      }
      if (!f->mapping_id) f->mapping_id = ++*max_id;
      if (!f->physical_name) f->physical_name = "col-" + NewUuid();
    }
    changed = true;
  }
  if (changed) ARROW_RETURN_NOT_OK(SetMappingMetadata(f));
  // Nested fields follow the previous field's nested type only when the kinds agree.
  const DeltaType* prev_type =
      prev && prev->type && prev->type->kind == f->type->kind ? prev->type.get() : nullptr;
  // Copy-on-write: the type may be shared with another schema (e.g. the snapshot's).
  auto copy = std::make_shared<DeltaType>(*f->type);
  ARROW_RETURN_NOT_OK(AssignType(copy.get(), prev_type, max_id, here));
  f->type = std::move(copy);
  return Status::OK();
}

Status AssignType(DeltaType* t, const DeltaType* prev, int64_t* max_id, const std::string& where) {
  switch (t->kind) {
    case DeltaType::Kind::kPrimitive:
      return Status::OK();
    case DeltaType::Kind::kStruct:
      for (auto& f : t->fields) {
        const StructField* p = prev ? prev->FindField(f.name) : nullptr;
        ARROW_RETURN_NOT_OK(AssignField(&f, p, max_id, where));
      }
      return Status::OK();
    case DeltaType::Kind::kArray: {
      auto e = std::make_shared<DeltaType>(*t->element);
      const DeltaType* pe =
          prev && prev->element && prev->element->kind == e->kind ? prev->element.get() : nullptr;
      ARROW_RETURN_NOT_OK(AssignType(e.get(), pe, max_id, where + "[]"));
      t->element = std::move(e);
      return Status::OK();
    }
    case DeltaType::Kind::kMap: {
      auto k = std::make_shared<DeltaType>(*t->key);
      auto v = std::make_shared<DeltaType>(*t->value);
      const DeltaType* pk =
          prev && prev->key && prev->key->kind == k->kind ? prev->key.get() : nullptr;
      const DeltaType* pv =
          prev && prev->value && prev->value->kind == v->kind ? prev->value.get() : nullptr;
      ARROW_RETURN_NOT_OK(AssignType(k.get(), pk, max_id, where + ".key"));
      ARROW_RETURN_NOT_OK(AssignType(v.get(), pv, max_id, where + ".value"));
      t->key = std::move(k);
      t->value = std::move(v);
      return Status::OK();
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<arrow::Field>> PhysicalField(const StructField& f) {
  ARROW_ASSIGN_OR_RAISE(auto type, PhysicalArrowType(*f.type));
  auto field = arrow::field(f.physical_name.value_or(f.name), type, f.nullable);
  if (f.mapping_id) {
    field = field->WithMetadata(
        arrow::key_value_metadata({"PARQUET:field_id"}, {std::to_string(*f.mapping_id)}));
  }
  return field;
}

/// The same buffers under another type of identical layout (only names/metadata differ).
Result<std::shared_ptr<arrow::ArrayData>> Retype(const std::shared_ptr<arrow::ArrayData>& d,
                                                 const std::shared_ptr<arrow::DataType>& t) {
  auto out = d->Copy();
  out->type = t;
  std::vector<std::shared_ptr<arrow::DataType>> child_types;
  switch (t->id()) {
    case arrow::Type::STRUCT:
      for (const auto& f : t->fields()) child_types.push_back(f->type());
      break;
    case arrow::Type::LIST:
    case arrow::Type::MAP:  // the child is the entries struct<key, value>
      child_types.push_back(static_cast<const arrow::ListType&>(*t).value_type());
      break;
    default:
      return out;
  }
  if (child_types.size() != d->child_data.size()) {
    return Status::Invalid("column mapping: ", d->type->ToString(), " does not match ",
                           t->ToString());
  }
  for (size_t i = 0; i < child_types.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(out->child_data[i], Retype(d->child_data[i], child_types[i]));
  }
  return out;
}

}  // namespace

Result<ColumnMappingMode> ParseColumnMappingMode(const StringMap& configuration) {
  auto it = configuration.find(kColumnMappingMode);
  if (it == configuration.end() || it->second == "none") return ColumnMappingMode::kNone;
  if (it->second == "name") return ColumnMappingMode::kName;
  if (it->second == "id") return ColumnMappingMode::kId;
  return Status::Invalid("table property ", kColumnMappingMode, " has unknown value '", it->second,
                         "' (expected none, name or id)");
}

int64_t MaxColumnId(const DeltaType& schema) { return MaxIdOf(schema); }

Status AssignColumnMapping(DeltaType* schema, const DeltaType* previous, int64_t* max_id) {
  return AssignType(schema, previous, max_id, "");
}

Result<std::shared_ptr<arrow::DataType>> PhysicalArrowType(const DeltaType& t) {
  switch (t.kind) {
    case DeltaType::Kind::kPrimitive:
      return ToArrowType(t);
    case DeltaType::Kind::kStruct: {
      arrow::FieldVector fields;
      for (const auto& f : t.fields) {
        ARROW_ASSIGN_OR_RAISE(auto pf, PhysicalField(f));
        fields.push_back(std::move(pf));
      }
      return arrow::struct_(fields);
    }
    case DeltaType::Kind::kArray: {
      ARROW_ASSIGN_OR_RAISE(auto e, PhysicalArrowType(*t.element));
      return arrow::list(arrow::field("element", e, t.contains_null));
    }
    case DeltaType::Kind::kMap: {
      ARROW_ASSIGN_OR_RAISE(auto k, PhysicalArrowType(*t.key));
      ARROW_ASSIGN_OR_RAISE(auto v, PhysicalArrowType(*t.value));
      return arrow::map(k, arrow::field("value", v, t.value_contains_null));
    }
  }
  return Status::Invalid("bad type kind");
}

Result<std::shared_ptr<arrow::Table>> ToPhysicalTable(const std::shared_ptr<arrow::Table>& table,
                                                      const DeltaType& schema) {
  arrow::FieldVector fields;
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (int i = 0; i < table->num_columns(); ++i) {
    const std::string& name = table->schema()->field(i)->name();
    const StructField* f = schema.FindField(name);
    if (!f) return Status::Invalid("column '", name, "' is not in the table schema");
    ARROW_ASSIGN_OR_RAISE(auto logical, ToArrowType(*f->type));
    auto col = table->column(i);
    if (!col->type()->Equals(*logical)) {
      auto cast = arrow::compute::Cast(col, logical);
      if (!cast.ok()) {
        return Status::Invalid("column '", name, "' has type ", col->type()->ToString(),
                               ", the table has ", logical->ToString());
      }
      col = cast->chunked_array();
    }
    ARROW_ASSIGN_OR_RAISE(auto pf, PhysicalField(*f));
    arrow::ArrayVector chunks;
    for (const auto& chunk : col->chunks()) {
      ARROW_ASSIGN_OR_RAISE(auto data, Retype(chunk->data(), pf->type()));
      chunks.push_back(arrow::MakeArray(data));
    }
    fields.push_back(pf);
    columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(chunks), pf->type()));
  }
  return arrow::Table::Make(arrow::schema(fields), columns, table->num_rows());
}

Result<std::vector<std::string>> PhysicalNames(const DeltaType& schema,
                                               const std::vector<std::string>& logical) {
  std::vector<std::string> out;
  for (const auto& name : logical) {
    const StructField* f = schema.FindField(name);
    if (!f) return Status::Invalid("column '", name, "' is not in the table schema");
    out.push_back(f->PhysicalName(true));
  }
  return out;
}

}  // namespace anatomy::delta
