#include "anatomy/incremental/changes.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "anatomy/core/hash.h"
#include "support/temp_dir.h"

namespace anatomy::incremental {
namespace {

namespace fs = std::filesystem;

class ChangesTest : public ::testing::Test {
 protected:
  // A scanned file with this content, and the snapshot row a build would have recorded.
  extract::ScannedFile Put(const std::string& path, const std::string& content, int64_t mtime) {
    tmp_.Write(path, content);
    return {path, (root_ / path).string(), static_cast<int64_t>(content.size()), mtime, true};
  }
  static FileState Row(const std::string& path, const std::string& content, int64_t mtime) {
    return {path, core::StableId("file", {path}), core::Sha256Hex(content),
            static_cast<int64_t>(content.size()), mtime};
  }

  test_support::TempDir tmp_{"anatomy_changes_"};
  const fs::path root_ = tmp_.path();
};

TEST_F(ChangesTest, ClassifiesByContentHash) {
  RepoSnapshot before;
  for (auto row : {Row("same.py", "a = 1\n", 10), Row("edited.py", "b = 1\n", 10),
                   Row("touched.py", "c = 1\n", 10), Row("gone.py", "d = 1\n", 10),
                   Row("old_name.py", "e = 1\n", 10)}) {
    before[row.path] = row;
  }
  extract::ScanResult scan;
  scan.files = {Put("same.py", "a = 1\n", 10), Put("edited.py", "b = 2\n", 11),
                Put("touched.py", "c = 1\n", 99), Put("new_name.py", "e = 1\n", 12),
                Put("added.py", "f = 1\n", 12)};
  auto changes = DetectChanges(before, scan);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  std::map<std::string, std::string> kinds;
  for (const auto& c : changes->changes)
    kinds[c.path] = c.change + (c.old_path ? ":" + *c.old_path : "");
  EXPECT_EQ(kinds, (std::map<std::string, std::string>{{"edited.py", "changed"},
                                                       {"touched.py", "touched"},
                                                       {"new_name.py", "renamed:old_name.py"},
                                                       {"added.py", "added"},
                                                       {"gone.py", "deleted"}}));
  EXPECT_EQ(changes->files_hashed, 4);  // same.py is trusted by its size and mtime
  std::sort(changes->removed_paths.begin(), changes->removed_paths.end());
  EXPECT_EQ(changes->removed_paths, (std::vector<std::string>{"gone.py", "old_name.py"}));
  EXPECT_EQ(changes->upserted.size(), 4u);
}

TEST_F(ChangesTest, NothingChangedIsEmpty) {
  RepoSnapshot before{{"a.py", Row("a.py", "x = 1\n", 5)}};
  extract::ScanResult scan;
  scan.files = {Put("a.py", "x = 1\n", 5)};
  auto changes = DetectChanges(before, scan);
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->empty());
  EXPECT_EQ(changes->files_hashed, 0);
}

}  // namespace
}  // namespace anatomy::incremental
