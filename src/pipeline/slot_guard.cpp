#include "pipeline/slot_guard.hpp"

#include <fmt/format.h>

namespace wharf::pipeline {

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

GuardAnswer SlotGuard::Observe(const SlotReading& r) {
  GuardAnswer answer;
  if (config_.drop_slot_at && r.retained_bytes >= *config_.drop_slot_at) {
    level_ = GuardLevel::kDrop;
    answer.level = level_;
    answer.log = fmt::format(
        "slot {} retains {} of WAL, past slot_guard.drop_slot_at ({}): dropping the slot so the "
        "source's disk does not fill. wharf stops; to recover, fix what stalled loading, then "
        "follow docs/operations.md (\"After the slot guard dropped a slot\") to take a new full load",
        slot_, FormatBytes(r.retained_bytes), FormatBytes(*config_.drop_slot_at));
    return answer;
  }
  bool unreserved = r.wal_status == "unreserved" || (r.safe_wal_size && *r.safe_wal_size <= 0);
  if (unreserved && !warned_unreserved_) {
    warned_unreserved_ = true;
    answer.log = fmt::format(
        "slot {} is past max_slot_wal_keep_size (wal_status {}): PostgreSQL will invalidate it at "
        "the next checkpoint and wharf will need a new full load. Find why loading stalled "
        "(`wharf status`), or raise max_slot_wal_keep_size",
        slot_, r.wal_status);
  }
  if (!unreserved) warned_unreserved_ = false;
  if (config_.warn_at && r.retained_bytes >= config_.warn_at) {
    if (level_ == GuardLevel::kOk) next_warning_ = config_.warn_at;
    level_ = GuardLevel::kWarn;
    if (r.retained_bytes >= next_warning_) {
      // Again at every doubling: a log that repeats every few seconds gets
      // ignored, one that says the number doubled does not.
      while (next_warning_ <= r.retained_bytes) next_warning_ *= 2;
      if (answer.log.empty()) {
        answer.log = fmt::format(
            "slot {} retains {} of WAL on the source (slot_guard.warn_at {}): the warehouse is not "
            "keeping up or loading stalled; see `wharf status`{}",
            slot_, FormatBytes(r.retained_bytes), FormatBytes(config_.warn_at),
            r.safe_wal_size ? fmt::format("; {} more before max_slot_wal_keep_size invalidates the slot",
                                          FormatBytes(static_cast<uint64_t>(std::max<int64_t>(*r.safe_wal_size, 0))))
                            : "");
      }
    }
  } else if (level_ == GuardLevel::kWarn && r.retained_bytes < config_.warn_at / 2) {
    // Back to normal with some hysteresis, so a value hovering at the line is quiet.
    level_ = GuardLevel::kOk;
    answer.log = fmt::format("slot {} retains {} of WAL again, below slot_guard.warn_at", slot_,
                             FormatBytes(r.retained_bytes));
  }
  answer.level = level_;
  return answer;
}

}  // namespace wharf::pipeline
