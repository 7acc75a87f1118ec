#pragma once
// Samples every source every few seconds on its own connection: the current
// WAL position (for lag) and the replication slot's retained WAL (for the
// slot guard). A source that cannot be reached is retried at the next round;
// the monitor never stops the pipeline except through the guard's decision.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/config.hpp"
#include "pipeline/board.hpp"
#include "pipeline/slot_guard.hpp"

namespace wharf::pipeline {

class SourceMonitor {
 public:
  // `on_drop`: the guard decided to drop `source`'s slot; called once, from
  // the monitor's thread. The pipeline stops capture and drops it.
  using OnDrop = std::function<void(const std::string& source, const std::string& why)>;
  SourceMonitor(const core::Config& config, Board& board, std::chrono::milliseconds every, OnDrop on_drop);
  ~SourceMonitor();  // stops and joins
  SourceMonitor(const SourceMonitor&) = delete;
  SourceMonitor& operator=(const SourceMonitor&) = delete;

 private:
  void Loop();
  void SampleOne(const core::SourceConfig& source);

  const core::Config& config_;
  Board& board_;
  std::chrono::milliseconds every_;
  OnDrop on_drop_;
  std::map<std::string, SlotGuard> guards_;
  std::map<std::string, bool> unreachable_;  // logged once per outage
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Drops `source`'s slot once no walsender holds it (capture has stopped),
// waiting up to `wait`. Throws what PostgreSQL said.
void DropSlot(const core::SourceConfig& source, std::chrono::milliseconds wait);

}  // namespace wharf::pipeline
