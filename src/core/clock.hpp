#pragma once
// Wall-clock time as wharf records it (commit times, state, manifests).
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace wharf::core {

// Microseconds since the Unix epoch, UTC.
inline int64_t NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// Now in UTC, formatted by strftime (a format with no zone: the time is UTC).
inline std::string UtcNow(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

// `micros` since the epoch as ISO 8601 in UTC: 2026-12-05T08:40:59.826225Z.
inline std::string FormatIsoMicros(int64_t micros) {
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, micros % 1000000);
}

inline std::string UtcNowIsoMicros() { return FormatIsoMicros(NowMicros()); }

}  // namespace wharf::core
