// Timings for bench/delta_vs_deltars.sh (plain wall-clock, best of N):
//   delta_bench append TABLE INPUT.parquet   time WriteTable of the (pre-loaded) input
//   delta_bench snapshot TABLE [RUNS]         time LoadSnapshot of the latest version
//   delta_bench scan TABLE FILTER PRUNE [RUNS] time ScanToTable with FILTER, row-group pruning
//                                             on (PRUNE=1) or off (0); prints seconds, rows,
//                                             row groups read/total

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "anatomy/delta/api.h"

namespace dl = anatomy::delta;

namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int Fail(const arrow::Status& st) {
  std::cerr << "delta_bench: " << st.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: delta_bench append TABLE INPUT.parquet | snapshot TABLE [RUNS] | "
                 "scan TABLE FILTER PRUNE [RUNS]\n";
    return 2;
  }
  std::string mode = argv[1], table = argv[2];
  if (auto st = dl::EnsureComputeInitialized(); !st.ok()) return Fail(st);
  if (mode == "append" && argc >= 4) {
    auto in = arrow::io::ReadableFile::Open(argv[3]);
    if (!in.ok()) return Fail(in.status());
    auto reader = parquet::arrow::OpenFile(*in, arrow::default_memory_pool());
    if (!reader.ok()) return Fail(reader.status());
    auto data = (*reader)->ReadTable();
    if (!data.ok()) return Fail(data.status());
    auto t0 = std::chrono::steady_clock::now();
    auto r = dl::WriteTable(table, *data);
    if (!r.ok()) return Fail(r.status());
    std::printf("%.3f\n", Seconds(t0));
    return 0;
  }
  if (mode == "snapshot") {
    int runs = argc >= 4 ? std::atoi(argv[3]) : 5;
    double best = 1e9;
    for (int i = 0; i < runs; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      auto snap = dl::LoadSnapshot(table);
      if (!snap.ok()) return Fail(snap.status());
      best = std::min(best, Seconds(t0));
    }
    std::printf("%.4f\n", best);
    return 0;
  }
  if (mode == "scan" && argc >= 5) {
    auto filters = dl::ParseFilter(argv[3]);
    if (!filters.ok()) return Fail(filters.status());
    int runs = argc >= 6 ? std::atoi(argv[5]) : 5;
    dl::ScanOptions options;
    options.filters = *filters;
    options.prune_row_groups = std::string(argv[4]) != "0";
    options.metrics = std::make_shared<dl::ScanMetrics>();
    double best = 1e9;
    int64_t rows = 0;
    for (int i = 0; i < runs; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      auto snap = dl::LoadSnapshot(table);
      if (!snap.ok()) return Fail(snap.status());
      auto t = dl::ScanToTable(**snap, options);
      if (!t.ok()) return Fail(t.status());
      best = std::min(best, Seconds(t0));
      rows = (*t)->num_rows();
    }
    std::printf("%.4f %lld %lld/%lld\n", best, static_cast<long long>(rows),
                static_cast<long long>(options.metrics->row_groups_read),
                static_cast<long long>(options.metrics->row_groups_total));
    return 0;
  }
  std::cerr << "unknown mode " << mode << "\n";
  return 2;
}
