#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::pipeline {

/// \brief Runs tasks (the Delta writes of a build) on threads of their own, started in the
/// order they were submitted (one worker: one after another), while the caller goes on
/// computing the next view: views and writes overlap.
///
/// The first failure is kept; later tasks are skipped, and Wait returns it. The destructor
/// waits for the queued tasks: declare the queue after what they capture by reference.
class WriteQueue {
 public:
  explicit WriteQueue(size_t workers = 1);
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  /// Queues `task`. At most `max_pending` tasks wait (queued or running); Submit blocks until
  /// one finishes, so the tables held by queued writes stay bounded.
  void Submit(std::function<Status()> task, size_t max_pending = 1);

  /// Waits until every queued task has run; the first failure, if any.
  Status Wait();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::function<Status()>> tasks_;
  size_t running_ = 0;
  bool stopping_ = false;
  Status first_error_;
  std::vector<std::thread> workers_;
};

}  // namespace anatomy::pipeline
