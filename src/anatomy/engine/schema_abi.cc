#include "anatomy/engine/schema_abi.h"

#include <arrow/util/key_value_metadata.h>

namespace anatomy::engine {

namespace {
std::map<std::string, std::string> MetadataMap(
    const std::shared_ptr<const arrow::KeyValueMetadata>& m) {
  std::map<std::string, std::string> out;
  if (!m) return out;
  for (int64_t i = 0; i < m->size(); ++i) out[m->key(i)] = m->value(i);
  return out;
}
}  // namespace

artifacts::SchemaAbiPayload SchemaAbiOf(const arrow::Schema& schema) {
  artifacts::SchemaAbiPayload abi;
  for (const auto& f : schema.fields()) {
    abi.fields.push_back(
        {f->name(), f->type()->ToString(), f->nullable(), MetadataMap(f->metadata())});
  }
  abi.metadata = MetadataMap(schema.metadata());
  return abi;
}

}  // namespace anatomy::engine
