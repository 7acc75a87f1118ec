#pragma once
// The live state of a running pipeline that `/status`, `/metrics`, the
// dashboard and `wharf status` read: what the threads report as they work
// (batches staged and applied, source samples, errors, validations), merged
// with the loader's periodic status report. Thread-safe; every update is a
// short critical section and nothing here does I/O.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/lsn.hpp"
#include "pipeline/lag_tracker.hpp"
#include "pipeline/rate_meter.hpp"
#include "pipeline/slot_guard.hpp"
#include "staging/manifest.hpp"

namespace wharf::pipeline {

// One reading of a source by the monitor.
struct SourceSample {
  Lsn current;                 // pg_current_wal_lsn()
  std::optional<Lsn> confirmed;  // the slot's confirmed_flush_lsn
  std::optional<SlotReading> slot;
  GuardLevel guard = GuardLevel::kOk;
};

class Board {
 public:
  // Seconds since the epoch, as a double: the time of every record.
  static double Now();

  Board(std::vector<std::string> sources, double started_at = Now());

  void Staged(const staging::Manifest& m, double t = Now());
  void Applied(const staging::Manifest& m, double t = Now());
  void Sampled(const std::string& source, const SourceSample& sample, double t = Now());
  // The loader's BuildStatusReport, refreshed every couple of seconds.
  void Report(nlohmann::json report);
  // A log line at warning level or above (recent errors on the dashboard).
  void Logged(const std::string& level, const std::string& message, double t = Now());
  void Validated(nlohmann::json validation);
  // Adds a point to each source's history; the monitor calls it per sample round.
  void Tick(double t = Now());

  // What /status serves; /metrics renders the same facts (server/metrics_page.hpp).
  nlohmann::json Status(double now = Now()) const;

  // Counters of this process, for tests and metrics.
  uint64_t ChangesApplied(const std::string& source) const;

 private:
  struct Live {
    uint64_t batches_staged = 0;   // this process
    uint64_t batches_applied = 0;  // this process
    uint64_t last_staged_seq = 0;
    uint64_t last_applied_seq = 0;
    std::map<std::string, std::map<char, uint64_t>> applied_ops;  // table -> op -> rows
    LagTracker lag;
    mutable RateMeter rate;
    std::optional<SourceSample> sample;
    explicit Live(double start) : rate(start) {}
  };
  struct Point {
    double t;
    std::string source;
    std::optional<uint64_t> lag_bytes;
    std::optional<double> lag_seconds;
    double changes_per_second;
  };
  struct LogLine {
    double t;
    std::string level;
    std::string message;
  };
  Live& Of(const std::string& source);
  // The applied position for lag: when every staged batch is applied, the
  // warehouse is as current as capture's confirmed position (an idle slot
  // advances without batches), not only the last batch's end.
  void UpdateApplied(const std::string& source, Live& live);
  nlohmann::json LiveJson(const std::string& source, const Live& live, double now) const;

  mutable std::mutex mu_;
  double started_at_;
  std::map<std::string, Live> live_;
  nlohmann::json report_;
  nlohmann::json validation_;
  std::deque<Point> history_;
  std::deque<LogLine> logs_;
  std::map<std::string, uint64_t> log_counts_;  // level -> lines
  std::map<std::string, Lsn> applied_end_;      // per source, from applied manifests
};

}  // namespace wharf::pipeline
