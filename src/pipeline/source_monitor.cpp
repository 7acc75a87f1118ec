#include "pipeline/source_monitor.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "core/error.hpp"
#include "pg/connection.hpp"

namespace wharf::pipeline {

namespace {

constexpr const char* kSlotQuery =
    "SELECT pg_current_wal_lsn()::text, s.confirmed_flush_lsn::text, "
    "pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint, s.wal_status, s.safe_wal_size "
    "FROM (SELECT 1) one LEFT JOIN pg_replication_slots s ON s.slot_name = $1";

}  // namespace

SourceMonitor::SourceMonitor(const core::Config& config, Board& board, std::chrono::milliseconds every,
                             OnDrop on_drop)
    : config_(config), board_(board), every_(every), on_drop_(std::move(on_drop)) {
  for (const auto& s : config.sources) guards_.emplace(s.name, SlotGuard(s.slot, config.slot_guard));
  thread_ = std::thread([this] { Loop(); });
}

SourceMonitor::~SourceMonitor() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SourceMonitor::Loop() {
  // One connection per source, kept between rounds and opened again after a failure.
  std::map<std::string, std::optional<pg::Connection>> conns;
  for (;;) {
    for (const auto& s : config_.sources) {
      auto& conn = conns[s.name];
      try {
        if (!conn) conn.emplace(pg::Connection::Open(s.dsn, false, "wharf monitor " + s.name));
        auto r = conn->ExecParams(kSlotQuery, {s.slot});
        SourceSample sample;
        sample.current = Lsn::Parse(r.Get(0, 0)).value_or(Lsn());
        if (!r.IsNull(0, 1)) sample.confirmed = Lsn::Parse(r.Get(0, 1));
        if (!r.IsNull(0, 2)) {
          SlotReading slot;
          slot.retained_bytes = static_cast<uint64_t>(std::max<int64_t>(std::stoll(std::string(r.Get(0, 2))), 0));
          if (!r.IsNull(0, 3)) slot.wal_status = std::string(r.Get(0, 3));
          if (!r.IsNull(0, 4)) slot.safe_wal_size = std::stoll(std::string(r.Get(0, 4)));
          auto answer = guards_.at(s.name).Observe(slot);
          sample.guard = answer.level;
          sample.slot = slot;
          if (answer.level == GuardLevel::kDrop) {
            spdlog::error("{}", answer.log);
            on_drop_(s.name, answer.log);
          } else if (!answer.log.empty()) {
            spdlog::warn("{}", answer.log);
          }
        }
        board_.Sampled(s.name, sample);
        if (unreachable_[s.name]) spdlog::info("monitor {}: source reachable again", s.name);
        unreachable_[s.name] = false;
      } catch (const Error& e) {
        conn.reset();
        // Capture reports a source that is down; the monitor only notes it once.
        if (!unreachable_[s.name]) spdlog::debug("monitor {}: {}", s.name, e.message());
        unreachable_[s.name] = true;
      }
    }
    board_.Tick();
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, every_, [&] { return stop_; })) return;
  }
}

void DropSlot(const core::SourceConfig& source, std::chrono::milliseconds wait) {
  auto conn = pg::Connection::Open(source.dsn, false, "wharf slot guard " + source.name);
  auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto r = conn.ExecParams("SELECT active FROM pg_replication_slots WHERE slot_name = $1", {source.slot});
    if (r.rows() == 0) return;  // already gone
    if (r.Get(0, 0) == "f") break;
    if (std::chrono::steady_clock::now() > until) {
      Fail(ErrorKind::kSource, "slot {} is still in use; drop it by hand: SELECT pg_drop_replication_slot('{}')",
           source.slot, source.slot);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  conn.ExecParams("SELECT pg_drop_replication_slot($1)", {source.slot});
}

}  // namespace wharf::pipeline
