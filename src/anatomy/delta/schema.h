#pragma once

// Delta table schemas (PROTOCOL.md "Schema Serialization Format") and their Arrow mapping.

#include <arrow/type_fwd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::delta {

struct DeltaType;

/// A (possibly nested) column.
struct StructField {
  std::string name;
  std::shared_ptr<DeltaType> type;
  bool nullable = true;
  std::string metadata_json = "{}";          ///< the field's metadata object as JSON text
  std::optional<int64_t> mapping_id;         ///< delta.columnMapping.id
  std::optional<std::string> physical_name;  ///< delta.columnMapping.physicalName
  /// The name in data files / stats / partition values under the given mapping mode.
  const std::string& PhysicalName(bool column_mapping) const {
    return column_mapping && physical_name ? *physical_name : name;
  }
};

/// A Delta data type: primitive ("long", "decimal(10,2)", ...), struct, array or map.
struct DeltaType {
  enum class Kind { kPrimitive, kStruct, kArray, kMap };
  Kind kind = Kind::kPrimitive;
  std::string primitive;                  ///< kPrimitive: the type name as written
  std::vector<StructField> fields;        ///< kStruct
  std::shared_ptr<DeltaType> element;     ///< kArray
  bool contains_null = true;              ///< kArray
  std::shared_ptr<DeltaType> key, value;  ///< kMap
  bool value_contains_null = true;        ///< kMap

  const StructField* FindField(const std::string& name) const;
};

/// Parses a `schemaString`; errors name `where` and the field path.
Result<DeltaType> ParseSchema(const std::string& schema_string, const std::string& where);
/// Serialises a struct type as a `schemaString`.
std::string SerializeSchema(const DeltaType& schema);

/// The Arrow type of a Delta type (logical names; timestamp → timestamp[us, UTC],
/// timestamp_ntz → timestamp[us], date → date32, decimal → decimal128).
Result<std::shared_ptr<arrow::DataType>> ToArrowType(const DeltaType& type);
/// The Arrow schema of a struct type, logical column names, in table-schema order.
Result<std::shared_ptr<arrow::Schema>> ToArrowSchema(const DeltaType& schema);
/// The Delta type of an Arrow type (for writers); fails naming the type when unsupported.
Result<std::shared_ptr<DeltaType>> FromArrowType(const arrow::DataType& type);
/// A Delta struct schema from an Arrow schema.
Result<DeltaType> FromArrowSchema(const arrow::Schema& schema);

/// True when any type in the schema is timestamp_ntz (needs the timestampNtz feature).
bool UsesTimestampNtz(const DeltaType& type);

}  // namespace anatomy::delta
