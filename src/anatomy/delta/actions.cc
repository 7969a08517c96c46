#include "anatomy/delta/actions.h"

#include <nlohmann/json.hpp>

#include "anatomy/delta/json_util.h"

namespace anatomy::delta {

using json = nlohmann::json;

std::string DeletionVectorDescriptor::UniqueId() const {
  std::string id = storage_type + path_or_inline_dv;
  if (offset) id += "@" + std::to_string(*offset);
  return id;
}

namespace {

Result<DeletionVectorDescriptor> ParseDv(const JsonReader& r) {
  DeletionVectorDescriptor dv;
  ARROW_ASSIGN_OR_RAISE(dv.storage_type, r.String("storageType"));
  if (dv.storage_type != "u" && dv.storage_type != "i" && dv.storage_type != "p") {
    return r.Error("storageType", "must be 'u', 'i' or 'p'");
  }
  ARROW_ASSIGN_OR_RAISE(dv.path_or_inline_dv, r.String("pathOrInlineDv"));
  ARROW_ASSIGN_OR_RAISE(auto off, r.OptInt("offset"));
  if (off) {
    if (*off < 0 || *off > INT32_MAX) return r.Error("offset", "out of range");
    dv.offset = static_cast<int32_t>(*off);
  }
  ARROW_ASSIGN_OR_RAISE(auto size, r.Int("sizeInBytes"));
  if (size < 0 || size > INT32_MAX) return r.Error("sizeInBytes", "out of range");
  dv.size_in_bytes = static_cast<int32_t>(size);
  ARROW_ASSIGN_OR_RAISE(dv.cardinality, r.Int("cardinality"));
  return dv;
}

Result<std::optional<DeletionVectorDescriptor>> OptDv(const JsonReader& r) {
  ARROW_ASSIGN_OR_RAISE(auto sub, r.OptObject("deletionVector"));
  if (!sub) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto dv, ParseDv(*sub));
  return dv;
}

Result<Action> ParseAction(const std::string& kind, const JsonReader& r) {
  if (kind == "protocol") {
    Protocol p;
    ARROW_ASSIGN_OR_RAISE(auto rv, r.Int("minReaderVersion"));
    ARROW_ASSIGN_OR_RAISE(auto wv, r.Int("minWriterVersion"));
    if (rv < 0 || rv > 1000 || wv < 0 || wv > 1000)
      return r.Error("", "protocol version out of range");
    p.min_reader_version = static_cast<int32_t>(rv);
    p.min_writer_version = static_cast<int32_t>(wv);
    ARROW_ASSIGN_OR_RAISE(p.reader_features, r.OptStringList("readerFeatures"));
    ARROW_ASSIGN_OR_RAISE(p.writer_features, r.OptStringList("writerFeatures"));
    return p;
  }
  if (kind == "metaData") {
    Metadata m;
    ARROW_ASSIGN_OR_RAISE(m.id, r.String("id"));
    ARROW_ASSIGN_OR_RAISE(m.name, r.OptString("name"));
    ARROW_ASSIGN_OR_RAISE(m.description, r.OptString("description"));
    ARROW_ASSIGN_OR_RAISE(auto fmt, r.OptObject("format"));
    if (fmt) {
      ARROW_ASSIGN_OR_RAISE(auto prov, fmt->OptString("provider"));
      if (prov) m.format_provider = *prov;
      ARROW_ASSIGN_OR_RAISE(auto opts, fmt->OptStringMap("options"));
      if (opts) m.format_options = *opts;
    }
    ARROW_ASSIGN_OR_RAISE(m.schema_string, r.String("schemaString"));
    ARROW_ASSIGN_OR_RAISE(auto pcs, r.OptStringList("partitionColumns"));
    if (pcs) m.partition_columns = *pcs;
    ARROW_ASSIGN_OR_RAISE(auto conf, r.OptStringMap("configuration"));
    if (conf) m.configuration = *conf;
    ARROW_ASSIGN_OR_RAISE(m.created_time, r.OptInt("createdTime"));
    return m;
  }
  if (kind == "add") {
    AddFile a;
    ARROW_ASSIGN_OR_RAISE(a.path, r.String("path"));
    ARROW_ASSIGN_OR_RAISE(auto pv, r.OptPartitionValues("partitionValues"));
    if (pv) a.partition_values = *pv;
    ARROW_ASSIGN_OR_RAISE(a.size, r.Int("size"));
    ARROW_ASSIGN_OR_RAISE(auto mt, r.OptInt("modificationTime"));
    a.modification_time = mt.value_or(0);
    ARROW_ASSIGN_OR_RAISE(auto dc, r.OptBool("dataChange"));
    a.data_change = dc.value_or(true);
    ARROW_ASSIGN_OR_RAISE(a.stats, r.OptString("stats"));
    ARROW_ASSIGN_OR_RAISE(a.tags, r.OptStringMap("tags"));
    ARROW_ASSIGN_OR_RAISE(a.deletion_vector, OptDv(r));
    ARROW_ASSIGN_OR_RAISE(a.base_row_id, r.OptInt("baseRowId"));
    ARROW_ASSIGN_OR_RAISE(a.default_row_commit_version, r.OptInt("defaultRowCommitVersion"));
    ARROW_ASSIGN_OR_RAISE(a.clustering_provider, r.OptString("clusteringProvider"));
    return a;
  }
  if (kind == "remove") {
    RemoveFile a;
    ARROW_ASSIGN_OR_RAISE(a.path, r.String("path"));
    ARROW_ASSIGN_OR_RAISE(a.deletion_timestamp, r.OptInt("deletionTimestamp"));
    ARROW_ASSIGN_OR_RAISE(auto dc, r.OptBool("dataChange"));
    a.data_change = dc.value_or(true);
    ARROW_ASSIGN_OR_RAISE(a.extended_file_metadata, r.OptBool("extendedFileMetadata"));
    ARROW_ASSIGN_OR_RAISE(a.partition_values, r.OptPartitionValues("partitionValues"));
    ARROW_ASSIGN_OR_RAISE(a.size, r.OptInt("size"));
    ARROW_ASSIGN_OR_RAISE(a.stats, r.OptString("stats"));
    ARROW_ASSIGN_OR_RAISE(a.tags, r.OptStringMap("tags"));
    ARROW_ASSIGN_OR_RAISE(a.deletion_vector, OptDv(r));
    ARROW_ASSIGN_OR_RAISE(a.base_row_id, r.OptInt("baseRowId"));
    ARROW_ASSIGN_OR_RAISE(a.default_row_commit_version, r.OptInt("defaultRowCommitVersion"));
    return a;
  }
  if (kind == "cdc") {
    AddCdcFile c;
    ARROW_ASSIGN_OR_RAISE(c.path, r.String("path"));
    ARROW_ASSIGN_OR_RAISE(auto pv, r.OptPartitionValues("partitionValues"));
    if (pv) c.partition_values = *pv;
    ARROW_ASSIGN_OR_RAISE(c.size, r.Int("size"));
    ARROW_ASSIGN_OR_RAISE(auto dc, r.OptBool("dataChange"));
    c.data_change = dc.value_or(false);
    ARROW_ASSIGN_OR_RAISE(c.tags, r.OptStringMap("tags"));
    return c;
  }
  if (kind == "txn") {
    Txn t;
    ARROW_ASSIGN_OR_RAISE(t.app_id, r.String("appId"));
    ARROW_ASSIGN_OR_RAISE(t.version, r.Int("version"));
    ARROW_ASSIGN_OR_RAISE(t.last_updated, r.OptInt("lastUpdated"));
    return t;
  }
  if (kind == "domainMetadata") {
    DomainMetadata d;
    ARROW_ASSIGN_OR_RAISE(d.domain, r.String("domain"));
    ARROW_ASSIGN_OR_RAISE(d.configuration, r.String("configuration"));
    ARROW_ASSIGN_OR_RAISE(auto rem, r.OptBool("removed"));
    d.removed = rem.value_or(false);
    return d;
  }
  if (kind == "commitInfo") {
    CommitInfo c;
    ARROW_ASSIGN_OR_RAISE(c.timestamp, r.OptInt("timestamp"));
    ARROW_ASSIGN_OR_RAISE(c.in_commit_timestamp, r.OptInt("inCommitTimestamp"));
    ARROW_ASSIGN_OR_RAISE(c.operation, r.OptString("operation"));
    ARROW_ASSIGN_OR_RAISE(c.read_version, r.OptInt("readVersion"));
    ARROW_ASSIGN_OR_RAISE(c.engine_info, r.OptString("engineInfo"));
    ARROW_ASSIGN_OR_RAISE(c.is_blind_append, r.OptBool("isBlindAppend"));
    c.operation_parameters = r.LooseStringMap("operationParameters");
    c.user_metadata = r.TopLevelStrings({"operation", "engineInfo", "txnId", "isolationLevel"});
    c.json = r.Dump();
    return c;
  }
  if (kind == "sidecar") {
    Sidecar s;
    ARROW_ASSIGN_OR_RAISE(s.path, r.String("path"));
    ARROW_ASSIGN_OR_RAISE(s.size_in_bytes, r.Int("sizeInBytes"));
    ARROW_ASSIGN_OR_RAISE(auto mt, r.OptInt("modificationTime"));
    s.modification_time = mt.value_or(0);
    return s;
  }
  if (kind == "checkpointMetadata") {
    CheckpointMetadata c;
    ARROW_ASSIGN_OR_RAISE(c.version, r.Int("version"));
    return c;
  }
  return UnknownAction{kind};
}

}  // namespace

Result<std::vector<Action>> ParseCommit(std::string_view text, std::string_view file) {
  std::vector<Action> out;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string where = std::string(file) + ":" + std::to_string(line_no);
    ARROW_ASSIGN_OR_RAISE(json doc, ParseJson(line, where));
    if (!doc.is_object() || doc.size() != 1) {
      return Status::Invalid(where, ": an action line must be a JSON object with exactly one key");
    }
    auto it = doc.begin();
    if (!it.value().is_object()) {
      return Status::Invalid(where, ": action '", it.key(), "' must be a JSON object");
    }
    JsonReader reader(&it.value(), where + ": " + it.key());
    ARROW_ASSIGN_OR_RAISE(auto action, ParseAction(it.key(), reader));
    out.push_back(std::move(action));
  }
  return out;
}

}  // namespace anatomy::delta
