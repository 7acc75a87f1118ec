#pragma once
// A replication slot keeps every WAL segment from its restart_lsn on, so a
// stalled wharf (a warehouse down for days, a loader failing on a batch)
// fills the source's disk and stops the application's database. The guard
// turns the slot's retained WAL into a level: warnings as it passes
// `warn_at` (and then every doubling), and, when `drop_slot_at` is set,
// the decision to drop the slot before the disk fills: the source is saved
// and wharf needs a new full load afterwards (docs/operations.md).
// Pure: the monitor feeds it readings and acts on its answers.
#include <cstdint>
#include <optional>
#include <string>

#include "core/config.hpp"

namespace wharf::pipeline {


struct SlotReading {
  uint64_t retained_bytes = 0;  // pg_current_wal_lsn() - restart_lsn
  // pg_replication_slots.safe_wal_size: WAL that can still be written
  // before max_slot_wal_keep_size invalidates the slot; unset when unlimited.
  std::optional<int64_t> safe_wal_size;
  std::string wal_status;  // reserved | extended | unreserved | lost
};

enum class GuardLevel { kOk, kWarn, kDrop };

struct GuardAnswer {
  GuardLevel level = GuardLevel::kOk;
  // Non-empty when this reading deserves a log line (a threshold newly
  // passed, the slot about to be invalidated, back to normal).
  std::string log;
};

class SlotGuard {
 public:
  SlotGuard(std::string slot, core::SlotGuardConfig config) : slot_(std::move(slot)), config_(config) {}
  GuardAnswer Observe(const SlotReading& reading);
  GuardLevel level() const { return level_; }

 private:
  std::string slot_;
  core::SlotGuardConfig config_;
  GuardLevel level_ = GuardLevel::kOk;
  uint64_t next_warning_ = 0;  // retained bytes at which to warn again
  bool warned_unreserved_ = false;
};

std::string FormatBytes(uint64_t bytes);

}  // namespace wharf::pipeline
