// The Delta Acceptance Tests (shared/conformance/dat): each expected version read and compared
// with the expected Parquet content; skipped when the conformance data is absent.

#include <arrow/compute/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "anatomy/delta/api.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

namespace fs = std::filesystem;

Result<std::shared_ptr<arrow::Table>> ReadParquet(const fs::path& p) {
  ARROW_ASSIGN_OR_RAISE(auto f, arrow::io::ReadableFile::Open(p.string()));
  ARROW_ASSIGN_OR_RAISE(auto reader, parquet::arrow::OpenFile(f, arrow::default_memory_pool()));
  return reader->ReadTable();
}

TEST(DatTest, EveryExpectedVersionMatches) {
  auto conf = testing::ConformanceDir();
  if (!conf)
    GTEST_SKIP() << "shared/conformance absent: set ANATOMY_SHARED_DIR to run the DAT checks";
  int checked = 0;
  for (const auto& c : fs::directory_iterator(*conf / "dat" / "reader_tests" / "generated")) {
    for (const auto& e : fs::directory_iterator(c.path() / "expected")) {
      std::ifstream in(e.path() / "table_version_metadata.json");
      auto meta = nlohmann::json::parse(in, nullptr, false);
      ASSERT_FALSE(meta.is_discarded());
      SnapshotOptions opts;
      if (e.path().filename() != "latest") opts.version = meta["version"].get<int64_t>();
      ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot((c.path() / "delta").string(), opts));
      EXPECT_EQ(snap->version, meta["version"].get<int64_t>());
      EXPECT_EQ(snap->protocol.min_reader_version, meta["min_reader_version"].get<int>());
      ASSERT_OK_AND_ASSIGN(ours, ScanToTable(*snap));
      ASSERT_OK_AND_ASSIGN(want, ReadParquet(e.path() / "table_content.parquet"));
      // Expected files may order columns differently and use other physical types: align both.
      std::vector<std::shared_ptr<arrow::ChunkedArray>> cols;
      for (const auto& f : ours->schema()->fields()) {
        auto col = want->GetColumnByName(f->name());
        ASSERT_NE(col, nullptr) << f->name();
        ASSERT_OK_AND_ASSIGN(cast, arrow::compute::Cast(col, f->type()));
        cols.push_back(cast.chunked_array());
      }
      auto aligned = arrow::Table::Make(ours->schema(), cols);
      EXPECT_EQ(testing::CanonicalRows(*ours), testing::CanonicalRows(*aligned)) << e.path();
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace anatomy::delta
