// Row-level replace and delete: only the rows matching a predicate go, only the files holding
// them are rewritten (or marked in deletion vectors), and everything lands in one commit.

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

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

// A concurrent append conflicts with a row-level replace when its file may hold rows any of
// the replace's conjunctions match (the replace would have replaced them), and commutes
// otherwise. The append is made while the replace reads (from rewrite_matched).
TEST_F(RowRewriteTest, ConcurrentAppendsConflictWhenAnyTermMayMatchThem) {
  auto replace_while_appending = [&](std::shared_ptr<arrow::Table> appended) {
    WriteOptions o;
    o.mode = WriteMode::kOverwrite;
    o.replace_rows_where = {{{"g", PredicateOp::kEq, {"a"}}}, {{"v", PredicateOp::kGe, {"20"}}}};
    o.rewrite_matched =
        [&](const std::shared_ptr<arrow::Table>& matched) -> Result<std::shared_ptr<arrow::Table>> {
      ARROW_RETURN_NOT_OK(WriteTable(storage_, appended).status());
      return matched;
    };
    return WriteTable(storage_, Rows({}, {}), o);
  };
  auto neither = replace_while_appending(Rows({"b"}, {12}));  // matches neither term
  EXPECT_TRUE(neither.ok()) << neither.status().ToString();
  auto second_term = replace_while_appending(Rows({"b"}, {30}));
  ASSERT_FALSE(second_term.ok());
  EXPECT_NE(second_term.status().message().find("conflict"), std::string::npos)
      << second_term.status().ToString();
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

// Merge-on-read: a write asking for deletion vectors upgrades the table's protocol in its own
// commit, and its replaced rows are marked in DVs; no file is rewritten.
WriteOptions ReplaceMarking(std::vector<std::vector<Predicate>> where) {
  WriteOptions o;
  o.mode = WriteMode::kOverwrite;
  o.features = {"deletionVectors"};
  o.replace_rows_where = std::move(where);
  return o;
}

// Active files by path, with the cardinality of their DV (0 without one).
std::map<std::string, int64_t> MarkedFiles(const std::shared_ptr<Storage>& storage) {
  auto snap = LoadSnapshot(storage).ValueOrDie();
  std::map<std::string, int64_t> out;
  for (const auto& f : snap->files)
    out[f.path] = f.deletion_vector ? f.deletion_vector->cardinality : 0;
  return out;
}

// IN lists prune files by their bounds whatever the literals' order: a file stays when one
// literal lies within its [min, max].
TEST_F(RowRewriteTest, InListsPruneFilesByTheirBounds) {
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  auto candidates = [&](const Predicate& p) {
    auto r = PruneFiles(*snap, {p});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->candidate_files : -1;
  };
  EXPECT_EQ(candidates({"v", PredicateOp::kIn, {"25", "11", "3"}}), 1);  // [10, 11]
  EXPECT_EQ(candidates({"v", PredicateOp::kIn, {"20", "2"}}), 2);        // bounds match
  EXPECT_EQ(candidates({"v", PredicateOp::kIn, {"5", "15", "-4"}}), 0);  // between files
  EXPECT_EQ(candidates({"g", PredicateOp::kIn, {"c", "a", "zz"}}), 2);
  EXPECT_EQ(candidates({"g", PredicateOp::kIn, {"aa", "bb"}}), 0);
  // Any of several conjunctions: the files either keeps.
  ASSERT_OK_AND_ASSIGN(any, PruneFilesAny(*snap, {{{"v", PredicateOp::kIn, {"11"}}},
                                                  {{"g", PredicateOp::kEq, {"c"}}},
                                                  {{"v", PredicateOp::kGt, {"100"}}}}));
  EXPECT_EQ(any.candidate_files, 2);
  EXPECT_EQ(any.pruned_by_stats, 1);
}

TEST_F(RowRewriteTest, DeletionVectorsMarkReplacedRowsWithoutRewritingFiles) {
  const auto before = MarkedFiles(storage_);
  ASSERT_OK_AND_ASSIGN(r, WriteTable(storage_, Rows({"x"}, {99}),
                                     ReplaceMarking({{{"v", PredicateOp::kIn, {"2", "11"}}}})));
  EXPECT_EQ(r.files_removed, 2);
  EXPECT_EQ(r.rows_written, 1);  // only the new row: a:1 and b:10 stay where they are
  EXPECT_EQ(Contents(storage_),
            (std::vector<std::string>{"a:1", "b:10", "c:20", "c:null", "x:99"}));
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  // The upgrade: table features, with those writer version 2 implied listed explicitly.
  EXPECT_EQ(snap->protocol.min_reader_version, 3);
  EXPECT_EQ(snap->protocol.min_writer_version, 7);
  EXPECT_EQ(snap->protocol.reader_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(snap->protocol.writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "deletionVectors"}));
  EXPECT_EQ(snap->Property("delta.enableDeletionVectors"), "true");
  auto after = MarkedFiles(storage_);
  EXPECT_EQ(after.size(), 4u);  // the three files, two of them marked, and the new one
  int marked = 0;
  for (const auto& [path, cardinality] : before) {
    ASSERT_TRUE(after.count(path)) << path << " was rewritten";
    marked += after[path] == 1;
  }
  EXPECT_EQ(marked, 2);
  for (const auto& f : snap->files) {
    if (!f.deletion_vector) continue;
    // numRecords stays the physical count; the bounds are no longer tight.
    EXPECT_NE(f.stats->find("\"numRecords\":2"), std::string::npos) << *f.stats;
    EXPECT_NE(f.stats->find("\"tightBounds\":false"), std::string::npos) << *f.stats;
  }
}

TEST_F(RowRewriteTest, DeletionVectorsGrowAndHandOnlyLiveRowsToRewriteMatched) {
  ASSERT_OK(WriteTable(storage_, Rows({}, {}), ReplaceMarking({{{"v", PredicateOp::kEq, {"1"}}}}))
                .status());
  // v = 1 is marked already: a later write matching it and a:2 sees a:2 only.
  auto o = ReplaceMarking({{{"g", PredicateOp::kEq, {"a"}}}});
  int64_t seen = -1;
  o.rewrite_matched =
      [&](const std::shared_ptr<arrow::Table>& matched) -> Result<std::shared_ptr<arrow::Table>> {
    seen = matched->num_rows();
    return matched;
  };
  ASSERT_OK_AND_ASSIGN(r, WriteTable(storage_, Rows({"y"}, {7}), o));
  EXPECT_EQ(seen, 1);
  // Every row of the a-file is now deleted: the file is removed, not marked.
  EXPECT_EQ(r.files_removed, 1);
  EXPECT_EQ(Contents(storage_),
            (std::vector<std::string>{"a:2", "b:10", "b:11", "c:20", "c:null", "y:7"}));
  for (const auto& [path, cardinality] : MarkedFiles(storage_)) EXPECT_EQ(cardinality, 0) << path;
}

TEST_F(RowRewriteTest, DeleteMarksRowsOnceTheTableEnablesDeletionVectors) {
  ASSERT_OK(WriteTable(storage_, Rows({}, {}), ReplaceMarking({{{"v", PredicateOp::kEq, {"10"}}}}))
                .status());
  ASSERT_OK_AND_ASSIGN(r, DeleteWhere(storage_, {{"v", PredicateOp::kEq, {"20"}}}));
  EXPECT_EQ(r.files_removed, 1);
  EXPECT_EQ(r.files_added, 1);  // the same file, marked
  EXPECT_EQ(r.rows_written, 0);
  EXPECT_EQ(Contents(storage_), (std::vector<std::string>{"a:1", "a:2", "b:11", "c:null"}));
  auto marked = MarkedFiles(storage_);
  EXPECT_EQ(std::count_if(marked.begin(), marked.end(), [](auto& f) { return f.second == 1; }), 2);
}

TEST_F(RowRewriteTest, OptimizePurgesFilesMostlyMarkedDeleted) {
  ASSERT_OK(
      WriteTable(storage_, Rows({}, {}), ReplaceMarking({{{"v", PredicateOp::kIn, {"1", "10"}}}}))
          .status());
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  int64_t smallest = snap->files[0].size;
  for (const auto& f : snap->files) smallest = std::min(smallest, f.size);
  // No file is small by its size; the two marked ones are by their live rows (one of two).
  OptimizeOptions o;
  o.min_file_size = smallest * 3 / 4;
  ASSERT_OK_AND_ASSIGN(r, Optimize(storage_, o));
  EXPECT_EQ(r.files_removed, 2);
  EXPECT_EQ(Contents(storage_), (std::vector<std::string>{"a:2", "b:11", "c:20", "c:null"}));
  for (const auto& [path, cardinality] : MarkedFiles(storage_)) EXPECT_EQ(cardinality, 0) << path;
}

// A version within retention still reads its deletion vectors: vacuum keeps the DV file of a
// file that a later DV replaced (its tombstone carries it), not only of the files active now.
TEST(DeletionVectorVacuumTest, KeepsTheDeletionVectorsOfVersionsWithinRetention) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir.str()));
  ASSERT_OK(WriteTable(storage, Rows({"a", "a", "a"}, {1, 2, 3})).status());
  ASSERT_OK(WriteTable(storage, Rows({}, {}), ReplaceMarking({{{"v", PredicateOp::kEq, {"1"}}}}))
                .status());
  ASSERT_OK(WriteTable(storage, Rows({}, {}), ReplaceMarking({{{"v", PredicateOp::kEq, {"2"}}}}))
                .status());
  // Every file old enough to go, were nothing referring to it.
  const auto month_ago =
      std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 30);
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (e.is_regular_file()) std::filesystem::last_write_time(e.path(), month_ago);
  }
  ASSERT_OK_AND_ASSIGN(vacuumed, Vacuum(storage));
  for (const auto& path : vacuumed.deleted) {
    EXPECT_EQ(path.find("deletion_vector_"), std::string::npos) << path;
  }
  SnapshotOptions at_one;
  at_one.version = 1;
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage, at_one));
  ASSERT_OK_AND_ASSIGN(rows, ScanToTable(*snap));
  EXPECT_EQ(rows->num_rows(), 2);
}

TEST(ReadDataFileRowsTest, ReadsThePhysicalRowsAskedForFromTheirRowGroups) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir.str()));
  WriteOptions o;
  o.files.row_group_rows = 2;  // one file, row groups [0, 2), [2, 4), [4, 6)
  ASSERT_OK(
      WriteTable(storage, Rows({"a", "b", "c", "d", "e", "f"}, {0, 1, 2, 3, 4, 5}), o).status());
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage));
  ASSERT_EQ(snap->files.size(), 1u);
  ASSERT_OK_AND_ASSIGN(schema, ToArrowSchema(snap->schema));
  ASSERT_OK_AND_ASSIGN(rows, ReadDataFileRows(*snap, snap->files[0], schema, {1, 4, 5}));
  ASSERT_OK_AND_ASSIGN(batch, rows->CombineChunksToBatch());
  auto v = std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName("v"));
  ASSERT_EQ(v->length(), 3);
  EXPECT_EQ(v->Value(0), 1);
  EXPECT_EQ(v->Value(1), 4);
  EXPECT_EQ(v->Value(2), 5);
  auto missing = ReadDataFileRows(*snap, snap->files[0], schema, {6});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("row 6 is not in the file"), std::string::npos);
}

TEST(ProtocolTest, WithFeaturesListsWhatLegacyVersionsImplied) {
  Protocol legacy;
  legacy.min_reader_version = 2;
  legacy.min_writer_version = 4;
  Protocol p = WithFeatures(legacy, {"deletionVectors"});
  EXPECT_EQ(p.min_reader_version, 3);
  EXPECT_EQ(p.min_writer_version, 7);
  EXPECT_EQ(p.reader_features, (std::vector<std::string>{"columnMapping", "deletionVectors"}));
  EXPECT_EQ(p.writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "checkConstraints",
                                      "changeDataFeed", "generatedColumns", "deletionVectors"}));
  EXPECT_EQ(WithFeatures(p, {"deletionVectors"}), p);  // nothing to add
  // A writer-only feature leaves the reader version alone.
  Protocol w = WithFeatures(Protocol{}, {"appendOnly"});
  EXPECT_EQ(w, Protocol{});
  Protocol ict = WithFeatures(Protocol{}, {"inCommitTimestamp"});
  EXPECT_EQ(ict.min_reader_version, 1);
  EXPECT_EQ(ict.writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "inCommitTimestamp"}));
}

}  // namespace
}  // namespace anatomy::delta
