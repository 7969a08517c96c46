#include "anatomy/core/clock.h"

#include <chrono>

namespace anatomy::core {

int64_t SystemClock::NowUnixMs() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
std::shared_ptr<const Clock>& ClockSlot() {
  static std::shared_ptr<const Clock> slot = std::make_shared<SystemClock>();
  return slot;
}
}  // namespace

const Clock& DefaultClock() { return *ClockSlot(); }

void SetDefaultClock(std::shared_ptr<const Clock> clock) {
  ClockSlot() = clock ? std::move(clock) : std::make_shared<SystemClock>();
}

double MonotonicMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace anatomy::core
