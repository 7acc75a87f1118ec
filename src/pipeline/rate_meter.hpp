#pragma once
// Changes per second over the last `window` seconds, from counts observed
// at irregular times (each applied batch). Pure: callers pass the clock.
#include <cstdint>
#include <deque>

namespace wharf::pipeline {

class RateMeter {
 public:
  // `start`: when counting began (a rate over a younger process divides by its age).
  explicit RateMeter(double start, double window_seconds = 10) : start_(start), window_(window_seconds) {}

  void Add(double t, uint64_t count) {
    total_ += count;
    points_.push_back({t, count});
    Trim(t);
  }
  double Rate(double now) {
    Trim(now);
    double span = now - start_ < window_ ? now - start_ : window_;
    if (span <= 0) return 0;
    uint64_t sum = 0;
    for (const auto& p : points_) sum += p.count;
    return static_cast<double>(sum) / span;
  }
  uint64_t total() const { return total_; }

 private:
  struct Point {
    double t;
    uint64_t count;
  };
  void Trim(double now) {
    while (!points_.empty() && points_.front().t <= now - window_) points_.pop_front();
  }
  double start_;
  double window_;
  uint64_t total_ = 0;
  std::deque<Point> points_;
};

}  // namespace wharf::pipeline
