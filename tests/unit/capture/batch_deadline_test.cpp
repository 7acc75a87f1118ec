#include "capture/batch_deadline.hpp"

#include <gtest/gtest.h>

namespace wharf::capture {
namespace {

using std::chrono::milliseconds;
using std::chrono::microseconds;

TEST(ReceiveWait, NoOpenBatchWaitsTheIdlePeriod) {
  EXPECT_EQ(ReceiveWait(std::nullopt, milliseconds(200)), kIdleReceiveWait);
  EXPECT_EQ(ReceiveWait(std::nullopt, milliseconds(5)), kIdleReceiveWait);
}

TEST(ReceiveWait, WakesWhenTheOpenBatchIsDue) {
  // 200 ms interval, batch 150 ms old: wake in 50 ms, not 100.
  EXPECT_EQ(ReceiveWait(milliseconds(150), milliseconds(200)), milliseconds(50));
  // Rounded up, so the wake-up is never before the deadline.
  EXPECT_EQ(ReceiveWait(microseconds(150'500), milliseconds(200)), milliseconds(50));
  EXPECT_EQ(ReceiveWait(microseconds(199'999), milliseconds(200)), milliseconds(1));
}

TEST(ReceiveWait, NeverLongerThanIdleNorShorterThanOneMillisecond) {
  EXPECT_EQ(ReceiveWait(milliseconds(0), milliseconds(1000)), kIdleReceiveWait);
  EXPECT_EQ(ReceiveWait(milliseconds(200), milliseconds(200)), milliseconds(1));
  EXPECT_EQ(ReceiveWait(milliseconds(5000), milliseconds(200)), milliseconds(1));
}

}  // namespace
}  // namespace wharf::capture
