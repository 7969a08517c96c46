#include "anatomy/pipeline/write_queue.h"

namespace anatomy::pipeline {

WriteQueue::WriteQueue(size_t workers) {
  for (size_t i = 0; i < std::max<size_t>(1, workers); ++i)
    workers_.emplace_back([this] { Run(); });
}

WriteQueue::~WriteQueue() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return tasks_.empty() && running_ == 0; });
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void WriteQueue::Submit(std::function<Status()> task, size_t max_pending) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return tasks_.size() + running_ < std::max<size_t>(1, max_pending); });
  tasks_.push_back(std::move(task));
  changed_.notify_all();
}

Status WriteQueue::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return tasks_.empty() && running_ == 0; });
  return first_error_;
}

void WriteQueue::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, nothing left
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    ++running_;
    const bool skip = !first_error_.ok();
    lock.unlock();
    Status st = skip ? Status::OK() : task();
    task = nullptr;  // release what it holds before the caller is told it is done
    lock.lock();
    if (first_error_.ok() && !st.ok()) first_error_ = std::move(st);
    --running_;
    changed_.notify_all();
  }
}

}  // namespace anatomy::pipeline
