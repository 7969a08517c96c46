// Engine kernels: ingest with batch_size partitioning (cost should not grow with rows, since
// slicing copies no data), compile + record of a plan with five joins, and the stable_id
// kernel over a batch of edge-like rows.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/compute/initialize.h>
#include <benchmark/benchmark.h>

#include "anatomy/engine/functions.h"
#include "anatomy/engine/plan_builder.h"
#include "anatomy/engine/plan_bundle.h"
#include "anatomy/engine/session.h"
#include "anatomy/serde/msgpack_codec.h"

namespace {

using namespace anatomy::engine;

std::shared_ptr<arrow::Table> MakeTable(int64_t rows) {
  arrow::Int64Builder ids;
  arrow::DoubleBuilder values;
  arrow::StringBuilder names;
  (void)ids.Reserve(rows);
  (void)values.Reserve(rows);
  for (int64_t i = 0; i < rows; ++i) {
    ids.UnsafeAppend(i);
    values.UnsafeAppend(static_cast<double>(i) * 0.5);
    (void)names.Append(i % 2 ? "odd" : "even");
  }
  auto schema =
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("value", arrow::float64()),
                     arrow::field("name", arrow::utf8())});
  return arrow::Table::Make(schema, {ids.Finish().ValueOrDie(), values.Finish().ValueOrDie(),
                                     names.Finish().ValueOrDie()});
}

void BM_IngestBatchSize(benchmark::State& state) {
  auto table = MakeTable(state.range(0));
  for (auto _ : state) {
    auto session = Session::Make().ValueOrDie();
    auto st = session->Ingest("t", table, {.batch_size = 65536});
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(session);
  }
  state.counters["rows"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_IngestBatchSize)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void BM_CompileAndRecordFiveJoins(benchmark::State& state) {
  auto session = Session::Make().ValueOrDie();
  for (int i = 0; i < 6; ++i) (void)session->Ingest("t" + std::to_string(i), MakeTable(100));
  for (auto _ : state) {
    auto b = PlanBuilder::Scan(*session, "t0", {"id", "value"});
    for (int i = 1; i < 6; ++i) {
      auto right = PlanBuilder::Scan(*session, "t" + std::to_string(i), {"id", "name"});
      right.Project({{arrow::compute::field_ref("id"), "id" + std::to_string(i)},
                     {arrow::compute::field_ref("name"), "name" + std::to_string(i)}});
      b.Join(right, JoinKind::kInner, {"id"}, {"id" + std::to_string(i)});
    }
    auto plan = b.Build().ValueOrDie();
    auto bundle = CompilePlan(*session, "five_joins", plan).ValueOrDie();
    auto row = PlanArtifact(bundle, "bench");
    benchmark::DoNotOptimize(row);
  }
}
BENCHMARK(BM_CompileAndRecordFiveJoins)->Unit(benchmark::kMillisecond);

// stable_id('edge', src, dst, kind) over a batch of 65,536 rows, as the cpg_edges view runs it.
void BM_StableIdKernel(benchmark::State& state) {
  (void)anatomy::engine::RegisterAnatomyFunctions();
  arrow::StringBuilder src, dst, kind;
  for (int64_t i = 0; i < 65536; ++i) {
    (void)src.Append("py_binding:" + std::to_string(i * 2654435761ULL % 1000003) +
                     "0123456789abcdef");
    (void)dst.Append("py_use_site:" + std::to_string(i * 40503ULL % 999983) + "fedcba9876543210");
    (void)kind.Append(i % 3 ? "PY_READS" : "USE_SITE_OF");
  }
  std::vector<arrow::Datum> args = {arrow::Datum(std::make_shared<arrow::StringScalar>("edge")),
                                    src.Finish().ValueOrDie(), dst.Finish().ValueOrDie(),
                                    kind.Finish().ValueOrDie()};
  for (auto _ : state) {
    auto ids = arrow::compute::CallFunction("stable_id", args);
    if (!ids.ok()) state.SkipWithError(ids.status().ToString().c_str());
    benchmark::DoNotOptimize(ids);
  }
  state.SetItemsProcessed(state.iterations() * 65536);
}
BENCHMARK(BM_StableIdKernel)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (!arrow::compute::Initialize().ok()) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
