// `_last_checkpoint` is only a hint: a snapshot found from it (probing the commits after the
// hinted checkpoint instead of listing `_delta_log`) must equal the snapshot a full listing
// gives, whether the hint is current, stale, names a removed checkpoint or is garbage. The
// oracle is the same table read with the hint deleted (the listing path).

#include <gtest/gtest.h>

#include <filesystem>

#include "anatomy/delta/api.h"
#include "anatomy/delta/log_files.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::CommitName;
using testing::GroupValueRows;
using testing::TempDir;
using testing::WriteFile;

namespace fs = std::filesystem;

class LastCheckpointTest : public ::testing::Test {
 protected:
  /// Versions 0..`commits`-1, one row each, a checkpoint every 10 commits (UUID-named v2
  /// checkpoints with `v2`).
  void Build(int commits, bool v2 = false) {
    for (int v = 0; v < commits; ++v) {
      WriteOptions o;
      o.mode = v == 0 ? WriteMode::kOverwrite : WriteMode::kAppend;
      o.properties["delta.checkpointInterval"] = "10";
      if (v2 && v == 0) o.features = {"v2Checkpoint"};
      auto r = WriteTable(dir_.str(), GroupValueRows({"g" + std::to_string(v)}, {v}), o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  static SnapshotOptions At(int64_t version) {
    SnapshotOptions o;
    o.version = version;
    return o;
  }
  fs::path Log() const { return dir_.path() / "_delta_log"; }
  fs::path Hint() const { return Log() / "_last_checkpoint"; }
  void SetHint(const std::string& text) { WriteFile(Hint(), text); }
  static std::string CheckpointName(int64_t v) {
    std::string c = CommitName(v);
    return c.substr(0, 20) + ".checkpoint.parquet";
  }
  Result<std::shared_ptr<Snapshot>> Load(SnapshotOptions o = {}) {
    return LoadSnapshot(dir_.str(), o);
  }
  /// The snapshot with the hint as it is equals the one from a listing (hint removed).
  void ExpectSameAsListing(SnapshotOptions o = {}) {
    auto hinted = Load(o);
    std::string saved;
    if (fs::exists(Hint())) {
      std::ifstream in(Hint());
      saved.assign(std::istreambuf_iterator<char>(in), {});
      fs::remove(Hint());
    }
    auto listed = Load(o);
    if (!saved.empty()) SetHint(saved);
    ASSERT_EQ(hinted.ok(), listed.ok())
        << hinted.status().ToString() << " vs " << listed.status().ToString();
    if (!listed.ok()) return;
    EXPECT_EQ((*hinted)->version, (*listed)->version);
    EXPECT_EQ((*hinted)->timestamp_ms, (*listed)->timestamp_ms);
    ASSERT_EQ((*hinted)->files.size(), (*listed)->files.size());
    for (size_t i = 0; i < (*listed)->files.size(); ++i) {
      EXPECT_EQ((*hinted)->files[i].path, (*listed)->files[i].path);
      EXPECT_EQ((*hinted)->files[i].stats, (*listed)->files[i].stats);
    }
    EXPECT_EQ((*hinted)->metadata.schema_string, (*listed)->metadata.schema_string);
  }
  TempDir dir_;
};

TEST_F(LastCheckpointTest, CurrentHintGivesTheLatestVersion) {
  Build(25);
  ASSERT_TRUE(fs::exists(Hint()));
  ASSERT_OK_AND_ASSIGN(snap, Load());
  EXPECT_EQ(snap->version, 24);
  EXPECT_EQ(snap->checkpoint_version, 20);
  EXPECT_EQ(snap->files.size(), 25u);
  ExpectSameAsListing();
  ExpectSameAsListing(At(22));
  ExpectSameAsListing(At(20));
  ExpectSameAsListing(At(7));
  ExpectSameAsListing(At(25));  // past the end: the same error
}

TEST_F(LastCheckpointTest, V2CheckpointNamedByTheHint) {
  Build(23, /*v2=*/true);
  ASSERT_OK_AND_ASSIGN(snap, Load());
  EXPECT_EQ(snap->version, 22);
  EXPECT_EQ(snap->checkpoint_version, 20);
  EXPECT_EQ(snap->files.size(), 23u);
  ExpectSameAsListing();
  ExpectSameAsListing(At(21));
}

TEST_F(LastCheckpointTest, StaleHintStillReachesTheLatestVersion) {
  Build(25);
  SetHint(R"({"version":10,"size":12})");
  ASSERT_OK_AND_ASSIGN(snap, Load());
  EXPECT_EQ(snap->version, 24);
  ExpectSameAsListing();
  ExpectSameAsListing(At(15));
}

TEST_F(LastCheckpointTest, StaleHintAfterLogCleanupIsNotTheLatestVersion) {
  // Commits 0..19 gone (as log cleanup leaves a log) while the hint still names checkpoint 10:
  // commit 11 is missing, but the table is at version 24.
  Build(25);
  for (int v = 0; v < 20; ++v) fs::remove(Log() / CommitName(v));
  SetHint(R"({"version":10,"size":12})");
  ASSERT_OK_AND_ASSIGN(snap, Load());
  EXPECT_EQ(snap->version, 24);
  EXPECT_EQ(snap->files.size(), 25u);
  ExpectSameAsListing();
}

TEST_F(LastCheckpointTest, HintNamingARemovedCheckpointFallsBackToTheListing) {
  Build(25);
  fs::remove(Log() / CheckpointName(20));
  ASSERT_OK_AND_ASSIGN(snap, Load());
  EXPECT_EQ(snap->version, 24);
  EXPECT_EQ(snap->checkpoint_version, 10);
  ExpectSameAsListing();
}

TEST_F(LastCheckpointTest, HintPastTheEndOrGarbageIsIgnored) {
  Build(15);
  SetHint(R"({"version":90,"size":3})");
  ExpectSameAsListing();
  SetHint(R"({"version":10,"parts":3})");  // parts that do not exist
  ExpectSameAsListing();
  SetHint(R"({"version":10,"v2Checkpoint":{"path":"../../elsewhere.parquet"}})");
  ExpectSameAsListing();
  SetHint("not json");
  ExpectSameAsListing();
  ASSERT_OK_AND_ASSIGN(snap, Load());
  EXPECT_EQ(snap->version, 14);
}

TEST_F(LastCheckpointTest, LatestVersionIsTheCheckpointItself) {
  Build(21);  // checkpoint at 20 and no commit after it: nothing to probe, the listing decides
  ASSERT_OK_AND_ASSIGN(snap, Load());
  EXPECT_EQ(snap->version, 20);
  ExpectSameAsListing();
}

TEST_F(LastCheckpointTest, MissingCommitBeforeTheRequestedVersionIsStillAnError) {
  Build(25);
  fs::remove(Log() / CommitName(22));
  auto r = Load(At(24));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(CommitName(22) + " is missing"), std::string::npos)
      << r.status().ToString();
}

TEST_F(LastCheckpointTest, MissingCommitBeforeTheLatestIsAnErrorNotAnOlderVersion) {
  Build(25);
  fs::remove(Log() / CommitName(22));  // 21 is the last commit probed, 23 and 24 exist
  auto r = Load();
  ASSERT_FALSE(r.ok()) << "loaded version " << (*r)->version;
  EXPECT_NE(r.status().message().find(CommitName(22)), std::string::npos) << r.status().ToString();
  ExpectSameAsListing();
}

}  // namespace
}  // namespace anatomy::delta
