// Row-group pruning in scans: a one-file table of 10 row groups sorted on `k`; filters on `k`
// must decode only the row groups whose Parquet statistics may match, and return exactly the
// rows (in the same order) a scan without pruning returns.

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "anatomy/delta/api.h"
#include "anatomy/delta/deletion_vector.h"
#include "anatomy/delta/log_files.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::TempDir;

constexpr int64_t kRows = 1000;
constexpr int64_t kGroupRows = 100;

/// k = 0..999, s = "s<k>", n = k (int32, null for every 7th row); one file, 10 row groups.
std::shared_ptr<arrow::Table> SortedRows() {
  arrow::Int64Builder k;
  arrow::StringBuilder s;
  arrow::Int32Builder n;
  for (int64_t i = 0; i < kRows; ++i) {
    EXPECT_TRUE(k.Append(i).ok());
    EXPECT_TRUE(s.Append("s" + std::to_string(i)).ok());
    EXPECT_TRUE((i % 7 == 0 ? n.AppendNull() : n.Append(static_cast<int32_t>(i))).ok());
  }
  auto schema = arrow::schema({arrow::field("k", arrow::int64()), arrow::field("s", arrow::utf8()),
                               arrow::field("n", arrow::int32())});
  return arrow::Table::Make(
      schema, {k.Finish().ValueOrDie(), s.Finish().ValueOrDie(), n.Finish().ValueOrDie()});
}

class RowGroupPruningTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    WriteOptions o;
    o.files.row_group_rows = kGroupRows;
    if (!GetParam().empty()) o.properties["delta.columnMapping.mode"] = GetParam();
    ASSERT_OK(WriteTable(dir_.str(), SortedRows(), o).status());
    auto snap = LoadSnapshot(dir_.str());
    ASSERT_OK(snap.status());
    snap_ = *snap;
    ASSERT_EQ(snap_->files.size(), 1u);
  }

  /// Scans with and without row-group pruning; checks both give the same table and returns the
  /// pruned one with its metrics.
  std::pair<std::shared_ptr<arrow::Table>, ScanMetrics> Scan(const std::string& filter,
                                                             std::vector<std::string> cols = {}) {
    ScanOptions o;
    o.columns = std::move(cols);
    o.filters = ParseFilter(filter).ValueOrDie();
    o.metrics = std::make_shared<ScanMetrics>();
    auto pruned = ScanToTable(*snap_, o);
    EXPECT_TRUE(pruned.ok()) << pruned.status().ToString();
    ScanMetrics m = *o.metrics;
    o.prune_row_groups = false;
    auto full = ScanToTable(*snap_, o);
    EXPECT_TRUE(full.ok()) << full.status().ToString();
    if (!pruned.ok() || !full.ok()) return {nullptr, m};
    EXPECT_TRUE((*pruned)->Equals(**full)) << filter << "\n"
                                           << (*pruned)->ToString() << "\n"
                                           << (*full)->ToString();
    EXPECT_EQ(o.metrics->row_groups_read, o.metrics->row_groups_total)
        << "an unpruned scan decodes every row group";
    return {*pruned, m};
  }

  std::vector<int64_t> Keys(const arrow::Table& t) {
    std::vector<int64_t> out;
    auto col = t.GetColumnByName("k");
    if (!col) return out;
    for (const auto& chunk : col->chunks()) {
      auto a = std::static_pointer_cast<arrow::Int64Array>(chunk);
      for (int64_t i = 0; i < a->length(); ++i) out.push_back(a->Value(i));
    }
    return out;
  }

  TempDir dir_;
  std::shared_ptr<Snapshot> snap_;
};

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

TEST_P(RowGroupPruningTest, RangeReadsOnlyTheMatchingRowGroup) {
  auto [t, m] = Scan("k >= 250 AND k < 300");
  ASSERT_TRUE(t);
  EXPECT_EQ(Keys(*t), Range(250, 300));
  EXPECT_EQ(m.files_read, 1);
  EXPECT_EQ(m.row_groups_total, 10);
  EXPECT_EQ(m.row_groups_read, 1);
}

TEST_P(RowGroupPruningTest, ComparisonsInAndNulls) {
  auto [eq, m_eq] = Scan("k = 512");
  EXPECT_EQ(Keys(*eq), std::vector<int64_t>{512});
  EXPECT_EQ(m_eq.row_groups_read, 1);
  auto [in, m_in] = Scan("k IN (5, 905, 906)");
  EXPECT_EQ(Keys(*in), (std::vector<int64_t>{5, 905, 906}));
  EXPECT_EQ(m_in.row_groups_read, 2);
  auto [gt, m_gt] = Scan("k > 850");
  EXPECT_EQ(Keys(*gt), Range(851, 1000));
  EXPECT_EQ(m_gt.row_groups_read, 2);
  auto [le, m_le] = Scan("k <= 99");
  EXPECT_EQ(Keys(*le), Range(0, 100));
  EXPECT_EQ(m_le.row_groups_read, 1);
  // A string column: statistics compare lexicographically, "s5.." groups are 50-59, 500-599.
  auto [s, m_s] = Scan("s = 's550'");
  EXPECT_EQ(Keys(*s), std::vector<int64_t>{550});
  EXPECT_LT(m_s.row_groups_read, 10);
  // An int32 column with nulls, and no-match filters.
  auto [n, m_n] = Scan("n >= 994 AND n IS NOT NULL");
  EXPECT_EQ(Keys(*n), Range(995, 1000));  // 994 (null) is below anyway
  EXPECT_EQ(m_n.row_groups_read, 1);
  // IS NULL keeps the nulls: every group has some (k = 0, 7, ...), none is skipped by n.
  auto [nulls, m_nulls] = Scan("n IS NULL AND k >= 990");
  EXPECT_EQ(Keys(*nulls), std::vector<int64_t>{994});
  EXPECT_EQ(m_nulls.row_groups_read, 1);
  auto [all_nulls, m_all_nulls] = Scan("n IS NULL");
  EXPECT_EQ(all_nulls->num_rows(), 143);
  EXPECT_EQ(m_all_nulls.row_groups_read, 10);
  // Each term keeps some row groups, together none: k >= 150 rules out group 0, s = 's50' the
  // others (only group 0 spans "s0".."s99").
  auto [none, m_none] = Scan("k >= 150 AND s = 's50'");
  EXPECT_EQ(none->num_rows(), 0);
  EXPECT_EQ(m_none.files_read, 1);
  EXPECT_EQ(m_none.row_groups_read, 0);
  // Beyond the file's log stats: the file itself is skipped.
  auto [out, m_out] = Scan("k > 5000");
  EXPECT_EQ(out->num_rows(), 0);
  EXPECT_EQ(m_out.files_read, 0);
  // Terms statistics cannot decide keep every row group.
  auto [ne, m_ne] = Scan("k <> 3");
  EXPECT_EQ(ne->num_rows(), kRows - 1);
  EXPECT_EQ(m_ne.row_groups_read, 10);
}

TEST_P(RowGroupPruningTest, ProjectionWithoutTheFilterColumn) {
  auto [t, m] = Scan("k >= 300 AND k < 302", {"s"});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->num_columns(), 1);
  EXPECT_EQ(t->ToString(), ScanToTable(*snap_, {{"s"}, ParseFilter("k IN (300, 301)").ValueOrDie()})
                               .ValueOrDie()
                               ->ToString());
  EXPECT_EQ(m.row_groups_read, 1);
}

TEST_P(RowGroupPruningTest, StreamingScanPrunesToo) {
  ScanOptions o;
  o.filters = ParseFilter("k >= 250 AND k < 300").ValueOrDie();
  o.metrics = std::make_shared<ScanMetrics>();
  ASSERT_OK_AND_ASSIGN(reader, ScanBatches(snap_, o));
  ASSERT_OK_AND_ASSIGN(t, reader->ToTable());
  EXPECT_EQ(Keys(*t), Range(250, 300));
  EXPECT_EQ(o.metrics->row_groups_read, 1);
  EXPECT_EQ(o.metrics->row_groups_total, 10);
}

TEST_P(RowGroupPruningTest, DeletionVectorPositionsSurvivePruning) {
  // Delete physical rows 0, 250, 251, 299 and 999 through an inline DV.
  AddFile add = snap_->files[0];
  RemoveFile rm;
  rm.path = add.path;
  rm.deletion_timestamp = 1;
  std::string bitmap = EncodeRoaringBitmapArray({0, 250, 251, 299, 999});
  std::string padded = bitmap + std::string((4 - bitmap.size() % 4) % 4, '\0');
  add.deletion_vector = DeletionVectorDescriptor{"i", Z85Encode(padded).ValueOrDie(), std::nullopt,
                                                 static_cast<int32_t>(bitmap.size()), 5};
  testing::WriteFile(dir_.path() / "_delta_log" / testing::CommitName(snap_->version + 1),
                     SerializeActions({rm, add}));
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir_.str()));
  snap_ = snap;
  auto [t, m] = Scan("k >= 250 AND k < 300");
  ASSERT_TRUE(t);
  EXPECT_EQ(Keys(*t), Range(252, 299));
  EXPECT_EQ(m.row_groups_read, 1);
  auto [tail, m_tail] = Scan("k >= 990");
  EXPECT_EQ(Keys(*tail), Range(990, 999));
  EXPECT_EQ(m_tail.row_groups_read, 1);
}

INSTANTIATE_TEST_SUITE_P(ColumnMapping, RowGroupPruningTest, ::testing::Values("", "name", "id"),
                         [](const auto& info) {
                           return info.param.empty() ? std::string("none") : info.param;
                         });

}  // namespace
}  // namespace anatomy::delta
