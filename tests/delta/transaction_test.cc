// Optimistic concurrency: appends commute, overwrite/delete conflicts are refused, app
// transactions are idempotent, commits are put-if-absent.

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "anatomy/delta/api.h"
#include "anatomy/delta/log_files.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::TempDir;

std::shared_ptr<arrow::Table> Rows(std::vector<std::string> g, std::vector<int64_t> v) {
  arrow::StringBuilder gb;
  arrow::Int64Builder vb;
  EXPECT_TRUE(gb.AppendValues(g).ok());
  EXPECT_TRUE(vb.AppendValues(v).ok());
  auto schema =
      arrow::schema({arrow::field("g", arrow::utf8()), arrow::field("v", arrow::int64())});
  return arrow::Table::Make(schema, {gb.Finish().ValueOrDie(), vb.Finish().ValueOrDie()});
}

class TxnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = OpenLocalStorage(dir_.str()).ValueOrDie();
    WriteOptions o;
    o.partition_columns = {"g"};
    ASSERT_TRUE(WriteTable(storage_, Rows({"a", "b"}, {1, 2}), o).ok());
  }
  /// An overwrite prepared against `snap` but not yet committed.
  CommitIntent OverwriteIntent(const Snapshot& snap) {
    CommitIntent in;
    in.read_version = snap.version;
    in.blind_append = false;
    CommitInfo ci;
    ci.operation = "WRITE";
    in.actions.push_back(ci);
    for (const auto& f : snap.files) {
      RemoveFile r;
      r.path = f.path;
      r.deletion_timestamp = 1;
      in.actions.push_back(r);
      in.removed_paths.insert(f.path);
    }
    return in;
  }
  TempDir dir_;
  std::shared_ptr<Storage> storage_;
};

TEST_F(TxnTest, AppendsCommuteAndRetryAtTheNextVersion) {
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  CommitIntent mine;
  mine.read_version = snap->version;
  mine.actions.push_back(CommitInfo{});
  ASSERT_OK(WriteTable(storage_, Rows({"c"}, {3})).status());  // a concurrent winner at v1
  ASSERT_OK_AND_ASSIGN(r, Commit(*storage_, mine));
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(r.attempts, 2);
}

TEST_F(TxnTest, OverwriteAfterConcurrentAppendIsRefused) {
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  auto intent = OverwriteIntent(*snap);
  ASSERT_OK(WriteTable(storage_, Rows({"a"}, {9})).status());
  auto r = Commit(*storage_, intent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("concurrent append"), std::string::npos)
      << r.status().ToString();
  ASSERT_OK_AND_ASSIGN(latest, LatestVersion(*storage_));
  EXPECT_EQ(latest, 1);  // nothing merged
}

TEST_F(TxnTest, DeleteAfterConcurrentDeleteOfTheSameFilesIsRefused) {
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  auto intent = OverwriteIntent(*snap);
  ASSERT_OK(DeleteWhere(storage_, {{"g", PredicateOp::kEq, {"a"}}}).status());
  auto r = Commit(*storage_, intent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("concurrent delete"), std::string::npos)
      << r.status().ToString();
}

TEST_F(TxnTest, PartitionScopedWritesCommuteAcrossPartitions) {
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  // Replace partition b while someone appends to partition a: no conflict.
  auto intent = OverwriteIntent(*snap);
  std::erase_if(intent.actions, [](const Action& a) {
    auto* r = std::get_if<RemoveFile>(&a);
    return r && r->path.rfind("g=b/", 0) != 0;
  });
  intent.removed_paths.clear();
  intent.reads = [](const AddFile& f) { return f.partition_values.at("g") == "b"; };
  ASSERT_OK(WriteTable(storage_, Rows({"a"}, {7})).status());
  ASSERT_OK_AND_ASSIGN(r, Commit(*storage_, intent));
  EXPECT_EQ(r.version, 2);
  // ...but an append into b conflicts.
  ASSERT_OK_AND_ASSIGN(snap2, LoadSnapshot(storage_));
  auto intent2 = OverwriteIntent(*snap2);
  intent2.reads = [](const AddFile& f) { return f.partition_values.at("g") == "b"; };
  ASSERT_OK(WriteTable(storage_, Rows({"b"}, {8})).status());
  EXPECT_FALSE(Commit(*storage_, intent2).ok());
}

TEST_F(TxnTest, AppTransactionsAreIdempotent) {
  WriteOptions o;
  o.app_id = "etl";
  o.app_version = 5;
  ASSERT_OK_AND_ASSIGN(first, WriteTable(storage_, Rows({"a"}, {1}), o));
  ASSERT_OK_AND_ASSIGN(second, WriteTable(storage_, Rows({"a"}, {1}), o));
  EXPECT_TRUE(first.committed);
  EXPECT_FALSE(second.committed);
  EXPECT_EQ(second.version, first.version);
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  EXPECT_EQ(snap->txns.at("etl").version, 5);
}

TEST_F(TxnTest, CommitFilesAreNeverReplaced) {
  auto st = storage_->PutIfAbsent(CommitPath(0), "garbage\n");
  EXPECT_TRUE(st.IsAlreadyExists()) << st.ToString();
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  EXPECT_EQ(snap->files.size(), 2u);
}

TEST_F(TxnTest, ScanFiltersAndPruningCounts) {
  ASSERT_OK(WriteTable(storage_, Rows({"a", "c"}, {10, 20})).status());
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage_));
  ASSERT_OK_AND_ASSIGN(filters, ParseFilter("g = 'a' AND v > 5"));
  ASSERT_OK_AND_ASSIGN(pruned, PruneFiles(*snap, filters));
  EXPECT_EQ(pruned.total_files, 4);
  EXPECT_EQ(pruned.pruned_by_partition, 2);
  EXPECT_EQ(pruned.pruned_by_stats, 1);  // the first a-file has v = 1
  EXPECT_EQ(pruned.candidate_files, 1);
  ScanOptions so;
  so.filters = filters;
  so.columns = {"v"};
  ASSERT_OK_AND_ASSIGN(t, ScanToTable(*snap, so));
  EXPECT_EQ(t->num_columns(), 1);
  EXPECT_EQ(testing::CanonicalRows(*t), std::vector<std::string>{"10|"});
  // The streaming reader gives the same rows.
  ASSERT_OK_AND_ASSIGN(reader, ScanBatches(snap, so));
  EXPECT_EQ(reader->schema()->ToString(), "v: int64");
  ASSERT_OK_AND_ASSIGN(streamed, reader->ToTable());
  EXPECT_EQ(testing::CanonicalRows(*streamed), std::vector<std::string>{"10|"});
  ASSERT_OK_AND_ASSIGN(all_reader, ScanBatches(snap, {}));
  ASSERT_OK_AND_ASSIGN(all, all_reader->ToTable());
  ASSERT_OK_AND_ASSIGN(all_table, ScanToTable(*snap));
  EXPECT_EQ(testing::CanonicalRows(*all), testing::CanonicalRows(*all_table));
}

// A write handed out in chunks (more_data) is one commit holding every chunk's files.
TEST(MoreDataTest, ChunksAreCommittedTogether) {
  for (bool create : {true, false}) {
    TempDir dir;
    ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir.str()));
    WriteOptions o;
    o.partition_columns = {"g"};
    if (!create) ASSERT_OK(WriteTable(storage, Rows({"z"}, {0}), o).status());
    std::vector<std::shared_ptr<arrow::Table>> chunks = {Rows({"b", "c"}, {3, 4}), Rows({}, {}),
                                                         Rows({"a"}, {5})};
    size_t next = 0;
    o.mode = WriteMode::kOverwrite;
    o.more_data = [&]() -> Result<std::shared_ptr<arrow::Table>> {
      return next < chunks.size() ? chunks[next++] : nullptr;
    };
    ASSERT_OK_AND_ASSIGN(written, WriteTable(storage, Rows({"a", "b"}, {1, 2}), o));
    EXPECT_EQ(written.rows_written, 5);
    EXPECT_EQ(written.version, create ? 0 : 1);
    EXPECT_EQ(written.files_added, 3);  // each partition's rows held back until the end
    ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage));
    ASSERT_OK_AND_ASSIGN(table, ScanToTable(*snap));
    EXPECT_EQ(testing::CanonicalRows(*table),
              testing::CanonicalRows(*Rows({"a", "a", "b", "b", "c"}, {1, 5, 2, 3, 4})));
  }
}

// Chunks do not leave a small file per partition each: the rows short of a full file are
// written with the next chunk's, so every file but a partition's last is full.
TEST(MoreDataTest, ChunkTailsJoinTheNextChunk) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir.str()));
  WriteOptions o;
  o.partition_columns = {"g"};
  o.files.row_group_rows = 2;
  o.files.target_file_size = 1;  // a file is one row group of 2 rows
  int64_t next_id = 0;
  auto chunk = [&](int a_rows, int b_rows) {
    std::vector<std::string> g;
    std::vector<int64_t> v;
    for (int i = 0; i < a_rows; ++i) g.push_back("a"), v.push_back(next_id++);
    for (int i = 0; i < b_rows; ++i) g.push_back("b"), v.push_back(next_id++);
    return Rows(g, v);
  };
  std::vector<std::shared_ptr<arrow::Table>> chunks = {chunk(1, 2), chunk(4, 1), chunk(1, 0)};
  size_t next = 0;
  o.more_data = [&]() -> Result<std::shared_ptr<arrow::Table>> {
    return next < chunks.size() ? chunks[next++] : nullptr;
  };
  ASSERT_OK_AND_ASSIGN(written, WriteTable(storage, chunk(3, 1), o));
  EXPECT_EQ(written.rows_written, 13);  // a: 3+1+4+1 = 9 rows, b: 1+2+1 = 4
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage));
  std::map<std::string, std::vector<int64_t>> rows_per_file;
  for (const auto& f : snap->files) {
    auto stats = nlohmann::json::parse(*f.stats);
    rows_per_file[*f.partition_values.at("g")].push_back(stats["numRecords"].get<int64_t>());
  }
  // Written in order: full files of 2 rows, then the last one.
  EXPECT_EQ(rows_per_file["a"].size(), 5u);
  EXPECT_EQ(rows_per_file["b"].size(), 2u);
  for (const auto& [g, counts] : rows_per_file) {
    int64_t total = 0, small = 0;
    for (auto n : counts) total += n, small += n < 2;
    EXPECT_LE(small, 1) << g;
    EXPECT_EQ(total, g == "a" ? 9 : 4);
  }
  ASSERT_OK_AND_ASSIGN(table, ScanToTable(*snap));
  EXPECT_EQ(table->num_rows(), 13);
}

// A chunk that fails (or does not fit the table) fails the write, and nothing is committed.
TEST(MoreDataTest, AFailedChunkCommitsNothing) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir.str()));
  ASSERT_OK(WriteTable(storage, Rows({"a"}, {1})).status());
  WriteOptions o;
  o.more_data = []() -> Result<std::shared_ptr<arrow::Table>> {
    return Status::Cancelled("the producer stopped");
  };
  auto failed = WriteTable(storage, Rows({"b"}, {2}), o);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("the producer stopped"), std::string::npos);
  auto other = arrow::Table::Make(arrow::schema({arrow::field("x", arrow::float64())}),
                                  {arrow::MakeArrayOfNull(arrow::float64(), 1).ValueOrDie()});
  bool handed = false;
  o.more_data = [&]() -> Result<std::shared_ptr<arrow::Table>> {
    if (handed) return nullptr;
    handed = true;
    return other;
  };
  EXPECT_FALSE(WriteTable(storage, Rows({"b"}, {2}), o).ok());
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(storage));
  EXPECT_EQ(snap->version, 0);
  o.replace_where = {{"g", PredicateOp::kEq, {"a"}}};
  o.mode = WriteMode::kOverwrite;
  EXPECT_TRUE(WriteTable(storage, Rows({"a"}, {2}), o).status().IsInvalid());
}

}  // namespace
}  // namespace anatomy::delta
