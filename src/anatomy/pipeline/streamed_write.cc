#include "anatomy/pipeline/streamed_write.h"

#include <arrow/table.h>

#include "anatomy/core/clock.h"

namespace anatomy::pipeline {

void WriteSlots::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return free_ > 0; });
  --free_;
}

void WriteSlots::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++free_;
  }
  cv_.notify_one();
}

StreamedWrite::StreamedWrite(engine::WritePipeline* writer, engine::WriteRequest request,
                             WriteSlots* slots, size_t max_in_flight)
    : max_in_flight_(std::max<size_t>(1, max_in_flight)) {
  thread_ = std::thread([this, writer, slots, request = std::move(request)]() mutable {
    Run(writer, std::move(request), slots);
  });
}

StreamedWrite::~StreamedWrite() {
  if (!thread_.joinable()) return;
  Cancel(Status::Cancelled("the write was abandoned before it finished"));
  thread_.join();
}

Result<std::shared_ptr<arrow::Table>> StreamedWrite::Pop() {
  std::unique_lock<std::mutex> lock(mu_);
  writing_ = false;
  cv_.notify_all();  // a producer waiting for room
  cv_.wait(lock, [&] { return cancelled_ || !chunks_.empty() || closed_; });
  if (cancelled_) return *cancelled_;
  if (chunks_.empty()) return nullptr;
  auto chunk = std::move(chunks_.front());
  chunks_.pop_front();
  writing_ = true;  // until the next Pop: the chunk still takes memory while it is written
  return chunk;
}

void StreamedWrite::Run(engine::WritePipeline* writer, engine::WriteRequest request,
                        WriteSlots* slots) {
  bool holding = false;  // a slot, while encoding a chunk
  double since = 0, busy = 0;
  auto hold = [&] {
    slots->Acquire();
    holding = true;
    since = core::MonotonicMs();
  };
  auto release = [&] {
    if (!holding) return;
    busy += core::MonotonicMs() - since;
    holding = false;
    slots->Release();
  };
  Result<engine::WriteOutcome> outcome = Status::Invalid("no rows were handed to the write");
  auto first = Pop();
  if (!first.ok()) {
    outcome = first.status();
  } else if (*first) {
    hold();
    request.data = *first;
    request.more_data = [&]() -> Result<std::shared_ptr<arrow::Table>> {
      release();
      ARROW_ASSIGN_OR_RAISE(auto next, Pop());
      if (next) hold();
      return next;
    };
    outcome = writer->Write(request);
    release();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!outcome.ok()) {
    outcome =
        Status(outcome.status().code(), request.dataset_name + ": " + outcome.status().message());
  }
  outcome_ = std::move(outcome);
  busy_seconds_ = busy / 1000.0;
  chunks_.clear();
  cv_.notify_all();
}

Status StreamedWrite::Add(std::shared_ptr<arrow::Table> chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] {
    return outcome_ || cancelled_ || chunks_.size() + (writing_ ? 1 : 0) < max_in_flight_;
  });
  if (cancelled_) return *cancelled_;
  if (outcome_) {
    return outcome_->ok() ? Status::Invalid("the write has already committed") : outcome_->status();
  }
  if (closed_) return Status::Invalid("the write has no more chunks");
  chunks_.push_back(std::move(chunk));
  cv_.notify_all();
  return Status::OK();
}

void StreamedWrite::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

Result<engine::WriteOutcome> StreamedWrite::Finish() {
  Close();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  return *outcome_;
}

void StreamedWrite::Cancel(Status why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_) cancelled_ = std::move(why);
  }
  cv_.notify_all();
}

double StreamedWrite::busy_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return busy_seconds_;
}

}  // namespace anatomy::pipeline
