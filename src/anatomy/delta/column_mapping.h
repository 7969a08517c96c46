#pragma once

// Column mapping on write (PROTOCOL.md "Column Mapping", "Writer Requirements for Column
// Mapping"): every field, nested or not, gets a unique id and physical name; data files use the
// physical names and carry the ids as Parquet field ids; partition values and stats are keyed by
// physical names. Reading the same layout is scan.cc's FindPhysical/Conform.

#include <arrow/type_fwd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/schema.h"
#include "anatomy/delta/snapshot.h"

namespace anatomy::delta {

inline constexpr const char* kColumnMappingMode = "delta.columnMapping.mode";
inline constexpr const char* kColumnMappingMaxId = "delta.columnMapping.maxColumnId";

/// The mode a configuration asks for ("none" when absent); an unknown value is an error naming it.
Result<ColumnMappingMode> ParseColumnMappingMode(const StringMap& configuration);

/// The highest delta.columnMapping.id in the schema, nested fields included (0 when none).
int64_t MaxColumnId(const DeltaType& schema);

/// Gives every field of `schema` (nested included) that lacks an id or physical name one: the
/// mapping of the field at the same path in `previous` (may be null) when it has one, otherwise
/// id ++*max_id and physical name "col-<uuid>". The field metadata JSON is updated to match.
Status AssignColumnMapping(DeltaType* schema, const DeltaType* previous, int64_t* max_id);

/// The Arrow type of a Delta type as laid out in data files: struct fields renamed to their
/// physical names and tagged with "PARQUET:field_id" (the column id).
Result<std::shared_ptr<arrow::DataType>> PhysicalArrowType(const DeltaType& type);

/// Renames the columns of a logical table (named as `schema`'s fields; types cast to the
/// schema's Arrow types when they differ) to the physical layout, nested fields included.
Result<std::shared_ptr<arrow::Table>> ToPhysicalTable(const std::shared_ptr<arrow::Table>& table,
                                                      const DeltaType& schema);

/// The physical name of each logical top-level column (unknown names are an error).
Result<std::vector<std::string>> PhysicalNames(const DeltaType& schema,
                                               const std::vector<std::string>& logical);

}  // namespace anatomy::delta
