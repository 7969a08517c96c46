#include "anatomy/delta/checkpoint_writer.h"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <parquet/arrow/writer.h>

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "anatomy/delta/data_writer.h"
#include "anatomy/delta/log_files.h"
#include "anatomy/delta/protocol.h"

namespace anatomy::delta {

namespace {

using arrow::field;

std::shared_ptr<arrow::DataType> StrMap() { return arrow::map(arrow::utf8(), arrow::utf8()); }

std::shared_ptr<arrow::DataType> DvType() {
  return arrow::struct_({field("storageType", arrow::utf8()),
                         field("pathOrInlineDv", arrow::utf8()), field("offset", arrow::int32()),
                         field("sizeInBytes", arrow::int32()),
                         field("cardinality", arrow::int64())});
}

/// The checkpoint columns; a V2-spec checkpoint adds `checkpointMetadata` (PROTOCOL.md
/// "Checkpoint Schema", "V2 Spec").
std::shared_ptr<arrow::Schema> CheckpointSchema(bool v2) {
  auto txn = arrow::struct_({field("appId", arrow::utf8()), field("version", arrow::int64()),
                             field("lastUpdated", arrow::int64())});
  auto add = arrow::struct_(
      {field("path", arrow::utf8()), field("partitionValues", StrMap()),
       field("size", arrow::int64()), field("modificationTime", arrow::int64()),
       field("dataChange", arrow::boolean()), field("stats", arrow::utf8()),
       field("tags", StrMap()), field("deletionVector", DvType()),
       field("baseRowId", arrow::int64()), field("defaultRowCommitVersion", arrow::int64())});
  auto remove = arrow::struct_(
      {field("path", arrow::utf8()), field("deletionTimestamp", arrow::int64()),
       field("dataChange", arrow::boolean()), field("extendedFileMetadata", arrow::boolean()),
       field("partitionValues", StrMap()), field("size", arrow::int64()),
       field("deletionVector", DvType()), field("baseRowId", arrow::int64()),
       field("defaultRowCommitVersion", arrow::int64())});
  auto meta = arrow::struct_(
      {field("id", arrow::utf8()), field("name", arrow::utf8()),
       field("description", arrow::utf8()),
       field("format",
             arrow::struct_({field("provider", arrow::utf8()), field("options", StrMap())})),
       field("schemaString", arrow::utf8()), field("partitionColumns", arrow::list(arrow::utf8())),
       field("configuration", StrMap()), field("createdTime", arrow::int64())});
  auto protocol = arrow::struct_({field("minReaderVersion", arrow::int32()),
                                  field("minWriterVersion", arrow::int32()),
                                  field("readerFeatures", arrow::list(arrow::utf8())),
                                  field("writerFeatures", arrow::list(arrow::utf8()))});
  auto domain =
      arrow::struct_({field("domain", arrow::utf8()), field("configuration", arrow::utf8()),
                      field("removed", arrow::boolean())});
  arrow::FieldVector fields = {field("txn", txn),           field("add", add),
                               field("remove", remove),     field("metaData", meta),
                               field("protocol", protocol), field("domainMetadata", domain)};
  if (v2) {
    fields.push_back(field("checkpointMetadata", arrow::struct_({field("version", arrow::int64()),
                                                                 field("tags", StrMap())})));
  }
  return arrow::schema(fields);
}

/// Appends to the child builders of one struct column.
struct Row {
  arrow::StructBuilder* b;
  int i = 0;
  arrow::ArrayBuilder* Next() { return b->field_builder(i++); }
  Status Str(const std::optional<std::string>& v) {
    auto* c = static_cast<arrow::StringBuilder*>(Next());
    return v ? c->Append(*v) : c->AppendNull();
  }
  Status I64(std::optional<int64_t> v) {
    auto* c = static_cast<arrow::Int64Builder*>(Next());
    return v ? c->Append(*v) : c->AppendNull();
  }
  Status I32(std::optional<int32_t> v) {
    auto* c = static_cast<arrow::Int32Builder*>(Next());
    return v ? c->Append(*v) : c->AppendNull();
  }
  Status Bool(std::optional<bool> v) {
    auto* c = static_cast<arrow::BooleanBuilder*>(Next());
    return v ? c->Append(*v) : c->AppendNull();
  }
  Status Map(const std::optional<PartitionValues>& m) {
    auto* c = static_cast<arrow::MapBuilder*>(Next());
    if (!m) return c->AppendNull();
    ARROW_RETURN_NOT_OK(c->Append());
    auto* k = static_cast<arrow::StringBuilder*>(c->key_builder());
    auto* v = static_cast<arrow::StringBuilder*>(c->item_builder());
    for (const auto& [key, val] : *m) {
      ARROW_RETURN_NOT_OK(k->Append(key));
      ARROW_RETURN_NOT_OK(val ? v->Append(*val) : v->AppendNull());
    }
    return Status::OK();
  }
  Status SMap(const std::optional<StringMap>& m) {
    if (!m) return Map(std::nullopt);
    PartitionValues pv;
    for (const auto& [k, v] : *m) pv[k] = v;
    return Map(pv);
  }
  Status List(const std::optional<std::vector<std::string>>& l) {
    auto* c = static_cast<arrow::ListBuilder*>(Next());
    if (!l) return c->AppendNull();
    ARROW_RETURN_NOT_OK(c->Append());
    auto* v = static_cast<arrow::StringBuilder*>(c->value_builder());
    for (const auto& s : *l) ARROW_RETURN_NOT_OK(v->Append(s));
    return Status::OK();
  }
  Status Dv(const std::optional<DeletionVectorDescriptor>& dv) {
    auto* c = static_cast<arrow::StructBuilder*>(Next());
    if (!dv) return c->AppendNull();
    ARROW_RETURN_NOT_OK(c->Append());
    Row r{c};
    ARROW_RETURN_NOT_OK(r.Str(dv->storage_type));
    ARROW_RETURN_NOT_OK(r.Str(dv->path_or_inline_dv));
    ARROW_RETURN_NOT_OK(r.I32(dv->offset));
    ARROW_RETURN_NOT_OK(r.I32(dv->size_in_bytes));
    return r.I64(dv->cardinality);
  }
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<int64_t> ParseIntervalMs(const std::string& text) {
  std::string s;
  for (char c : text) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (s.rfind("interval", 0) == 0) s = s.substr(8);
  long long n = 0;
  char unit[32] = {0};
  if (std::sscanf(s.c_str(), " %lld %31s", &n, unit) != 2 || n < 0) {
    return Status::Invalid("cannot parse interval '", text, "'");
  }
  std::string u(unit);
  if (!u.empty() && u.back() == 's') u.pop_back();
  int64_t ms = 0;
  if (u == "millisecond")
    ms = 1;
  else if (u == "second")
    ms = 1000;
  else if (u == "minute")
    ms = 60'000;
  else if (u == "hour")
    ms = 3'600'000;
  else if (u == "day")
    ms = 86'400'000;
  else if (u == "week")
    ms = 7 * 86'400'000ll;
  else
    return Status::Invalid("unknown interval unit in '", text, "'");
  return n * ms;
}

bool UsesV2Checkpoints(const Snapshot& snap) {
  return HasReaderFeature(snap.protocol, "v2Checkpoint") &&
         HasWriterFeature(snap.protocol, "v2Checkpoint") &&
         snap.Property("delta.checkpointPolicy", "v2") != "classic";
}

Result<CheckpointInfo> WriteCheckpoint(Storage& storage, const Snapshot& snap) {
  const bool v2 = UsesV2Checkpoints(snap);
  auto schema = CheckpointSchema(v2);
  std::vector<std::unique_ptr<arrow::StructBuilder>> builders;
  for (const auto& f : schema->fields()) {
    std::unique_ptr<arrow::ArrayBuilder> b;
    ARROW_RETURN_NOT_OK(arrow::MakeBuilder(arrow::default_memory_pool(), f->type(), &b));
    builders.emplace_back(static_cast<arrow::StructBuilder*>(b.release()));
  }
  // One row per action: exactly one of the six columns is set.
  auto row = [&](int which, auto&& fill) -> Status {
    for (int c = 0; c < static_cast<int>(builders.size()); ++c) {
      if (c == which) {
        ARROW_RETURN_NOT_OK(builders[c]->Append());
        Row r{builders[c].get()};
        ARROW_RETURN_NOT_OK(fill(r));
      } else {
        ARROW_RETURN_NOT_OK(builders[c]->AppendNull());
      }
    }
    return Status::OK();
  };
  CheckpointInfo info;
  info.version = snap.version;
  info.v2 = v2;
  if (v2) {
    // Exactly one checkpointMetadata action; file actions stay inline (no sidecars).
    ARROW_RETURN_NOT_OK(row(6, [&](Row& r) -> Status {
      ARROW_RETURN_NOT_OK(r.I64(snap.version));
      return r.SMap(std::nullopt);
    }));
  }
  const Protocol& p = snap.protocol;
  ARROW_RETURN_NOT_OK(row(4, [&](Row& r) -> Status {
    ARROW_RETURN_NOT_OK(r.I32(p.min_reader_version));
    ARROW_RETURN_NOT_OK(r.I32(p.min_writer_version));
    ARROW_RETURN_NOT_OK(r.List(p.reader_features));
    return r.List(p.writer_features);
  }));
  const Metadata& m = snap.metadata;
  ARROW_RETURN_NOT_OK(row(3, [&](Row& r) -> Status {
    ARROW_RETURN_NOT_OK(r.Str(m.id));
    ARROW_RETURN_NOT_OK(r.Str(m.name));
    ARROW_RETURN_NOT_OK(r.Str(m.description));
    auto* fmt = static_cast<arrow::StructBuilder*>(r.Next());
    ARROW_RETURN_NOT_OK(fmt->Append());
    Row fr{fmt};
    ARROW_RETURN_NOT_OK(fr.Str(m.format_provider));
    ARROW_RETURN_NOT_OK(fr.SMap(m.format_options));
    ARROW_RETURN_NOT_OK(r.Str(m.schema_string));
    ARROW_RETURN_NOT_OK(r.List(m.partition_columns));
    ARROW_RETURN_NOT_OK(r.SMap(m.configuration));
    return r.I64(m.created_time);
  }));
  for (const auto& txn_entry : snap.txns) {
    const Txn& t = txn_entry.second;
    ARROW_RETURN_NOT_OK(row(0, [&](Row& r) -> Status {
      ARROW_RETURN_NOT_OK(r.Str(t.app_id));
      ARROW_RETURN_NOT_OK(r.I64(t.version));
      return r.I64(t.last_updated);
    }));
  }
  for (const auto& domain_entry : snap.domains) {
    const DomainMetadata& d = domain_entry.second;
    ARROW_RETURN_NOT_OK(row(5, [&](Row& r) -> Status {
      ARROW_RETURN_NOT_OK(r.Str(d.domain));
      ARROW_RETURN_NOT_OK(r.Str(d.configuration));
      return r.Bool(d.removed);
    }));
  }
  for (const auto& a : snap.files) {
    ++info.num_add_files;
    ARROW_RETURN_NOT_OK(row(1, [&](Row& r) -> Status {
      ARROW_RETURN_NOT_OK(r.Str(a.path));
      ARROW_RETURN_NOT_OK(r.Map(a.partition_values));
      ARROW_RETURN_NOT_OK(r.I64(a.size));
      ARROW_RETURN_NOT_OK(r.I64(a.modification_time));
      ARROW_RETURN_NOT_OK(r.Bool(false));  // checkpoints record state, not changes
      ARROW_RETURN_NOT_OK(r.Str(a.stats));
      ARROW_RETURN_NOT_OK(r.SMap(a.tags));
      ARROW_RETURN_NOT_OK(r.Dv(a.deletion_vector));
      ARROW_RETURN_NOT_OK(r.I64(a.base_row_id));
      return r.I64(a.default_row_commit_version);
    }));
  }
  int64_t retention = 7 * 86'400'000ll;
  if (auto it = m.configuration.find("delta.deletedFileRetentionDuration");
      it != m.configuration.end()) {
    ARROW_ASSIGN_OR_RAISE(retention, ParseIntervalMs(it->second));
  }
  int64_t cutoff = NowMs() - retention;
  for (const auto& t : snap.tombstones) {
    if (t.deletion_timestamp.value_or(0) <= cutoff) continue;  // expired tombstones are dropped
    ARROW_RETURN_NOT_OK(row(2, [&](Row& r) -> Status {
      ARROW_RETURN_NOT_OK(r.Str(t.path));
      ARROW_RETURN_NOT_OK(r.I64(t.deletion_timestamp));
      ARROW_RETURN_NOT_OK(r.Bool(false));
      ARROW_RETURN_NOT_OK(r.Bool(t.extended_file_metadata));
      ARROW_RETURN_NOT_OK(r.Map(t.partition_values));
      ARROW_RETURN_NOT_OK(r.I64(t.size));
      ARROW_RETURN_NOT_OK(r.Dv(t.deletion_vector));
      ARROW_RETURN_NOT_OK(r.I64(t.base_row_id));
      return r.I64(t.default_row_commit_version);
    }));
  }
  arrow::ArrayVector columns;
  for (auto& b : builders) {
    ARROW_ASSIGN_OR_RAISE(auto arr, b->Finish());
    columns.push_back(arr);
  }
  auto table = arrow::Table::Make(schema, columns);
  info.num_actions = table->num_rows();
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  auto props = parquet::WriterProperties::Builder().compression(arrow::Compression::ZSTD)->build();
  ARROW_RETURN_NOT_OK(
      parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 1 << 20, props));
  ARROW_ASSIGN_OR_RAISE(auto buf, sink->Finish());
  info.size_in_bytes = buf->size();
  char name[128];
  if (v2) {
    // UUID-named: a fresh name never replaces another writer's checkpoint.
    std::snprintf(name, sizeof(name), "%020lld.checkpoint.%s.parquet",
                  static_cast<long long>(snap.version), NewUuid().c_str());
  } else {
    std::snprintf(name, sizeof(name), "%020lld.checkpoint.parquet",
                  static_cast<long long>(snap.version));
  }
  info.path = std::string(kLogDir) + "/" + name;
  ARROW_RETURN_NOT_OK(storage.PutAtomic(info.path, buf->ToString()));
  nlohmann::ordered_json lc;
  lc["version"] = snap.version;
  lc["size"] = info.num_actions;
  lc["sizeInBytes"] = info.size_in_bytes;
  lc["numOfAddFiles"] = info.num_add_files;
  if (v2) {
    nlohmann::ordered_json v2info;
    v2info["path"] = name;  // relative to _delta_log
    v2info["sizeInBytes"] = info.size_in_bytes;
    v2info["modificationTime"] = NowMs();
    lc["v2Checkpoint"] = v2info;
  }
  ARROW_RETURN_NOT_OK(storage.PutAtomic(std::string(kLogDir) + "/_last_checkpoint", lc.dump()));
  return info;
}

Result<CheckpointInfo> CheckpointLatest(std::shared_ptr<Storage> storage) {
  ARROW_ASSIGN_OR_RAISE(auto snap, LoadSnapshot(storage));
  return WriteCheckpoint(*storage, *snap);
}

Status MaybeCheckpoint(Storage& storage, int64_t version, const StringMap& configuration) {
  int64_t interval = 10;
  if (auto it = configuration.find("delta.checkpointInterval"); it != configuration.end()) {
    try {
      interval = std::stoll(it->second);
    } catch (const std::exception&) {
      return Status::Invalid("delta.checkpointInterval '", it->second, "' is not a number");
    }
  }
  if (interval <= 0 || version <= 0 || version % interval != 0) return Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto snap, LoadSnapshot(std::shared_ptr<Storage>(&storage, [](Storage*) {}),
                                                SnapshotOptions{version, std::nullopt}));
  return WriteCheckpoint(storage, *snap).status();
}

}  // namespace anatomy::delta
