#include "anatomy/serde/arrow_codec.h"

#include <arrow/compute/cast.h>
#include <arrow/compute/initialize.h>

namespace anatomy::serde::internal {

bool SameArrowLayout(const arrow::DataType& a, const arrow::DataType& b) {
  if (a.id() != b.id() || a.num_fields() != b.num_fields()) return false;
  for (int i = 0; i < a.num_fields(); ++i) {
    if (a.id() == arrow::Type::STRUCT && a.field(i)->name() != b.field(i)->name()) return false;
    if (!SameArrowLayout(*a.field(i)->type(), *b.field(i)->type())) return false;
  }
  return true;
}

namespace {

// The same values in another physical representation: large/view strings, binaries and lists,
// dictionary encoding. Only these are cast; a different kind of value is a mismatch.
const arrow::DataType& Canonical(const arrow::DataType& t, arrow::Type::type* id) {
  switch (t.id()) {
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
      *id = arrow::Type::STRING;
      return t;
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
      *id = arrow::Type::BINARY;
      return t;
    case arrow::Type::LARGE_LIST:
    case arrow::Type::LIST_VIEW:
    case arrow::Type::LARGE_LIST_VIEW:
      *id = arrow::Type::LIST;
      return t;
    case arrow::Type::DICTIONARY:
      return Canonical(*static_cast<const arrow::DictionaryType&>(t).value_type(), id);
    default:
      *id = t.id();
      return t;
  }
}

bool SameLogicalLayout(const arrow::DataType& a, const arrow::DataType& b) {
  arrow::Type::type ida, idb;
  const arrow::DataType& ca = Canonical(a, &ida);
  const arrow::DataType& cb = Canonical(b, &idb);
  if (ida != idb || ca.num_fields() != cb.num_fields()) return false;
  for (int i = 0; i < ca.num_fields(); ++i) {
    if (ida == arrow::Type::STRUCT && ca.field(i)->name() != cb.field(i)->name()) return false;
    if (!SameLogicalLayout(*ca.field(i)->type(), *cb.field(i)->type())) return false;
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<arrow::Array>> ConformColumn(
    const std::string& name, std::shared_ptr<arrow::Array> column,
    const std::shared_ptr<arrow::DataType>& expected) {
  if (SameArrowLayout(*column->type(), *expected)) return column;
  if (!SameLogicalLayout(*column->type(), *expected)) {
    return Status::Invalid("column '", name, "': expected ", expected->ToString(), ", got ",
                           column->type()->ToString());
  }
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  auto cast = arrow::compute::Cast(*column, expected, arrow::compute::CastOptions::Safe());
  if (!cast.ok()) {
    return Status::Invalid("column '", name, "': cannot read ", column->type()->ToString(), " as ",
                           expected->ToString(), ": ", cast.status().message());
  }
  return *cast;
}

}  // namespace anatomy::serde::internal
