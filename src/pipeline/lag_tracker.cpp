#include "pipeline/lag_tracker.hpp"

namespace wharf::pipeline {

namespace {
// An idle source writes no WAL, so samples can repeat a position for hours;
// only the samples that are still ahead of the warehouse matter, plus one.
constexpr size_t kMaxSamples = 4096;
}  // namespace

void LagTracker::SourceAt(double t, Lsn position) {
  if (!samples_.empty() && position < samples_.back().position) return;
  // A repeated position keeps its first time: that is when the source got there.
  if (!samples_.empty() && position == samples_.back().position) return;
  samples_.push_back({t, position});
  Trim();
}

void LagTracker::AppliedThrough(Lsn applied) {
  if (have_applied_ && applied < applied_) return;
  applied_ = applied;
  have_applied_ = true;
  Trim();
}

void LagTracker::Trim() {
  // Samples at or behind the applied position are history, except the newest
  // of them (it bounds when the source moved past it).
  while (samples_.size() > 1 && samples_[1].position <= applied_) samples_.pop_front();
  while (samples_.size() > kMaxSamples) samples_.pop_front();
}

std::optional<Lsn> LagTracker::source() const {
  if (samples_.empty()) return std::nullopt;
  return samples_.back().position;
}

std::optional<uint64_t> LagTracker::LagBytes() const {
  if (samples_.empty() || !have_applied_) return std::nullopt;
  Lsn src = samples_.back().position;
  return src > applied_ ? src.value() - applied_.value() : 0;
}

std::optional<double> LagTracker::LagSeconds(double now) const {
  if (samples_.empty() || !have_applied_) return std::nullopt;
  for (const auto& s : samples_) {
    if (s.position > applied_) return now > s.t ? now - s.t : 0.0;
  }
  return 0.0;
}

}  // namespace wharf::pipeline
