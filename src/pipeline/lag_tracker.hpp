#pragma once
// Replication lag of one source in bytes and seconds, from two kinds of
// observation: the source's WAL position sampled over time, and the end LSN
// of the last batch the warehouse applied. The warehouse is `seconds`
// behind when the source's position it has reached was the source's current
// position that long ago; bytes are the WAL between the two.
// Pure: callers pass the clock in.
#include <cstdint>
#include <deque>
#include <optional>

#include "core/lsn.hpp"

namespace wharf::pipeline {

class LagTracker {
 public:
  // The source's current WAL position at time `t` (seconds, any epoch).
  // Positions only move forward; an older one is ignored.
  void SourceAt(double t, Lsn position);
  // The end LSN through which the warehouse holds every change.
  void AppliedThrough(Lsn applied);

  std::optional<uint64_t> LagBytes() const;
  // Seconds between `now` and the time the source was first seen past the
  // applied position; 0 when the warehouse is caught up with every sample.
  std::optional<double> LagSeconds(double now) const;
  Lsn applied() const { return applied_; }
  std::optional<Lsn> source() const;

 private:
  struct Sample {
    double t;
    Lsn position;
  };
  std::deque<Sample> samples_;  // ascending in time and position
  Lsn applied_;
  bool have_applied_ = false;
  void Trim();
};

}  // namespace wharf::pipeline
