#pragma once
// What `wharf run` does with an error, by its kind: the one place that says
// which failures heal by waiting (a dropped connection, a warehouse that is
// down) and which need a person (a bad config, a missing privilege, a
// corrupt file). Pure: the pipeline's threads ask it and sleep or stop.
#include <chrono>

#include "core/error.hpp"

namespace wharf::pipeline {

enum class Part { kCapture, kWarehouse };

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
};

class RetryPolicy {
 public:
  // `once`: a batch job fails at once instead of waiting for a fix.
  explicit RetryPolicy(bool once) : once_(once) {}

  // The decision after the `attempt`-th consecutive failure (1 for the first).
  RetryDecision Decide(Part part, ErrorKind kind, int attempt) const;

  // 2 for what a restart cannot heal (configuration, a busy lease, a
  // missing privilege: exit 2 also keeps systemd from restarting in a loop),
  // 1 for the rest.
  static int ExitCode(ErrorKind kind);

 private:
  bool once_;
};

}  // namespace wharf::pipeline
