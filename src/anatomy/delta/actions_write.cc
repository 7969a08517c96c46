// JSON serialisation of actions, field names and order as in PROTOCOL.md.

#include <nlohmann/json.hpp>

#include "anatomy/delta/actions.h"
#include "anatomy/delta/json_util.h"

namespace anatomy::delta {

using ojson = nlohmann::ordered_json;

namespace {

ojson MapJson(const StringMap& m) {
  ojson o = ojson::object();
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

ojson PartitionJson(const PartitionValues& pv) {
  ojson o = ojson::object();
  for (const auto& [k, v] : pv) o[k] = v ? ojson(*v) : ojson(nullptr);
  return o;
}

ojson DvJson(const DeletionVectorDescriptor& dv) {
  ojson o;
  o["storageType"] = dv.storage_type;
  o["pathOrInlineDv"] = dv.path_or_inline_dv;
  if (dv.offset) o["offset"] = *dv.offset;
  o["sizeInBytes"] = dv.size_in_bytes;
  o["cardinality"] = dv.cardinality;
  return o;
}

struct ToJson {
  ojson operator()(const Protocol& p) const {
    ojson o;
    o["minReaderVersion"] = p.min_reader_version;
    o["minWriterVersion"] = p.min_writer_version;
    if (p.reader_features) o["readerFeatures"] = *p.reader_features;
    if (p.writer_features) o["writerFeatures"] = *p.writer_features;
    return {{"protocol", o}};
  }
  ojson operator()(const Metadata& m) const {
    ojson o;
    o["id"] = m.id;
    if (m.name) o["name"] = *m.name;
    if (m.description) o["description"] = *m.description;
    o["format"] = {{"provider", m.format_provider}, {"options", MapJson(m.format_options)}};
    o["schemaString"] = m.schema_string;
    o["partitionColumns"] = m.partition_columns;
    o["configuration"] = MapJson(m.configuration);
    if (m.created_time) o["createdTime"] = *m.created_time;
    return {{"metaData", o}};
  }
  ojson operator()(const AddFile& a) const {
    ojson o;
    o["path"] = a.path;
    o["partitionValues"] = PartitionJson(a.partition_values);
    o["size"] = a.size;
    o["modificationTime"] = a.modification_time;
    o["dataChange"] = a.data_change;
    if (a.stats) o["stats"] = *a.stats;
    if (a.tags) o["tags"] = MapJson(*a.tags);
    if (a.deletion_vector) o["deletionVector"] = DvJson(*a.deletion_vector);
    if (a.base_row_id) o["baseRowId"] = *a.base_row_id;
    if (a.default_row_commit_version) o["defaultRowCommitVersion"] = *a.default_row_commit_version;
    if (a.clustering_provider) o["clusteringProvider"] = *a.clustering_provider;
    return {{"add", o}};
  }
  ojson operator()(const RemoveFile& r) const {
    ojson o;
    o["path"] = r.path;
    if (r.deletion_timestamp) o["deletionTimestamp"] = *r.deletion_timestamp;
    o["dataChange"] = r.data_change;
    if (r.extended_file_metadata) o["extendedFileMetadata"] = *r.extended_file_metadata;
    if (r.partition_values) o["partitionValues"] = PartitionJson(*r.partition_values);
    if (r.size) o["size"] = *r.size;
    if (r.stats) o["stats"] = *r.stats;
    if (r.tags) o["tags"] = MapJson(*r.tags);
    if (r.deletion_vector) o["deletionVector"] = DvJson(*r.deletion_vector);
    if (r.base_row_id) o["baseRowId"] = *r.base_row_id;
    if (r.default_row_commit_version) o["defaultRowCommitVersion"] = *r.default_row_commit_version;
    return {{"remove", o}};
  }
  ojson operator()(const AddCdcFile& c) const {
    ojson o;
    o["path"] = c.path;
    o["partitionValues"] = PartitionJson(c.partition_values);
    o["size"] = c.size;
    o["dataChange"] = c.data_change;
    if (c.tags) o["tags"] = MapJson(*c.tags);
    return {{"cdc", o}};
  }
  ojson operator()(const Txn& t) const {
    ojson o;
    o["appId"] = t.app_id;
    o["version"] = t.version;
    if (t.last_updated) o["lastUpdated"] = *t.last_updated;
    return {{"txn", o}};
  }
  ojson operator()(const DomainMetadata& d) const {
    return {{"domainMetadata",
             {{"domain", d.domain}, {"configuration", d.configuration}, {"removed", d.removed}}}};
  }
  ojson operator()(const CommitInfo& c) const {
    ojson o;
    if (c.in_commit_timestamp) o["inCommitTimestamp"] = *c.in_commit_timestamp;
    if (c.timestamp) o["timestamp"] = *c.timestamp;
    if (c.operation) o["operation"] = *c.operation;
    o["operationParameters"] = MapJson(c.operation_parameters);
    if (c.read_version) o["readVersion"] = *c.read_version;
    if (c.is_blind_append) o["isBlindAppend"] = *c.is_blind_append;
    if (c.engine_info) o["engineInfo"] = *c.engine_info;
    for (const auto& [k, v] : c.user_metadata) {
      if (!o.contains(k)) o[k] = v;
    }
    return {{"commitInfo", o}};
  }
  ojson operator()(const Sidecar& s) const {
    return {{"sidecar",
             {{"path", s.path},
              {"sizeInBytes", s.size_in_bytes},
              {"modificationTime", s.modification_time}}}};
  }
  ojson operator()(const CheckpointMetadata& c) const {
    return {{"checkpointMetadata", {{"version", c.version}}}};
  }
  ojson operator()(const UnknownAction&) const { return nullptr; }
};

}  // namespace

std::string SerializeActions(const std::vector<Action>& actions) {
  std::string out;
  for (const auto& a : actions) {
    ojson j = std::visit(ToJson{}, a);
    if (j.is_null()) continue;
    out += j.dump(-1, ' ', false, ojson::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

}  // namespace anatomy::delta
