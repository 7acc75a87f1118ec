#pragma once
// A Google Benchmark console reporter that keeps each benchmark's rate
// (items_per_second; the median aggregate when --benchmark_repetitions is
// given), so a benchmark's main() can print ratios between them.
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace wharf::bench {

class RateReporter : public benchmark::ConsoleReporter {
 public:
  explicit RateReporter(OutputOptions options = OO_Defaults) : ConsoleReporter(options) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred) continue;
      const std::string name = r.run_name.function_name;
      const bool aggregate = r.run_type == Run::RT_Aggregate;
      if (aggregate && r.aggregate_name != "median") continue;
      auto it = r.counters.find("items_per_second");
      if (it == r.counters.end()) continue;
      if (aggregate || !medians_.count(name)) rates_[name] = it->second.value;
      if (aggregate) medians_[name] = true;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  // Items per second of benchmark `name`; 0 when it did not run.
  double Rate(const std::string& name) const {
    auto it = rates_.find(name);
    return it == rates_.end() ? 0.0 : it->second;
  }

 private:
  std::map<std::string, double> rates_;
  std::map<std::string, bool> medians_;
};

}  // namespace wharf::bench
