// zstd on Parquet pages of plain-encoded ids, at level 1 as it is and with the options the data
// writer gives the string columns it writes without a dictionary
// (delta::StringPageCodecOptions). The pages are modelled on cpg_edges of the standard
// library's build (a page of a partition there: source ids all distinct, 17-89% of the
// destination ids distinct): a unique edge id and source id per row, and a destination drawn
// from a few hot names (a third of the rows) or a wide pool. Reports bytes/s and the ratio.
#include <arrow/util/compression.h>
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "anatomy/core/hash.h"
#include "anatomy/delta/data_writer.h"

namespace {

constexpr size_t kPageBytes = 1 << 20;  // the Parquet writer's default data page size

void AppendPlain(const std::string& value, std::vector<uint8_t>* page) {
  const auto n = static_cast<uint32_t>(value.size());
  const size_t at = page->size();
  page->resize(at + 4 + n);
  std::memcpy(page->data() + at, &n, 4);
  std::memcpy(page->data() + at + 4, value.data(), n);
}

// Three columns of ids, 16 MiB of pages each, as the writer would lay them out.
std::vector<std::vector<uint8_t>> EdgeIdPages() {
  std::mt19937_64 rng(42);
  std::vector<std::vector<uint8_t>> pages;
  const int64_t rows = 400000;
  auto column = [&](auto id_of_row) {
    std::vector<uint8_t> page;
    for (int64_t row = 0; row < rows; ++row) {
      AppendPlain(id_of_row(row), &page);
      if (page.size() >= kPageBytes) pages.push_back(std::move(page)), page.clear();
    }
    if (!page.empty()) pages.push_back(std::move(page));
  };
  using anatomy::core::StableId;
  column([](int64_t row) { return StableId("edge", {std::to_string(row)}); });
  column([](int64_t row) { return StableId("py_site", {std::to_string(row)}); });
  std::bernoulli_distribution hot(1.0 / 3);
  std::uniform_int_distribution<int64_t> hot_name(0, 999), any_name(0, 199999);
  column([&](int64_t) {
    return StableId("py_binding", {std::to_string(hot(rng) ? hot_name(rng) : any_name(rng))});
  });
  return pages;
}

void Compress(benchmark::State& state, const arrow::util::CodecOptions& options) {
  static const auto pages = EdgeIdPages();
  auto codec = arrow::util::Codec::Create(arrow::Compression::ZSTD, options).ValueOrDie();
  std::vector<uint8_t> out(codec->MaxCompressedLen(kPageBytes, nullptr));
  int64_t in_bytes = 0, out_bytes = 0;
  for (auto _ : state) {
    in_bytes = out_bytes = 0;
    for (const auto& page : pages) {
      out_bytes += codec
                       ->Compress(static_cast<int64_t>(page.size()), page.data(),
                                  static_cast<int64_t>(out.size()), out.data())
                       .ValueOrDie();
      in_bytes += static_cast<int64_t>(page.size());
    }
  }
  state.SetBytesProcessed(state.iterations() * in_bytes);
  state.counters["ratio"] = static_cast<double>(in_bytes) / static_cast<double>(out_bytes);
}

void BM_ZstdIdPagesLevel1(benchmark::State& state) {
  Compress(state, arrow::util::CodecOptions(1));
}
BENCHMARK(BM_ZstdIdPagesLevel1)->Unit(benchmark::kMillisecond);

void BM_ZstdIdPagesStringOptions(benchmark::State& state) {
  Compress(state, *anatomy::delta::StringPageCodecOptions(1));
}
BENCHMARK(BM_ZstdIdPagesStringOptions)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
