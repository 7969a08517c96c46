#include "anatomy/delta/cdf.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <map>
#include <set>

#include "anatomy/delta/deletion_vector.h"
#include "anatomy/delta/log_files.h"
#include "anatomy/delta/scan.h"
#include "anatomy/delta/snapshot.h"

namespace anatomy::delta {

namespace cp = arrow::compute;

namespace {

Result<std::shared_ptr<arrow::Table>> WithColumns(const std::shared_ptr<arrow::Table>& t,
                                                  const std::shared_ptr<arrow::Schema>& out_schema,
                                                  const std::optional<std::string>& change_type,
                                                  int64_t version, int64_t ts) {
  std::vector<std::shared_ptr<arrow::ChunkedArray>> cols;
  int64_t n = t->num_rows();
  for (const auto& f : out_schema->fields()) {
    if (f->name() == "_change_type" && change_type) {
      ARROW_ASSIGN_OR_RAISE(auto a,
                            arrow::MakeArrayFromScalar(arrow::StringScalar(*change_type), n));
      cols.push_back(std::make_shared<arrow::ChunkedArray>(a));
    } else if (f->name() == "_commit_version") {
      ARROW_ASSIGN_OR_RAISE(auto a, arrow::MakeArrayFromScalar(arrow::Int64Scalar(version), n));
      cols.push_back(std::make_shared<arrow::ChunkedArray>(a));
    } else if (f->name() == "_commit_timestamp") {
      ARROW_ASSIGN_OR_RAISE(auto a,
                            arrow::MakeArrayFromScalar(arrow::TimestampScalar(ts, f->type()), n));
      cols.push_back(std::make_shared<arrow::ChunkedArray>(a));
    } else {
      auto c = t->GetColumnByName(f->name());
      if (!c) return Status::Invalid("change data: column ", f->name(), " missing");
      cols.push_back(c);
    }
  }
  return arrow::Table::Make(out_schema, cols, n);
}

/// Rows of `file` at the given physical row indexes (ignoring its own DV).
Result<std::shared_ptr<arrow::Table>> RowsAt(const Snapshot& snap, AddFile file,
                                             const std::shared_ptr<arrow::Schema>& schema,
                                             const std::vector<uint64_t>& rows) {
  file.deletion_vector.reset();
  ARROW_ASSIGN_OR_RAISE(auto t, ReadDataFile(snap, file, schema));
  arrow::Int64Builder b;
  for (uint64_t r : rows) {
    if (static_cast<int64_t>(r) < t->num_rows())
      ARROW_RETURN_NOT_OK(b.Append(static_cast<int64_t>(r)));
  }
  ARROW_ASSIGN_OR_RAISE(auto idx, b.Finish());
  ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(t, idx));
  return taken.table();
}

}  // namespace

Result<std::shared_ptr<arrow::Table>> ReadChangeDataFeed(std::shared_ptr<Storage> storage,
                                                         int64_t start,
                                                         std::optional<int64_t> end) {
  ARROW_ASSIGN_OR_RAISE(auto snap, LoadSnapshot(storage, SnapshotOptions{end, std::nullopt}));
  int64_t last = snap->version;
  if (start < 0 || start > last) {
    return Status::Invalid("change data feed: start version ", start, " is outside 0..", last);
  }
  ARROW_ASSIGN_OR_RAISE(auto data_schema, ToArrowSchema(snap->schema));
  // A snapshot copy whose schema also has _change_type, for reading cdc files.
  Snapshot cdc_snap = *snap;
  StructField ct;
  ct.name = "_change_type";
  ct.type = std::make_shared<DeltaType>();
  ct.type->primitive = "string";
  cdc_snap.schema.fields.push_back(ct);
  auto cdc_schema =
      data_schema->AddField(data_schema->num_fields(), arrow::field("_change_type", arrow::utf8()))
          .ValueOrDie();
  auto out_schema = arrow::schema(cdc_schema->fields());
  out_schema =
      out_schema
          ->AddField(out_schema->num_fields(), arrow::field("_commit_version", arrow::int64()))
          .ValueOrDie();
  out_schema = out_schema
                   ->AddField(out_schema->num_fields(),
                              arrow::field("_commit_timestamp",
                                           arrow::timestamp(arrow::TimeUnit::MILLI, "UTC")))
                   .ValueOrDie();
  std::vector<std::shared_ptr<arrow::Table>> parts;
  for (int64_t v = start; v <= last; ++v) {
    auto actions = ReadCommit(*storage, v);
    if (!actions.ok()) {
      return Status::Invalid("change data feed needs commit ", v, ": ", actions.status().message());
    }
    std::optional<int64_t> ts;
    bool has_cdc = false;
    for (const auto& a : *actions) {
      if (const auto* c = std::get_if<CommitInfo>(&a))
        ts = c->in_commit_timestamp ? c->in_commit_timestamp : c->timestamp;
      has_cdc = has_cdc || std::holds_alternative<AddCdcFile>(a);
    }
    if (!ts) {
      ARROW_ASSIGN_OR_RAISE(ts, CommitTimestamp(*storage, v));
    }
    if (has_cdc) {
      for (const auto& a : *actions) {
        const auto* c = std::get_if<AddCdcFile>(&a);
        if (!c) continue;
        AddFile f;
        f.path = c->path;
        f.partition_values = c->partition_values;
        ARROW_ASSIGN_OR_RAISE(auto t, ReadDataFile(cdc_snap, f, cdc_schema));
        ARROW_ASSIGN_OR_RAISE(auto w, WithColumns(t, out_schema, std::nullopt, v, *ts));
        parts.push_back(w);
      }
      continue;
    }
    // Without cdc files: pair a remove and an add of the same path (a DV update) and emit the
    // newly deleted rows; otherwise whole adds are inserts and whole removes are deletes.
    std::map<std::string, const RemoveFile*> removes;
    for (const auto& a : *actions) {
      if (const auto* r = std::get_if<RemoveFile>(&a); r && r->data_change) removes[r->path] = r;
    }
    std::set<std::string> paired;
    for (const auto& a : *actions) {
      const auto* add = std::get_if<AddFile>(&a);
      if (!add || !add->data_change) continue;
      auto it = removes.find(add->path);
      if (it != removes.end() && add->deletion_vector) {
        paired.insert(add->path);
        ARROW_ASSIGN_OR_RAISE(auto now_deleted,
                              LoadDeletionVector(*storage, *add->deletion_vector));
        std::vector<uint64_t> before;
        if (it->second->deletion_vector) {
          ARROW_ASSIGN_OR_RAISE(before, LoadDeletionVector(*storage, *it->second->deletion_vector));
        }
        std::vector<uint64_t> fresh;
        std::set_difference(now_deleted.begin(), now_deleted.end(), before.begin(), before.end(),
                            std::back_inserter(fresh));
        ARROW_ASSIGN_OR_RAISE(auto t, RowsAt(*snap, *add, data_schema, fresh));
        ARROW_ASSIGN_OR_RAISE(auto w, WithColumns(t, out_schema, "delete", v, *ts));
        parts.push_back(w);
        continue;
      }
      ARROW_ASSIGN_OR_RAISE(auto t, ReadDataFile(*snap, *add, data_schema));
      ARROW_ASSIGN_OR_RAISE(auto w, WithColumns(t, out_schema, "insert", v, *ts));
      parts.push_back(w);
    }
    for (const auto& [path, r] : removes) {
      if (paired.count(path)) continue;
      AddFile f;
      f.path = r->path;
      f.partition_values = r->partition_values.value_or(PartitionValues{});
      f.deletion_vector = r->deletion_vector;
      ARROW_ASSIGN_OR_RAISE(auto t, ReadDataFile(*snap, f, data_schema));
      ARROW_ASSIGN_OR_RAISE(auto w, WithColumns(t, out_schema, "delete", v, *ts));
      parts.push_back(w);
    }
  }
  if (parts.empty()) return arrow::Table::MakeEmpty(out_schema);
  return arrow::ConcatenateTables(parts);
}

}  // namespace anatomy::delta
