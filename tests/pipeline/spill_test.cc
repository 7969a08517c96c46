#include "anatomy/pipeline/spill.h"

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "support/temp_dir.h"

namespace anatomy::pipeline {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<arrow::Table> Rows(int64_t first, int64_t n) {
  arrow::Int64Builder id;
  arrow::StringBuilder name;
  for (int64_t i = first; i < first + n; ++i) {
    EXPECT_TRUE(id.Append(i).ok());
    EXPECT_TRUE((i % 3 == 0 ? name.AppendNull() : name.Append("n" + std::to_string(i))).ok());
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64(), false), arrow::field("name", arrow::utf8())});
  return arrow::Table::Make(schema, {id.Finish().ValueOrDie(), name.Finish().ValueOrDie()});
}

class SpillTest : public ::testing::Test {
 protected:
  test_support::TempDir tmp_{"anatomy_spill_"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(SpillTest, ReadsBackEveryRowInOrderAndShowsNoFile) {
  const auto path = (dir_ / "kept.arrow").string();
  {
    Spill spill(path);
    ASSERT_TRUE(spill.Append(*Rows(0, 5)).ok());
    ASSERT_TRUE(spill.Append(*Rows(5, 0)).ok());  // nothing to add
    ASSERT_TRUE(spill.Append(*Rows(5, 1000)).ok());
    EXPECT_TRUE(fs::is_empty(dir_));  // the file has no name
    EXPECT_EQ(spill.num_rows(), 1005);
    auto all = spill.ReadAll();
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    auto expected = arrow::ConcatenateTables({Rows(0, 5), Rows(5, 1000)}).ValueOrDie();
    EXPECT_TRUE((*all)->schema()->Equals(*expected->schema()));
    EXPECT_TRUE((*all)->Equals(*expected));
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(SpillTest, NothingAppendedIsNoFileAndNoTable) {
  const auto path = (dir_ / "none.arrow").string();
  Spill spill(path);
  ASSERT_TRUE(spill.Append(*Rows(0, 0)).ok());
  EXPECT_FALSE(fs::exists(path));
  auto all = spill.ReadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, nullptr);
}

TEST_F(SpillTest, AnUnwritableFolderIsAnErrorNamingThePath) {
  Spill spill((dir_ / "missing" / "kept.arrow").string());
  auto st = spill.Append(*Rows(0, 3));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.ToString().find("kept.arrow"), std::string::npos) << st.ToString();
}

TEST_F(SpillTest, AStoppedBuildLeavesNoFile) {
  const auto path = (dir_ / "stopped.arrow").string();
  {
    Spill spill(path);
    ASSERT_TRUE(spill.Append(*Rows(0, 10)).ok());
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(SpillTest, AKilledBuildLeavesNoFile) {
  // A process that spills and is killed before its spill goes (no destructor runs).
  const auto path = (dir_ / "killed.arrow").string();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Spill spill(path);
    const bool ok = spill.Append(*Rows(0, 100)).ok();
    raise(SIGKILL);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_TRUE(fs::is_empty(dir_));
}

}  // namespace
}  // namespace anatomy::pipeline
