#include "anatomy/serde/arrow_codec.h"

namespace anatomy::serde::internal {

bool SameArrowLayout(const arrow::DataType& a, const arrow::DataType& b) {
  if (a.id() != b.id() || a.num_fields() != b.num_fields()) return false;
  for (int i = 0; i < a.num_fields(); ++i) {
    if (a.id() == arrow::Type::STRUCT && a.field(i)->name() != b.field(i)->name()) return false;
    if (!SameArrowLayout(*a.field(i)->type(), *b.field(i)->type())) return false;
  }
  return true;
}

}  // namespace anatomy::serde::internal
