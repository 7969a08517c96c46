#pragma once

// One Delta write fed chunk by chunk and committed once: a build hands each batch's rows of a
// table to the table's write and goes on with the next batch, while a thread of the write's
// own encodes them. Memory then holds a batch's rows, not a table's.

#include <arrow/type_fwd.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "anatomy/core/status.h"
#include "anatomy/engine/write_pipeline.h"

namespace anatomy::pipeline {

/// \brief How many streamed writes may encode at once; the others wait for a slot (or for
/// their next chunk, holding none). Keeps the writes from crowding out the producer's cores.
class WriteSlots {
 public:
  explicit WriteSlots(int slots) : free_(slots) {}
  void Acquire();
  void Release();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
};

/// \brief A write of `request` whose rows are the chunks Add()ed, in order (the request's
/// `data` and `more_data` are set from them): one call of WritePipeline::Write, one commit.
class StreamedWrite {
 public:
  StreamedWrite(engine::WritePipeline* writer, engine::WriteRequest request, WriteSlots* slots,
                size_t max_in_flight = 1);
  /// An unfinished write is cancelled (nothing committed) and its thread joined.
  ~StreamedWrite();
  StreamedWrite(const StreamedWrite&) = delete;
  StreamedWrite& operator=(const StreamedWrite&) = delete;

  /// Queues a chunk; blocks while `max_in_flight` chunks wait or are being written (a chunk
  /// takes memory until written). Fails once the write has failed.
  Status Add(std::shared_ptr<arrow::Table> chunk);
  /// No more chunks; returns at once (the write finishes and commits on its thread).
  void Close();
  /// No more chunks: waits for the commit. Without any chunk, nothing is written (Invalid).
  Result<engine::WriteOutcome> Finish();
  /// Fails the write with `why` before it commits (a build that stopped).
  void Cancel(Status why);
  /// Seconds the write's thread spent writing, not waiting for chunks or a slot.
  double busy_seconds() const;

 private:
  void Run(engine::WritePipeline* writer, engine::WriteRequest request, WriteSlots* slots);
  /// The next chunk (null: no more), or the cancellation.
  Result<std::shared_ptr<arrow::Table>> Pop();

  const size_t max_in_flight_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<arrow::Table>> chunks_;
  bool closed_ = false;
  bool writing_ = false;  // a chunk taken by the writer and not yet written
  std::optional<Status> cancelled_;
  std::optional<Result<engine::WriteOutcome>> outcome_;  // set when the thread is done
  double busy_seconds_ = 0;
  std::thread thread_;
};

}  // namespace anatomy::pipeline
