#pragma once
// The Arrow schemas of every extraction dataset, in one place (documented in README.md).

#include <arrow/type_fwd.h>

#include <memory>
#include <string>
#include <vector>

namespace anatomy::extract {

/// \brief Dataset names in output order: files, scopes, bindings, occurrences, definitions,
/// parameters, call_sites, call_resolutions, imports, references, type_params, annotations,
/// diagnostics, errors.
const std::vector<std::string>& DatasetNames();

/// \brief The schema of dataset `name` (metadata anatomy.schema_name = `extract_<name>_v1`,
/// anatomy.schema_version = 1); nullptr for an unknown name.
std::shared_ptr<arrow::Schema> DatasetSchema(const std::string& name);

}  // namespace anatomy::extract
