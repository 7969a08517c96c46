#include "anatomy/core/clock.h"

#include <gtest/gtest.h>

namespace anatomy::core {
namespace {

TEST(Clock, FixedClockIsInjectable) {
  auto fixed = std::make_shared<FixedClock>(1700000000000);
  SetDefaultClock(fixed);
  EXPECT_EQ(DefaultClock().NowUnixMs(), 1700000000000);
  fixed->Advance(5);
  EXPECT_EQ(DefaultClock().NowUnixMs(), 1700000000005);
  SetDefaultClock(nullptr);
  // The system clock is past 2020-01-01.
  EXPECT_GT(DefaultClock().NowUnixMs(), 1577836800000);
}

TEST(Clock, MonotonicNeverGoesBack) {
  const double a = MonotonicMs();
  const double b = MonotonicMs();
  EXPECT_LE(a, b);
}

}  // namespace
}  // namespace anatomy::core
