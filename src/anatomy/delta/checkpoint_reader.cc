#include "anatomy/delta/checkpoint_reader.h"

#include <arrow/api.h>
#include <arrow/util/checked_cast.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>

#include <nlohmann/json.hpp>

#include "anatomy/delta/json_util.h"

namespace anatomy::delta {

namespace {

using arrow::internal::checked_cast;

/// The children of one struct array, resolved once (rows then look them up by name cheaply).
struct StructCache {
  explicit StructCache(const arrow::StructArray* a) : arr(a) {
    if (!arr) return;
    for (int i = 0; i < arr->num_fields(); ++i) {
      names.push_back(arr->type()->field(i)->name());
      children.push_back(arr->field(i));
      subs.emplace_back();
    }
  }
  int Find(const char* name) const {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
  const StructCache* Sub(int i) const {
    if (!subs[i] && children[i]->type_id() == arrow::Type::STRUCT) {
      subs[i] =
          std::make_unique<StructCache>(checked_cast<const arrow::StructArray*>(children[i].get()));
    }
    return subs[i].get();
  }
  const arrow::StructArray* arr;
  std::vector<std::string> names;
  std::vector<std::shared_ptr<arrow::Array>> children;
  mutable std::vector<std::unique_ptr<StructCache>> subs;
};

/// Typed access to the children of one struct column row; absent or mistyped children read as
/// null. The error location is only formatted when an error is reported.
class Row {
 public:
  Row(const StructCache* cache, int64_t i, const std::string* file, const char* kind,
      std::string suffix = "")
      : cache_(cache), i_(i), file_(file), kind_(kind), suffix_(std::move(suffix)) {}

  const arrow::Array* Child(const char* name) const {
    if (!cache_) return nullptr;
    int idx = cache_->Find(name);
    if (idx < 0) return nullptr;
    const arrow::Array* c = cache_->children[idx].get();
    return c->IsNull(i_) ? nullptr : c;
  }
  std::optional<std::string> Str(const char* name) const {
    const auto* c = Child(name);
    if (!c) return std::nullopt;
    if (c->type_id() == arrow::Type::STRING)
      return checked_cast<const arrow::StringArray*>(c)->GetString(i_);
    if (c->type_id() == arrow::Type::LARGE_STRING)
      return checked_cast<const arrow::LargeStringArray*>(c)->GetString(i_);
    if (c->type_id() == arrow::Type::BINARY)
      return checked_cast<const arrow::BinaryArray*>(c)->GetString(i_);
    return std::nullopt;
  }
  std::optional<int64_t> Int(const char* name) const {
    const auto* c = Child(name);
    if (!c) return std::nullopt;
    switch (c->type_id()) {
      case arrow::Type::INT64:
        return checked_cast<const arrow::Int64Array*>(c)->Value(i_);
      case arrow::Type::INT32:
        return checked_cast<const arrow::Int32Array*>(c)->Value(i_);
      case arrow::Type::INT16:
        return checked_cast<const arrow::Int16Array*>(c)->Value(i_);
      default:
        return std::nullopt;
    }
  }
  std::optional<bool> Bool(const char* name) const {
    const auto* c = Child(name);
    if (!c || c->type_id() != arrow::Type::BOOL) return std::nullopt;
    return checked_cast<const arrow::BooleanArray*>(c)->Value(i_);
  }
  Result<std::optional<PartitionValues>> Map(const char* name) const {
    const auto* c = Child(name);
    if (!c) return std::nullopt;
    if (c->type_id() != arrow::Type::MAP)
      return Status::Invalid(where(), ".", name, ": expected a map");
    const auto* m = checked_cast<const arrow::MapArray*>(c);
    auto keys = m->keys();
    auto items = m->items();
    if (keys->type_id() != arrow::Type::STRING || items->type_id() != arrow::Type::STRING) {
      return Status::Invalid(where(), ".", name, ": expected map<string,string>");
    }
    const auto* k = checked_cast<const arrow::StringArray*>(keys.get());
    const auto* v = checked_cast<const arrow::StringArray*>(items.get());
    PartitionValues out;
    for (int64_t j = m->value_offset(i_); j < m->value_offset(i_) + m->value_length(i_); ++j) {
      if (k->IsNull(j)) continue;
      out[k->GetString(j)] =
          v->IsNull(j) ? std::nullopt : std::optional<std::string>(v->GetString(j));
    }
    return out;
  }
  Result<std::optional<StringMap>> StrMap(const char* name) const {
    ARROW_ASSIGN_OR_RAISE(auto pv, Map(name));
    if (!pv) return std::nullopt;
    StringMap out;
    for (auto& [k, v] : *pv) {
      if (v) out[k] = *v;
    }
    return out;
  }
  std::optional<std::vector<std::string>> StrList(const char* name) const {
    const auto* c = Child(name);
    if (!c || c->type_id() != arrow::Type::LIST) return std::nullopt;
    const auto* l = checked_cast<const arrow::ListArray*>(c);
    auto values = l->values();
    if (values->type_id() != arrow::Type::STRING) return std::nullopt;
    const auto* s = checked_cast<const arrow::StringArray*>(values.get());
    std::vector<std::string> out;
    for (int64_t j = l->value_offset(i_); j < l->value_offset(i_) + l->value_length(i_); ++j) {
      if (!s->IsNull(j)) out.push_back(s->GetString(j));
    }
    return out;
  }
  std::optional<Row> Sub(const char* name) const {
    const auto* c = Child(name);
    if (!c || c->type_id() != arrow::Type::STRUCT) return std::nullopt;
    return Row(cache_->Sub(cache_->Find(name)), i_, file_, kind_, suffix_ + "." + name);
  }
  int64_t index() const { return i_; }
  std::string where() const {
    return *file_ + ": row " + std::to_string(i_) + ": " + kind_ + suffix_;
  }

 private:
  const StructCache* cache_;
  int64_t i_;
  const std::string* file_;
  const char* kind_;
  std::string suffix_;
};

/// JSON of a stats_parsed value (for checkpoints written without JSON stats).
nlohmann::json ScalarJson(const arrow::Scalar& s) {
  if (!s.is_valid) return nullptr;
  switch (s.type->id()) {
    case arrow::Type::STRUCT: {
      const auto& st = checked_cast<const arrow::StructScalar&>(s);
      nlohmann::json o = nlohmann::json::object();
      for (int i = 0; i < st.type->num_fields(); ++i) {
        auto v = ScalarJson(*st.value[i]);
        if (!v.is_null()) o[st.type->field(i)->name()] = v;
      }
      return o;
    }
    case arrow::Type::INT8:
      return checked_cast<const arrow::Int8Scalar&>(s).value;
    case arrow::Type::INT16:
      return checked_cast<const arrow::Int16Scalar&>(s).value;
    case arrow::Type::INT32:
      return checked_cast<const arrow::Int32Scalar&>(s).value;
    case arrow::Type::INT64:
      return checked_cast<const arrow::Int64Scalar&>(s).value;
    case arrow::Type::FLOAT:
      return checked_cast<const arrow::FloatScalar&>(s).value;
    case arrow::Type::DOUBLE:
      return checked_cast<const arrow::DoubleScalar&>(s).value;
    case arrow::Type::BOOL:
      return checked_cast<const arrow::BooleanScalar&>(s).value;
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::BINARY:
      return std::string(checked_cast<const arrow::BaseBinaryScalar&>(s).view());
    case arrow::Type::TIMESTAMP:
    case arrow::Type::DATE32:
    case arrow::Type::DECIMAL128: {
      // The stats codec (stats.cc) parses the same textual forms JSON stats use.
      auto str = s.ToString();
      if (s.type->id() == arrow::Type::TIMESTAMP) {
        const auto& ts = checked_cast<const arrow::TimestampType&>(*s.type);
        auto cast = s.CastTo(arrow::timestamp(ts.unit()));
        if (cast.ok()) str = (*cast)->ToString();
        std::replace(str.begin(), str.end(), ' ', 'T');
        if (!str.empty() && str.back() != 'Z') str += "Z";
      }
      return str;
    }
    default:
      return nullptr;
  }
}

Result<std::optional<DeletionVectorDescriptor>> Dv(const Row& r) {
  auto sub = r.Sub("deletionVector");
  if (!sub) return std::nullopt;
  DeletionVectorDescriptor dv;
  auto st = sub->Str("storageType");
  auto p = sub->Str("pathOrInlineDv");
  auto size = sub->Int("sizeInBytes");
  auto card = sub->Int("cardinality");
  if (!st || !p || !size || !card)
    return Status::Invalid(r.where(), ".deletionVector: incomplete descriptor");
  dv.storage_type = *st;
  dv.path_or_inline_dv = *p;
  if (auto off = sub->Int("offset")) dv.offset = static_cast<int32_t>(*off);
  dv.size_in_bytes = static_cast<int32_t>(*size);
  dv.cardinality = *card;
  return dv;
}

Result<std::optional<std::string>> Stats(const Row& r) {
  if (auto s = r.Str("stats")) return s;
  const auto* parsed = r.Child("stats_parsed");
  if (!parsed) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto scalar, parsed->GetScalar(r.index()));
  auto j = ScalarJson(*scalar);
  if (!j.is_object()) return std::nullopt;
  return SafeDump(j);
}

/// The action columns of one checkpoint chunk, resolved once.
struct Columns {
  Columns(const arrow::Table& table, int chunk) {
    auto get = [&](const char* name) -> std::unique_ptr<StructCache> {
      auto c = table.GetColumnByName(name);
      if (!c || c->type()->id() != arrow::Type::STRUCT) return nullptr;
      return std::make_unique<StructCache>(
          checked_cast<const arrow::StructArray*>(c->chunk(chunk).get()));
    };
    add = get("add");
    remove = get("remove");
    meta = get("metaData");
    protocol = get("protocol");
    txn = get("txn");
    domain = get("domainMetadata");
    sidecar = get("sidecar");
    cp_meta = get("checkpointMetadata");
  }
  std::unique_ptr<StructCache> add, remove, meta, protocol, txn, domain, sidecar, cp_meta;
};

Status ReadRow(const Columns& cols, int64_t chunk_row, const std::string& where,
               std::vector<Action>* out) {
  auto valid = [&](const std::unique_ptr<StructCache>& c) {
    return c && c->arr->IsValid(chunk_row);
  };
  auto here = [&]() { return where + ": row " + std::to_string(chunk_row); };
  if (valid(cols.add)) {
    Row r(cols.add.get(), chunk_row, &where, "add");
    AddFile f;
    auto path = r.Str("path");
    auto size = r.Int("size");
    if (!path || !size) return Status::Invalid(here(), ": add without path or size");
    f.path = *path;
    f.size = *size;
    ARROW_ASSIGN_OR_RAISE(auto pv, r.Map("partitionValues"));
    if (pv) f.partition_values = *pv;
    f.modification_time = r.Int("modificationTime").value_or(0);
    f.data_change = r.Bool("dataChange").value_or(false);
    ARROW_ASSIGN_OR_RAISE(f.stats, Stats(r));
    ARROW_ASSIGN_OR_RAISE(f.tags, r.StrMap("tags"));
    ARROW_ASSIGN_OR_RAISE(f.deletion_vector, Dv(r));
    f.base_row_id = r.Int("baseRowId");
    f.default_row_commit_version = r.Int("defaultRowCommitVersion");
    f.clustering_provider = r.Str("clusteringProvider");
    out->push_back(std::move(f));
  }
  if (valid(cols.remove)) {
    Row r(cols.remove.get(), chunk_row, &where, "remove");
    RemoveFile f;
    auto path = r.Str("path");
    if (!path) return Status::Invalid(here(), ": remove without path");
    f.path = *path;
    f.deletion_timestamp = r.Int("deletionTimestamp");
    f.data_change = r.Bool("dataChange").value_or(false);
    f.extended_file_metadata = r.Bool("extendedFileMetadata");
    ARROW_ASSIGN_OR_RAISE(f.partition_values, r.Map("partitionValues"));
    f.size = r.Int("size");
    ARROW_ASSIGN_OR_RAISE(f.deletion_vector, Dv(r));
    out->push_back(std::move(f));
  }
  if (valid(cols.meta)) {
    Row r(cols.meta.get(), chunk_row, &where, "metaData");
    Metadata m;
    auto id = r.Str("id");
    auto schema = r.Str("schemaString");
    if (!id || !schema) return Status::Invalid(here(), ": metaData without id or schemaString");
    m.id = *id;
    m.schema_string = *schema;
    m.name = r.Str("name");
    m.description = r.Str("description");
    if (auto fmt = r.Sub("format")) {
      if (auto p = fmt->Str("provider")) m.format_provider = *p;
      ARROW_ASSIGN_OR_RAISE(auto opts, fmt->StrMap("options"));
      if (opts) m.format_options = *opts;
    }
    if (auto pcs = r.StrList("partitionColumns")) m.partition_columns = *pcs;
    ARROW_ASSIGN_OR_RAISE(auto conf, r.StrMap("configuration"));
    if (conf) m.configuration = *conf;
    m.created_time = r.Int("createdTime");
    out->push_back(std::move(m));
  }
  if (valid(cols.protocol)) {
    Row r(cols.protocol.get(), chunk_row, &where, "protocol");
    Protocol p;
    auto rv = r.Int("minReaderVersion");
    auto wv = r.Int("minWriterVersion");
    if (!rv || !wv) return Status::Invalid(here(), ": protocol without versions");
    p.min_reader_version = static_cast<int32_t>(*rv);
    p.min_writer_version = static_cast<int32_t>(*wv);
    p.reader_features = r.StrList("readerFeatures");
    p.writer_features = r.StrList("writerFeatures");
    out->push_back(std::move(p));
  }
  if (valid(cols.txn)) {
    Row r(cols.txn.get(), chunk_row, &where, "txn");
    Txn t;
    auto app = r.Str("appId");
    auto v = r.Int("version");
    if (!app || !v) return Status::Invalid(here(), ": txn without appId or version");
    t.app_id = *app;
    t.version = *v;
    t.last_updated = r.Int("lastUpdated");
    out->push_back(std::move(t));
  }
  if (valid(cols.domain)) {
    Row r(cols.domain.get(), chunk_row, &where, "domainMetadata");
    DomainMetadata d;
    auto dom = r.Str("domain");
    if (!dom) return Status::Invalid(here(), ": domainMetadata without domain");
    d.domain = *dom;
    d.configuration = r.Str("configuration").value_or("");
    d.removed = r.Bool("removed").value_or(false);
    out->push_back(std::move(d));
  }
  if (valid(cols.sidecar)) {
    Row r(cols.sidecar.get(), chunk_row, &where, "sidecar");
    Sidecar s;
    auto p = r.Str("path");
    if (!p) return Status::Invalid(here(), ": sidecar without path");
    s.path = *p;
    s.size_in_bytes = r.Int("sizeInBytes").value_or(0);
    s.modification_time = r.Int("modificationTime").value_or(0);
    out->push_back(std::move(s));
  }
  if (valid(cols.cp_meta)) {
    Row r(cols.cp_meta.get(), chunk_row, &where, "checkpointMetadata");
    out->push_back(CheckpointMetadata{r.Int("version").value_or(0)});
  }
  return Status::OK();
}

Result<std::shared_ptr<arrow::Table>> ReadTableWall(
    std::shared_ptr<arrow::io::RandomAccessFile> file, const std::string& path) {
  // Parquet reports some corruption by throwing; this is its wall.
  try {
    auto reader = parquet::arrow::OpenFile(file, arrow::default_memory_pool());
    if (!reader.ok())
      return Status::Invalid(path, ": not a readable Parquet file: ", reader.status().message());
    auto read = (*reader)->ReadTable();
    if (!read.ok())
      return Status::Invalid(path, ": cannot read checkpoint: ", read.status().message());
    ARROW_ASSIGN_OR_RAISE(auto table, (*read)->CombineChunks());
    return table;
  } catch (const std::exception& e) {
    return Status::Invalid(path, ": corrupt Parquet: ", e.what());
  }
}

}  // namespace

Status ReadParquetActions(Storage& storage, const std::string& path, std::vector<Action>* out) {
  ARROW_ASSIGN_OR_RAISE(auto file, storage.OpenRead(path));
  ARROW_ASSIGN_OR_RAISE(auto table, ReadTableWall(file, path));
  if (table->num_columns() == 0) return Status::OK();
  out->reserve(out->size() + static_cast<size_t>(table->num_rows()));
  int chunks = table->column(0)->num_chunks();
  for (int c = 0; c < chunks; ++c) {
    Columns cols(*table, c);
    int64_t rows = table->column(0)->chunk(c)->length();
    for (int64_t i = 0; i < rows; ++i) ARROW_RETURN_NOT_OK(ReadRow(cols, i, path, out));
  }
  return Status::OK();
}

}  // namespace anatomy::delta
