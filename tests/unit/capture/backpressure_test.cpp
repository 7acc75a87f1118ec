#include "capture/backpressure.hpp"

#include <gtest/gtest.h>

namespace wharf::capture {
namespace {

TEST(PendingBatches, CountsUnappliedBytes) {
  PendingBatches p;
  p.Add(1, 100);
  p.Add(2, 50);
  p.Add(3, 25);
  EXPECT_EQ(p.bytes(), 175u);
  p.AppliedThrough(2);
  EXPECT_EQ(p.bytes(), 25u);
  EXPECT_EQ(p.count(), 1u);
  p.AppliedThrough(1);  // an older mark never un-applies
  EXPECT_EQ(p.bytes(), 25u);
  p.AppliedThrough(3);
  EXPECT_EQ(p.bytes(), 0u);
}

TEST(PendingBatches, ABatchAppliedBeforeItWasCountedIsNotPending) {
  PendingBatches p;
  p.AppliedThrough(5);
  p.Add(5, 100);
  p.Add(6, 10);
  EXPECT_EQ(p.bytes(), 10u);
}

}  // namespace
}  // namespace wharf::capture
