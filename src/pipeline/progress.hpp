#pragma once
// Progress of full loads for people: on a terminal, a live bar per table being
// copied and one overall (rows, bytes, rate, ETA), redrawn every second; in
// logs and non-interactive runs, a plain line per table every 10 seconds.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "staging/object_store.hpp"
#include "staging/state_store.hpp"

namespace wharf::pipeline {

// Pure: "42s", "3m07s", "2h05m"; "-" for a negative (unknown) duration.
std::string FormatDuration(double seconds);

// Pure: one line for a table (or the total when `name` is "total").
std::string ProgressLine(const std::string& name, uint64_t rows, uint64_t estimated, uint64_t bytes,
                         double seconds, bool bar);

class ProgressReporter {
 public:
  // `store` must outlive the reporter.
  ProgressReporter(const core::Config& config, staging::ObjectStore& store);
  ~ProgressReporter();

 private:
  void Run();
  void Render(const std::vector<std::pair<std::string, staging::TableSync>>& copying);

  const core::Config& config_;
  staging::ObjectStore& store_;
  bool tty_;
  size_t drawn_lines_ = 0;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_; the destructor wakes the thread at once
  std::thread thread_;
};

}  // namespace wharf::pipeline
