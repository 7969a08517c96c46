#include "anatomy/pipeline/streamed_write.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "anatomy/artifacts/store.h"
#include "anatomy/delta/scan.h"
#include "anatomy/delta/snapshot.h"
#include "support/temp_dir.h"

namespace anatomy::pipeline {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<arrow::Table> Rows(const std::vector<std::string>& kinds, int64_t first_id) {
  arrow::StringBuilder kind;
  arrow::Int64Builder id;
  for (const auto& k : kinds) {
    EXPECT_TRUE(kind.Append(k).ok());
    EXPECT_TRUE(id.Append(first_id++).ok());
  }
  auto schema =
      arrow::schema({arrow::field("kind", arrow::utf8()), arrow::field("id", arrow::int64())});
  return arrow::Table::Make(schema, {kind.Finish().ValueOrDie(), id.Finish().ValueOrDie()});
}

class StreamedWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(arrow::compute::Initialize().ok());
    store_ = std::make_unique<artifacts::ArtifactStore>((dir_ / "artifacts").string());
    writer_ = std::make_unique<engine::WritePipeline>(store_.get(), "default");
  }

  engine::WriteRequest Request() const {
    engine::WriteRequest req;
    req.dataset_name = "t";
    req.table_uri = (dir_ / "t").string();
    req.write_policy.partition_by = {"kind"};
    return req;
  }
  int64_t Version() const {
    auto snap = delta::LoadSnapshot((dir_ / "t").string());
    return snap.ok() ? (*snap)->version : -1;
  }

  test_support::TempDir tmp_{"anatomy_streamed_"};
  const fs::path dir_ = tmp_.path();
  std::unique_ptr<artifacts::ArtifactStore> store_;
  std::unique_ptr<engine::WritePipeline> writer_;
};

// Chunks handed over one by one, while the producer goes on, end in one commit holding them
// all; two writes share one encoding slot without blocking each other's producer for good.
TEST_F(StreamedWriteTest, ChunksEndInOneCommit) {
  WriteSlots slots(1);
  StreamedWrite write(writer_.get(), Request(), &slots);
  engine::WriteRequest other_req = Request();
  other_req.table_uri = (dir_ / "u").string();
  StreamedWrite other(writer_.get(), other_req, &slots);
  for (int64_t chunk = 0; chunk < 5; ++chunk) {
    ASSERT_TRUE(write.Add(Rows({"a", "b", "a"}, chunk * 3)).ok());
    ASSERT_TRUE(other.Add(Rows({"c"}, chunk)).ok());
  }
  auto outcome = write.Finish();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->rows, 15);
  EXPECT_EQ(outcome->delta_version, 0);
  ASSERT_TRUE(other.Finish().ok());
  auto snap = delta::LoadSnapshot((dir_ / "t").string()).ValueOrDie();
  EXPECT_EQ(snap->version, 0);
  auto table = delta::ScanToTable(*snap).ValueOrDie();
  EXPECT_EQ(table->num_rows(), 15);
  auto sum = arrow::compute::Sum(table->GetColumnByName("id")).ValueOrDie();
  EXPECT_EQ(sum.scalar_as<arrow::Int64Scalar>().value, 14 * 15 / 2);  // ids 0..14, each once
  EXPECT_GE(write.busy_seconds(), 0.0);
}

// A build that stops cancels its writes: nothing is committed, and the cancellation is the
// error Finish returns.
TEST_F(StreamedWriteTest, CancelCommitsNothing) {
  WriteSlots slots(2);
  StreamedWrite write(writer_.get(), Request(), &slots);
  ASSERT_TRUE(write.Add(Rows({"a"}, 0)).ok());
  write.Cancel(Status::Cancelled("the build stopped"));
  auto outcome = write.Finish();
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("the build stopped"), std::string::npos);
  EXPECT_EQ(Version(), -1);
  EXPECT_FALSE(write.Add(Rows({"a"}, 1)).ok());
}

// A chunk the table cannot take fails the write; later chunks are refused with that error
// instead of blocking the producer, and the destructor of an unfinished write does not hang.
TEST_F(StreamedWriteTest, AFailedWriteRefusesLaterChunks) {
  WriteSlots slots(1);
  {
    StreamedWrite write(writer_.get(), Request(), &slots);
    ASSERT_TRUE(write.Add(Rows({"a"}, 0)).ok());
    auto bad = arrow::Table::Make(arrow::schema({arrow::field("x", arrow::float64())}),
                                  {arrow::MakeArrayOfNull(arrow::float64(), 1).ValueOrDie()});
    ASSERT_TRUE(write.Add(bad).ok());  // queued; the write fails when it reaches it
    Status st;
    for (int i = 0; i < 100 && st.ok(); ++i) st = write.Add(Rows({"a"}, 1));
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.message().find("t: "), std::string::npos) << st.ToString();
  }
  EXPECT_EQ(Version(), -1);
  {
    StreamedWrite abandoned(writer_.get(), Request(), &slots);
    ASSERT_TRUE(abandoned.Add(Rows({"a"}, 0)).ok());
  }  // cancelled by the destructor
  EXPECT_EQ(Version(), -1);
  StreamedWrite empty(writer_.get(), Request(), &slots);
  EXPECT_FALSE(empty.Finish().ok());
}

}  // namespace
}  // namespace anatomy::pipeline
