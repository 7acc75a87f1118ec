#pragma once
// Wall-clock time as wharf records it (commit times, state, manifests).
#include <chrono>
#include <cstdint>

namespace wharf::core {

// Microseconds since the Unix epoch, UTC.
inline int64_t NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace wharf::core
