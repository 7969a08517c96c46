#include "anatomy/pipeline/write_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>

namespace anatomy::pipeline {
namespace {

TEST(WriteQueue, RunsTasksInSubmissionOrderOffTheCallingThread) {
  std::vector<int> order;
  std::thread::id caller = std::this_thread::get_id(), ran_on;
  {
    WriteQueue queue;
    for (int i = 0; i < 20; ++i) {
      queue.Submit(
          [&, i] {
            ran_on = std::this_thread::get_id();
            order.push_back(i);
            return Status::OK();
          },
          /*max_pending=*/100);
    }
    ASSERT_TRUE(queue.Wait().ok());
  }
  std::vector<int> expected(20);
  for (int i = 0; i < 20; ++i) expected[i] = i;
  EXPECT_EQ(order, expected);
  EXPECT_NE(ran_on, caller);
}

TEST(WriteQueue, KeepsTheFirstFailureAndSkipsLaterTasks) {
  WriteQueue queue;
  std::atomic<int> ran{0};
  queue.Submit(
      [&] {
        ++ran;
        return Status::OK();
      },
      10);
  queue.Submit(
      [&] {
        ++ran;
        return Status::IOError("disk full writing cpg_edges");
      },
      10);
  queue.Submit(
      [&] {
        ++ran;
        return Status::Invalid("second");
      },
      10);
  const Status st = queue.Wait();
  EXPECT_TRUE(st.IsIOError());
  EXPECT_NE(st.message().find("cpg_edges"), std::string::npos);
  EXPECT_EQ(ran.load(), 2);
}

TEST(WriteQueue, SubmitWaitsWhileMaxPendingTasksAreOutstanding) {
  WriteQueue queue;
  std::atomic<bool> release{false};
  std::atomic<int> outstanding{0}, most{0};
  auto task = [&] {
    most = std::max(most.load(), ++outstanding);
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    --outstanding;
    return Status::OK();
  };
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    release = true;
  });
  // With max_pending 1 the second Submit returns only once the first task has finished.
  queue.Submit(task, 1);
  queue.Submit(task, 1);
  EXPECT_TRUE(release.load());
  ASSERT_TRUE(queue.Wait().ok());
  releaser.join();
  EXPECT_EQ(most.load(), 1);
}

TEST(WriteQueue, SeveralWorkersRunTasksAtTheSameTime) {
  WriteQueue queue(2);
  std::atomic<int> arrived{0};
  // Each task waits (bounded) for the other: both finish only if they overlap.
  auto task = [&] {
    ++arrived;
    for (int i = 0; i < 5000 && arrived < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return arrived == 2 ? Status::OK() : Status::Invalid("tasks did not overlap");
  };
  queue.Submit(task, 2);
  queue.Submit(task, 2);
  EXPECT_TRUE(queue.Wait().ok());
}

}  // namespace
}  // namespace anatomy::pipeline
