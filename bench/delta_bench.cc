// Timings for bench/delta_vs_deltars.sh (plain wall-clock, best of N):
//   delta_bench append TABLE INPUT.parquet   time WriteTable of the (pre-loaded) input
//   delta_bench snapshot TABLE [RUNS]         time LoadSnapshot of the latest version

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
    std::cerr << "usage: delta_bench append TABLE INPUT.parquet | snapshot TABLE [RUNS]\n";
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
  std::cerr << "unknown mode " << mode << "\n";
  return 2;
}
