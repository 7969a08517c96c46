// V2 checkpoints on tables with the v2Checkpoint feature: UUID-named, one checkpointMetadata
// action, file actions inline, `_last_checkpoint` pointing at the file, and a snapshot that
// loads from the checkpoint alone once the commits before it are gone.

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "anatomy/delta/api.h"
#include "anatomy/delta/log_files.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::TempDir;

std::shared_ptr<arrow::Table> Rows(int64_t first, int64_t n) {
  arrow::Int64Builder vb;
  arrow::StringBuilder pb;
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_TRUE(vb.Append(first + i).ok());
    EXPECT_TRUE(pb.Append(i % 2 ? "x" : "y").ok());
  }
  auto schema =
      arrow::schema({arrow::field("p", arrow::utf8()), arrow::field("v", arrow::int64())});
  return arrow::Table::Make(schema, {pb.Finish().ValueOrDie(), vb.Finish().ValueOrDie()});
}

std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CheckpointV2, FeatureMakesUuidNamedCheckpointsThatLoadAlone) {
  TempDir dir;
  WriteOptions create;
  create.features = {"v2Checkpoint"};
  create.partition_columns = {"p"};
  create.properties["delta.checkpointInterval"] = "2";
  ASSERT_OK(WriteTable(dir.str(), Rows(0, 4), create).status());
  ASSERT_OK_AND_ASSIGN(first, LoadSnapshot(dir.str()));
  EXPECT_TRUE(HasReaderFeature(first->protocol, "v2Checkpoint"));
  EXPECT_TRUE(HasWriterFeature(first->protocol, "v2Checkpoint"));
  EXPECT_EQ(first->Property("delta.checkpointPolicy"), "v2");
  ASSERT_OK(WriteTable(dir.str(), Rows(10, 3)).status());  // v1
  ASSERT_OK(WriteTable(dir.str(), Rows(20, 2)).status());  // v2: automatic checkpoint
  ASSERT_OK(WriteTable(dir.str(), Rows(30, 1)).status());  // v3: after the checkpoint

  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir.str()));
  ASSERT_OK_AND_ASSIGN(log, ListLog(*storage));
  ASSERT_EQ(log.checkpoints.size(), 1u);
  const auto& cp = log.checkpoints[0];
  EXPECT_EQ(cp.version, 2);
  EXPECT_TRUE(cp.v2);
  EXPECT_FALSE(cp.json);
  ASSERT_EQ(cp.paths.size(), 1u);
  const std::string name = cp.paths[0].substr(cp.paths[0].rfind('/') + 1);
  // 20-digit version, ".checkpoint.", a 36-character UUID, ".parquet".
  EXPECT_EQ(name.size(), 20u + 12 + 36 + 8) << name;
  EXPECT_EQ(name.rfind("00000000000000000002.checkpoint.", 0), 0u) << name;

  // Exactly one checkpointMetadata with the version; add actions inline, no sidecars.
  ASSERT_OK_AND_ASSIGN(actions, ReadCheckpoint(*storage, cp));
  int meta = 0, sidecars = 0, adds = 0, protocols = 0;
  for (const auto& a : actions) {
    if (const auto* m = std::get_if<CheckpointMetadata>(&a)) {
      ++meta;
      EXPECT_EQ(m->version, 2);
    }
    sidecars += std::holds_alternative<Sidecar>(a);
    adds += std::holds_alternative<AddFile>(a);
    protocols += std::holds_alternative<Protocol>(a);
  }
  EXPECT_EQ(meta, 1);
  EXPECT_EQ(sidecars, 0);
  EXPECT_EQ(protocols, 1);
  EXPECT_EQ(adds, 6);  // two partitions x three writes

  auto last = nlohmann::json::parse(ReadText(dir.path() / "_delta_log" / "_last_checkpoint"));
  EXPECT_EQ(last["version"], 2);
  ASSERT_TRUE(last.contains("v2Checkpoint")) << last.dump();
  EXPECT_EQ(last["v2Checkpoint"]["path"], name);
  EXPECT_EQ(last["numOfAddFiles"], 6);

  // The commits up to the checkpoint are not needed any more.
  for (int v = 0; v <= 2; ++v) {
    std::filesystem::remove(dir.path() / "_delta_log" / testing::CommitName(v));
  }
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir.str()));
  EXPECT_EQ(snap->version, 3);
  EXPECT_EQ(snap->checkpoint_version, 2);
  EXPECT_TRUE(HasReaderFeature(snap->protocol, "v2Checkpoint"));
  ASSERT_OK_AND_ASSIGN(rows, ScanToTable(*snap));
  EXPECT_EQ(rows->num_rows(), 4 + 3 + 2 + 1);
  // On-demand checkpoints are V2 too.
  ASSERT_OK_AND_ASSIGN(again, CheckpointLatest(storage));
  EXPECT_TRUE(again.v2);
  EXPECT_NE(again.path.find("00000000000000000003.checkpoint."), std::string::npos);
  ASSERT_OK_AND_ASSIGN(after, LoadSnapshot(dir.str()));
  EXPECT_EQ(after->checkpoint_version, 3);
  ASSERT_OK_AND_ASSIGN(rows2, ScanToTable(*after));
  EXPECT_EQ(rows2->num_rows(), 10);
}

TEST(CheckpointV2, ClassicPolicyAndPlainTablesKeepClassicCheckpoints) {
  for (bool feature : {true, false}) {
    TempDir dir;
    WriteOptions create;
    if (feature) {
      create.features = {"v2Checkpoint"};
      create.properties["delta.checkpointPolicy"] = "classic";
    }
    ASSERT_OK(WriteTable(dir.str(), Rows(0, 2), create).status());
    ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir.str()));
    ASSERT_OK_AND_ASSIGN(info, CheckpointLatest(storage));
    EXPECT_FALSE(info.v2);
    EXPECT_EQ(info.path, "_delta_log/00000000000000000000.checkpoint.parquet");
    auto last = nlohmann::json::parse(ReadText(dir.path() / "_delta_log" / "_last_checkpoint"));
    EXPECT_FALSE(last.contains("v2Checkpoint"));
  }
}

}  // namespace
}  // namespace anatomy::delta
