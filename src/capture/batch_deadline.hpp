#pragma once
// How long capture may block waiting for the next replication message. An
// open batch must close when it reaches staging.batch.max_interval, and the
// check runs only between messages: with a fixed 100 ms wait a quiet stream
// (a burst of WAL, then nothing) held the batch up to 100 ms past its interval,
// which added to every transaction's commit-to-warehouse delay.
#include <algorithm>
#include <chrono>
#include <optional>

namespace wharf::capture {

constexpr std::chrono::milliseconds kIdleReceiveWait{100};

// `batch_age`: time since the open batch got its first change; no value when
// no batch is open. Never returns less than 1 ms, so a batch that is due but
// cannot close yet (inside a transaction) does not make the loop spin.
inline std::chrono::milliseconds ReceiveWait(std::optional<std::chrono::steady_clock::duration> batch_age,
                                             std::chrono::milliseconds max_interval) {
  using std::chrono::milliseconds;
  if (!batch_age) return kIdleReceiveWait;
  auto left = std::chrono::ceil<milliseconds>(max_interval - *batch_age);
  return std::clamp(left, milliseconds(1), kIdleReceiveWait);
}

}  // namespace wharf::capture
