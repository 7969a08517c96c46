// Encode + decode of a representative plan-artifact payload to msgpack (and JSON for
// reference). `serde_bench --dump-payload FILE` writes the payload's msgpack so that
// bench/serde_vs_msgspec.sh can time Python msgspec on the identical bytes.

#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iostream>

#include "anatomy/artifacts/api.h"
#include "anatomy/serde/api.h"

namespace anatomy::bench {

using namespace anatomy::artifacts;  // NOLINT: bench-local brevity

/// The shape of a plan_artifacts_v8 row with its payloads inline.
struct PlanArtifactPayload {
  std::string view_name{};
  std::string plan_fingerprint{};
  std::vector<std::string> required_functions{};
  std::map<std::string, std::string> engine_settings{};
  std::vector<DeltaInputPin> delta_inputs{};
  LineagePayload lineage{};
  std::vector<ScanUnitPayload> scan_units{};
  PlanDetailsPayload plan_details{};
  bool operator==(const PlanArtifactPayload&) const = default;
};
ANATOMY_STRUCT(PlanArtifactPayload, "PlanArtifactPayload", kStrict, ANATOMY_REQUIRED(view_name),
               ANATOMY_REQUIRED(plan_fingerprint), ANATOMY_FIELD(required_functions),
               ANATOMY_FIELD(engine_settings), ANATOMY_FIELD(delta_inputs), ANATOMY_FIELD(lineage),
               ANATOMY_FIELD(scan_units), ANATOMY_FIELD(plan_details));

std::string Hex64(int i) { return core::Sha256Hex("h" + std::to_string(i)); }

PlanArtifactPayload MakePayload() {
  PlanArtifactPayload p;
  p.view_name = "cpg_edges";
  p.plan_fingerprint = Hex64(0);
  p.required_functions = {"coalesce", "equal", "hash_count", "is_in", "stable_id"};
  p.engine_settings = {{"batch_size", "65536"},
                       {"executor_threads", "8"},
                       {"memory_pool", "jemalloc"},
                       {"use_threads", "true"}};
  const char* datasets[] = {"py_files", "py_scopes", "py_bindings", "cst_defs", "cst_callsites"};
  for (int s = 0; s < 5; ++s) {
    std::string ds = datasets[s];
    p.delta_inputs.push_back(DeltaInputPin{
        .dataset_name = ds,
        .version = 3 + s,
        .feature_gate = DeltaFeatureGate{.min_reader_version = 1, .min_writer_version = 2},
        .protocol = DeltaProtocolSnapshot{},
        .storage_options_hash = Hex64(100 + s),
        .protocol_compatible = true});
    p.lineage.scans.push_back(
        LineageScan{.dataset_name = ds,
                    .projected_columns = {"path", "bstart", "bend", "file_id"},
                    .pushed_filters = {"(path != null)"}});
    p.lineage.required_columns_by_dataset[ds] = {"bend", "bstart", "file_id", "path"};
    p.lineage.referenced_tables.push_back(ds);
    ScanUnitPayload u;
    u.key = "scan::" + ds + "::" + std::to_string(3 + s) + "::" + Hex64(200 + s).substr(0, 16);
    u.dataset_name = ds;
    u.delta_version = 3 + s;
    u.snapshot_timestamp = 1767225600000 + s;
    u.delta_protocol = DeltaProtocolSnapshot{.min_reader_version = 1, .min_writer_version = 2};
    u.storage_options_hash = Hex64(300 + s);
    u.protocol_compatible = true;
    u.protocol_compatibility = DeltaProtocolCompatibility{
        .compatible = true,
        .supported_reader_version = 3,
        .supported_writer_version = 7,
        .supported_reader_features = {"deletionVectors", "timestampNtz", "v2Checkpoint"},
        .supported_writer_features = {"appendOnly", "changeDataFeed", "deletionVectors"},
        .reader_version_ok = true,
        .writer_version_ok = true,
        .feature_support_ok = true};
    u.total_files = 12;
    u.candidate_file_count = 12;
    for (int f = 0; f < 12; ++f) {
      u.candidate_files.push_back("part-000" + std::to_string(f) + "-" + Hex64(f).substr(0, 32) +
                                  ".zstd.parquet");
    }
    u.pushed_filters = {"(path != null)"};
    u.projected_columns = {"path", "bstart", "bend", "file_id"};
    p.scan_units.push_back(std::move(u));
  }
  p.lineage.joins = {
      LineageJoin{.join_type = "inner", .left_keys = {"file_id"}, .right_keys = {"file_id"}},
      LineageJoin{
          .join_type = "left outer", .left_keys = {"scope_id"}, .right_keys = {"scope_id"}}};
  const char* kinds[] = {"filter", "project", "aggregate", "join", "order_by"};
  for (int e = 0; e < 20; ++e) {
    std::string col = "col_" + std::to_string(e);
    p.lineage.exprs.push_back(
        LineageExpr{.kind = kinds[e % 5],
                    .referenced_columns = {{datasets[e % 5], col}, {datasets[(e + 1) % 5], "path"}},
                    .referenced_functions = {"equal", "stable_id"},
                    .text = "stable_id('edge', " + col + ", path) == " + std::to_string(e)});
    p.lineage.all_required_columns.push_back({datasets[e % 5], col});
  }
  p.lineage.filters = {"(bstart >= 0)", "(path != null)"};
  p.lineage.aggregations = {"hash_count(edge_id)"};
  p.plan_details.logical_plan = std::string(600, 'L');
  p.plan_details.physical_plan = std::string(900, 'P');
  p.plan_details.partition_count = 8;
  p.plan_details.schema_names = {"edge_id", "edge_kind", "src_node_id", "dst_node_id", "path"};
  for (const auto& n : p.plan_details.schema_names) {
    p.plan_details.schema_describe.push_back(ViewSchemaDescribe{
        .column_name = n, .data_type = "string", .nullable = n == "path", .source = "cpg_edges"});
  }
  p.plan_details.delta_inputs_hash = Hex64(400);
  p.plan_details.scan_units_hash = Hex64(401);
  p.plan_details.settings_hash = Hex64(402);
  p.plan_details.plan_identity_hash = Hex64(403);
  p.plan_details.determinism_audit =
      DeterminismAudit{Hex64(0), Hex64(404), Hex64(405), Hex64(402), Hex64(406), Hex64(407)};
  return p;
}

const PlanArtifactPayload& Payload() {
  static const PlanArtifactPayload kPayload = MakePayload();
  return kPayload;
}

void BM_MsgpackEncode(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    serde::EncodeMsgpack(Payload(), &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_MsgpackEncode);

void BM_MsgpackDecode(benchmark::State& state) {
  std::string bytes = serde::EncodeMsgpack(Payload());
  for (auto _ : state) {
    PlanArtifactPayload p;
    auto st = serde::DecodeMsgpack(bytes, &p);
    benchmark::DoNotOptimize(st);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_MsgpackDecode);

/// The number compared with msgspec: one encode plus one decode per iteration.
void BM_MsgpackRoundTrip(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    serde::EncodeMsgpack(Payload(), &out);
    PlanArtifactPayload p;
    auto st = serde::DecodeMsgpack(out, &p);
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_MsgpackRoundTrip);

void BM_JsonRoundTrip(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    serde::EncodeJson(Payload(), &out);
    auto r = serde::DecodeJson<PlanArtifactPayload>(out);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonRoundTrip);

}  // namespace anatomy::bench

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--dump-payload") == 0) {
      std::ofstream(argv[i + 1], std::ios::binary)
          << anatomy::serde::EncodeMsgpack(anatomy::bench::Payload());
      return 0;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
