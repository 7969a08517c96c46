#include "anatomy/core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace anatomy::core {
namespace {

TEST(ParallelFor, RunsEveryIndexOnce) {
  for (int threads : {1, 2, 8}) {
    std::vector<std::atomic<int>> seen(1000);
    ASSERT_TRUE(ParallelFor(seen.size(), threads, [&](size_t i) {
                  seen[i]++;
                  return Status::OK();
                }).ok());
    for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
  }
  EXPECT_TRUE(ParallelFor(0, 4, [](size_t) { return Status::Invalid("never"); }).ok());
}

TEST(ParallelFor, ReturnsTheErrorOfTheLowestFailingIndex) {
  for (int round = 0; round < 20; ++round) {
    Status st = ParallelFor(64, 4, [](size_t i) {
      if (i == 7 || i == 9 || i == 40) return Status::Invalid("task ", i);
      return Status::OK();
    });
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.message(), "task 7");
  }
}

}  // namespace
}  // namespace anatomy::core
