// Scans of many candidate files through one Arrow Dataset: files of different physical schemas
// (a column added by a schema merge), typed partition values, row filters with row-group
// pruning, and a damaged data file among healthy ones (an error naming that file, no crash).

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "anatomy/delta/api.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::TempDir;

std::shared_ptr<arrow::Table> Rows(int64_t first, int64_t n, const std::string& part,
                                   bool with_extra) {
  arrow::Int64Builder id;
  arrow::StringBuilder p, extra;
  for (int64_t i = first; i < first + n; ++i) {
    EXPECT_TRUE(id.Append(i).ok());
    EXPECT_TRUE(p.Append(part).ok());
    EXPECT_TRUE(extra.Append("e" + std::to_string(i)).ok());
  }
  arrow::FieldVector fields = {arrow::field("id", arrow::int64()),
                               arrow::field("p", arrow::utf8())};
  arrow::ArrayVector cols = {id.Finish().ValueOrDie(), p.Finish().ValueOrDie()};
  if (with_extra) {
    fields.push_back(arrow::field("extra", arrow::utf8()));
    cols.push_back(extra.Finish().ValueOrDie());
  }
  return arrow::Table::Make(arrow::schema(fields), cols);
}

class DatasetScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(EnsureComputeInitialized());
    // Six files: three partitions x (before, after) a schema merge adding `extra`.
    for (int k = 0; k < 6; ++k) {
      WriteOptions o;
      o.mode = WriteMode::kAppend;
      o.partition_columns = {"p"};
      o.files.row_group_rows = 10;
      if (k >= 3) o.schema_mode = SchemaMode::kMerge;
      auto r = WriteTable(dir_.str(), Rows(100 * k, 50, "part" + std::to_string(k % 3), k >= 3), o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  TempDir dir_;
};

TEST_F(DatasetScanTest, FilesOfDifferentSchemasReadAsTheTableSchema) {
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir_.str()));
  ASSERT_EQ(snap->files.size(), 6u);
  ScanOptions o;
  o.filters = ParseFilter("id >= 120 AND id < 425").ValueOrDie();
  o.metrics = std::make_shared<ScanMetrics>();
  ASSERT_OK_AND_ASSIGN(t, ScanToTable(*snap, o));
  ASSERT_OK_AND_ASSIGN(table, t->CombineChunks());
  // ids 120..149 (file 1), 200..249 (file 2), 300..349 (3), 400..424 (4); `extra` only from 3 on.
  EXPECT_EQ(table->num_rows(), 30 + 50 + 50 + 25);
  EXPECT_EQ(table->schema()->field_names(), (std::vector<std::string>{"id", "p", "extra"}));
  auto ids = std::static_pointer_cast<arrow::Int64Array>(table->GetColumnByName("id")->chunk(0));
  auto ps = std::static_pointer_cast<arrow::StringArray>(table->GetColumnByName("p")->chunk(0));
  auto extra =
      std::static_pointer_cast<arrow::StringArray>(table->GetColumnByName("extra")->chunk(0));
  int64_t nulls = 0;
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    int64_t id = ids->Value(i);
    int64_t file = id / 100;
    EXPECT_EQ(ps->GetString(i), "part" + std::to_string(file % 3)) << id;
    if (file < 3) {
      EXPECT_TRUE(extra->IsNull(i)) << id;
      ++nulls;
    } else {
      EXPECT_EQ(extra->GetString(i), "e" + std::to_string(id));
    }
  }
  EXPECT_EQ(nulls, 80);
  // Row groups of 10 rows: the filter's statistics skip most of them.
  EXPECT_EQ(o.metrics->files_read, 4);  // files 0 and 5 pruned by log stats
  EXPECT_LT(o.metrics->row_groups_read, o.metrics->row_groups_total);
}

TEST_F(DatasetScanTest, DamagedDataFileIsAnErrorNamingIt) {
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir_.str()));
  std::string victim = snap->files[3].path;
  {
    std::ofstream out(dir_.path() / victim, std::ios::binary | std::ios::trunc);
    out << "PAR1 not really parquet";
  }
  auto r = ScanToTable(*snap, ScanOptions{});
  ASSERT_FALSE(r.ok());
  auto name = std::filesystem::path(victim).filename().string();
  EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace anatomy::delta
