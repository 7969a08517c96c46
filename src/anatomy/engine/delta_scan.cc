// PlanBuilder::ScanDelta and the protocol compatibility report of Delta scans.
#include "anatomy/engine/delta_scan.h"

#include <arrow/acero/options.h>
#include <arrow/util/iterator.h>

#include <algorithm>

#include "anatomy/core/hash.h"
#include "anatomy/delta/protocol.h"
#include "anatomy/delta/pruning.h"
#include "anatomy/delta/scan.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/engine/plan_builder.h"
#include "anatomy/engine/session.h"
#include "anatomy/serde/json_codec.h"
#include "anatomy/serde/msgpack_codec.h"

namespace anatomy::engine {

namespace ac = arrow::acero;

artifacts::DeltaProtocolSnapshot ProtocolSnapshot(const delta::Protocol& p) {
  return {p.min_reader_version, p.min_writer_version,
          p.reader_features.value_or(std::vector<std::string>{}),
          p.writer_features.value_or(std::vector<std::string>{})};
}

artifacts::DeltaProtocolCompatibility ReadCompatibility(const delta::Protocol& p) {
  artifacts::DeltaProtocolCompatibility c;
  c.required_reader_version = p.min_reader_version;
  c.required_writer_version = p.min_writer_version;
  c.supported_reader_version = delta::kMaxReaderVersion;
  c.supported_writer_version = delta::kMaxWriterVersion;
  c.required_reader_features = p.reader_features.value_or(std::vector<std::string>{});
  c.required_writer_features = p.writer_features.value_or(std::vector<std::string>{});
  c.supported_reader_features = delta::SupportedReaderFeatures();
  c.supported_writer_features = delta::SupportedWriterFeatures();
  for (const auto& f : c.required_reader_features) {
    if (std::find(c.supported_reader_features.begin(), c.supported_reader_features.end(), f) ==
        c.supported_reader_features.end()) {
      c.missing_reader_features.push_back(f);
    }
  }
  for (const auto& f : c.required_writer_features) {
    if (std::find(c.supported_writer_features.begin(), c.supported_writer_features.end(), f) ==
        c.supported_writer_features.end()) {
      c.missing_writer_features.push_back(f);
    }
  }
  c.reader_version_ok =
      p.min_reader_version >= 1 && p.min_reader_version <= delta::kMaxReaderVersion;
  c.writer_version_ok =
      p.min_writer_version >= 1 && p.min_writer_version <= delta::kMaxWriterVersion;
  c.feature_support_ok = c.missing_reader_features.empty();
  const Status read = delta::CheckReadSupported(p);
  c.compatible = read.ok();
  if (!read.ok()) c.reason = read.message();
  return c;
}

PlanBuilder PlanBuilder::ScanDelta(const Session& session, const std::string& name,
                                   std::vector<std::string> columns,
                                   std::vector<delta::Predicate> filters) {
  PlanBuilder b;
  auto fail = [&](Status st) {
    b.Fail(std::move(st));
    return b;
  };
  auto spec = session.DeltaSource(name);
  if (!spec.ok()) return fail(spec.status());
  delta::SnapshotOptions snapshot_options{spec->version, spec->timestamp_ms,
                                          /*check_protocol=*/false};
  auto loaded = delta::LoadSnapshot(spec->uri, snapshot_options);
  if (!loaded.ok())
    return fail(loaded.status().WithMessage("scan of Delta source '", name,
                                            "': ", loaded.status().message()));
  std::shared_ptr<const delta::Snapshot> snapshot = *loaded;
  const auto compatibility = ReadCompatibility(snapshot->protocol);
  if (!compatibility.compatible) {
    return fail(
        Status::NotImplemented("scan of Delta source '", name, "' (", spec->uri,
                               "): protocol not supported: ", serde::EncodeJson(compatibility)));
  }
  delta::ScanOptions scan_options{columns, filters};
  auto schema = delta::ScanSchema(*snapshot, scan_options);
  if (!schema.ok()) return fail(schema.status());
  auto pruned = delta::PruneFiles(*snapshot, filters);
  if (!pruned.ok()) return fail(pruned.status());
  if (columns.empty()) {
    for (const auto& f : (*schema)->fields()) columns.push_back(f->name());
  }

  // The source reads lazily, each time the plan runs.
  auto make_iterator = [snapshot,
                        scan_options]() -> arrow::Iterator<std::shared_ptr<arrow::RecordBatch>> {
    auto reader = delta::ScanBatches(snapshot, scan_options);
    if (!reader.ok())
      return arrow::MakeErrorIterator<std::shared_ptr<arrow::RecordBatch>>(reader.status());
    return arrow::MakeFunctionIterator([r = *reader]() { return r->Next(); });
  };
  b.plan_.declaration = ac::Declaration("record_batch_source",
                                        ac::RecordBatchSourceNodeOptions(*schema, make_iterator));
  b.plan_.output_schema = *schema;
  std::vector<std::set<ColumnRef>> origins;
  for (const auto& f : (*schema)->fields()) origins.push_back({{name, f->name()}});
  b.origins_ = origins;

  std::vector<std::string> filter_texts;
  for (const auto& f : filters) filter_texts.push_back(f.ToString());
  PlanTreeNode node;
  node.kind = "delta_scan";
  node.dataset = name;
  node.columns = columns;
  node.exprs = filter_texts;
  b.plan_.nodes.push_back(node);
  b.plan_.lineage.scans.push_back({name, columns, filter_texts});
  b.plan_.lineage.filters.insert(b.plan_.lineage.filters.end(), filter_texts.begin(),
                                 filter_texts.end());
  auto& required = b.plan_.lineage.required_columns_by_dataset[name];
  required.insert(required.end(), columns.begin(), columns.end());
  for (const auto& f : filters) required.push_back(f.column);

  DeltaScanRecord record;
  record.table_uri = spec->uri;
  const std::string options_hash = serde::Fingerprint(spec->storage_options);
  const auto protocol = ProtocolSnapshot(snapshot->protocol);
  const artifacts::DeltaFeatureGate gate{delta::kMaxReaderVersion, delta::kMaxWriterVersion,
                                         compatibility.required_reader_features,
                                         compatibility.required_writer_features};
  record.pin = {name, snapshot->version, std::nullopt, gate, protocol, options_hash, true};
  if (spec->timestamp_ms) record.pin.timestamp = std::to_string(*spec->timestamp_ms);
  auto& u = record.unit;
  u.dataset_name = name;
  u.delta_version = snapshot->version;
  u.delta_timestamp = record.pin.timestamp;
  u.snapshot_timestamp = snapshot->timestamp_ms;
  u.delta_feature_gate = gate;
  u.delta_protocol = protocol;
  u.storage_options_hash = options_hash;
  u.protocol_compatible = true;
  u.protocol_compatibility = compatibility;
  u.total_files = pruned->total_files;
  u.candidate_file_count = pruned->candidate_files;
  u.pruned_file_count = pruned->pruned_files;
  for (const auto& f : pruned->candidates) u.candidate_files.push_back(f.path);
  u.pushed_filters = filter_texts;
  u.projected_columns = columns;
  const std::string version_part = spec->version ? std::to_string(*spec->version) : "latest";
  u.key = "scan::" + name + "::" + version_part + "::" + serde::Fingerprint(u).substr(0, 16);
  record.table = {name, "delta", snapshot->version, {}};
  for (const auto& f : (*schema)->fields()) {
    record.table.columns.push_back({f->name(), f->type()->ToString(), f->nullable()});
  }
  b.plan_.delta_scans.push_back(std::move(record));
  b.RefreshSchema(std::move(origins));
  return b;
}

}  // namespace anatomy::engine
