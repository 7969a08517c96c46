#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace anatomy::core {

/// \brief Source of wall-clock time. Tests install a FixedClock to make rows reproducible.
/// Thread-safe: NowUnixMs may be called concurrently.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Milliseconds since the Unix epoch.
  virtual int64_t NowUnixMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowUnixMs() const override;
};

/// \brief A clock that returns a set time, advanced only by hand.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t unix_ms) : now_(unix_ms) {}
  int64_t NowUnixMs() const override { return now_.load(); }
  void Set(int64_t unix_ms) { now_.store(unix_ms); }
  void Advance(int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<int64_t> now_;
};

/// \brief The process-wide clock (a SystemClock unless replaced).
const Clock& DefaultClock();
/// \brief Replace the process-wide clock; nullptr restores the system clock. Not thread-safe
/// against concurrent readers: call during start-up or in tests.
void SetDefaultClock(std::shared_ptr<const Clock> clock);

/// \brief Monotonic milliseconds for measuring durations (not wall time).
double MonotonicMs();

}  // namespace anatomy::core
