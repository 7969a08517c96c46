// Row-level replace and delete: only the rows matching a predicate go, only the files holding
// them are rewritten, and everything lands in one commit.

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "anatomy/delta/api.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::TempDir;

const auto Rows = &testing::GroupValueRows;

// The table's rows as sorted "g:v" strings.
std::vector<std::string> Contents(const std::shared_ptr<Storage>& storage) {
  auto snap = LoadSnapshot(storage).ValueOrDie();
  auto table = ScanToTable(*snap).ValueOrDie()->CombineChunksToBatch().ValueOrDie();
  auto g = std::static_pointer_cast<arrow::StringArray>(table->GetColumnByName("g"));
  auto v = std::static_pointer_cast<arrow::Int64Array>(table->GetColumnByName("v"));
  std::vector<std::string> out;
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    out.push_back(g->GetString(i) + ":" + (v->IsNull(i) ? "null" : std::to_string(v->Value(i))));
  }
  std::sort(out.begin(), out.end());
  return out;
}

class RowRewriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = OpenLocalStorage(dir_.str()).ValueOrDie();
    // Three files with stats on v: [1, 2], [10, 11] and [20, null].
    ASSERT_TRUE(WriteTable(storage_, Rows({"a", "a"}, {1, 2})).ok());
    ASSERT_TRUE(WriteTable(storage_, Rows({"b", "b"}, {10, 11})).ok());
    ASSERT_TRUE(WriteTable(storage_, Rows({"c", "c"}, {20, std::nullopt})).ok());
  }
  TempDir dir_;
  std::shared_ptr<Storage> storage_;
};

TEST_F(RowRewriteTest, ReplacesOnlyMatchingRowsInOneCommit) {
  WriteOptions o;
  o.mode = WriteMode::kOverwrite;
  o.replace_rows_where = {{{"v", PredicateOp::kIn, {"2", "11"}}}};
  ASSERT_OK_AND_ASSIGN(r, WriteTable(storage_, Rows({"x"}, {99}), o));
  EXPECT_EQ(r.version, 3);
  EXPECT_EQ(r.files_removed, 2);  // the [20, null] file is pruned by its stats
  EXPECT_EQ(r.rows_written, 3);   // a:1 and b:10 kept, x:99 new
  EXPECT_EQ(Contents(storage_),
            (std::vector<std::string>{"a:1", "b:10", "c:20", "c:null", "x:99"}));
  ASSERT_OK_AND_ASSIGN(history, History(*storage_, 1));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].info->operation_parameters.at("predicate"), "v IN ('2', '11')");
}

TEST_F(RowRewriteTest, AnyOfSeveralConjunctions) {
  WriteOptions o;
  o.mode = WriteMode::kOverwrite;
  o.replace_rows_where = {{{"g", PredicateOp::kEq, {"a"}}, {"v", PredicateOp::kEq, {"1"}}},
                          {{"v", PredicateOp::kIsNull, {}}}};
  ASSERT_OK_AND_ASSIGN(r, WriteTable(storage_, Rows({"x"}, {99}), o));
  EXPECT_EQ(r.files_removed, 2);
  EXPECT_EQ(Contents(storage_), (std::vector<std::string>{"a:2", "b:10", "b:11", "c:20", "x:99"}));
  ASSERT_OK_AND_ASSIGN(history, History(*storage_, 1));
  EXPECT_EQ(history[0].info->operation_parameters.at("predicate"),
            "(g = 'a' AND v = '1') OR (v IS NULL)");
}

TEST_F(RowRewriteTest, RewriteMatchedTurnsTheReplacedRowsIntoNewOnesInOneCommit) {
  WriteOptions o;
  o.mode = WriteMode::kOverwrite;
  o.replace_rows_where = {{{"v", PredicateOp::kIn, {"2", "11"}}}};
  int64_t seen = -1;
  o.rewrite_matched =
      [&](const std::shared_ptr<arrow::Table>& matched) -> Result<std::shared_ptr<arrow::Table>> {
    seen = matched->num_rows();
    ARROW_ASSIGN_OR_RAISE(auto times_ten, arrow::compute::Multiply(matched->GetColumnByName("v"),
                                                                   arrow::Datum(int64_t{10})));
    return matched->SetColumn(1, matched->schema()->field(1), times_ten.chunked_array());
  };
  ASSERT_OK_AND_ASSIGN(r, WriteTable(storage_, Rows({"x"}, {99}), o));
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(r.version, 3);
  EXPECT_EQ(Contents(storage_),
            (std::vector<std::string>{"a:1", "a:20", "b:10", "b:110", "c:20", "c:null", "x:99"}));
}

TEST_F(RowRewriteTest, NothingMatchingOnlyAddsTheNewRows) {
  WriteOptions o;
  o.mode = WriteMode::kOverwrite;
  o.replace_rows_where = {{{"g", PredicateOp::kEq, {"nope"}}}};
  ASSERT_OK_AND_ASSIGN(r, WriteTable(storage_, Rows({"y"}, {5}), o));
  EXPECT_EQ(r.files_removed, 0);
  EXPECT_EQ(Contents(storage_).size(), 7u);
}

TEST_F(RowRewriteTest, NullPredicateKeepsTheRow) {
  ASSERT_OK_AND_ASSIGN(r, DeleteWhere(storage_, {{"v", PredicateOp::kGe, {"11"}}}));
  EXPECT_EQ(r.files_removed, 2);
  EXPECT_EQ(Contents(storage_), (std::vector<std::string>{"a:1", "a:2", "b:10", "c:null"}));
}

TEST_F(RowRewriteTest, DeleteByDataPredicateRemovesWholeFilesWhenNothingStays) {
  ASSERT_OK_AND_ASSIGN(r, DeleteWhere(storage_, {{"g", PredicateOp::kEq, {"a"}}}));
  EXPECT_EQ(r.files_removed, 1);
  EXPECT_EQ(r.files_added, 0);
  EXPECT_EQ(Contents(storage_).size(), 4u);
}

TEST_F(RowRewriteTest, ReplaceOnAMissingTableCreatesIt) {
  TempDir other;
  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(other.str()));
  WriteOptions o;
  o.mode = WriteMode::kOverwrite;
  o.replace_rows_where = {{{"g", PredicateOp::kEq, {"a"}}}};
  ASSERT_OK(WriteTable(storage, Rows({"a"}, {1}), o).status());
  EXPECT_EQ(Contents(storage), std::vector<std::string>{"a:1"});
}

}  // namespace
}  // namespace anatomy::delta
