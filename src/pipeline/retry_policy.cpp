#include "pipeline/retry_policy.hpp"

#include <algorithm>

namespace wharf::pipeline {

namespace {

// Exponential from 500 ms, capped at 30 s: a reconnect storm against a
// recovering server costs little, and a long outage is retried twice a minute.
std::chrono::milliseconds Backoff(int attempt) {
  int64_t ms = 500;
  for (int i = 1; i < attempt && ms < 30000; ++i) ms *= 2;
  return std::chrono::milliseconds(std::min<int64_t>(ms, 30000));
}

}  // namespace

RetryDecision RetryPolicy::Decide(Part part, ErrorKind kind, int attempt) const {
  if (once_) return {};
  // A warehouse that is down or refuses (the DuckDB file locked by another
  // process, a server restarting) is an outage to ride out while capture
  // keeps staging: tried every 5 s, so loading resumes within seconds of its
  // return however long it was away. A capture-side warehouse error cannot
  // happen.
  if (part == Part::kWarehouse) {
    if (kind == ErrorKind::kConnection || kind == ErrorKind::kWarehouse) return {true, std::chrono::milliseconds(5000)};
    return {};
  }
  if (kind == ErrorKind::kConnection) return {true, Backoff(attempt)};
  return {};
}

int RetryPolicy::ExitCode(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConfig:
    case ErrorKind::kBusy:
    case ErrorKind::kPermission:
      return 2;
    default:
      return 1;
  }
}

}  // namespace wharf::pipeline
