#include "capture/table_copies.hpp"
#include "core/clock.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "capture/source_setup.hpp"
#include "snapshot/keyset.hpp"

namespace wharf::capture {

TableCopies::TableCopies(const core::SourceConfig& source, pg::Connection& catalog,
                         snapshot::SyncBoard& board, staging::StateStore& states,
                         std::vector<pg::TableInfo> tables)
    : source_(source),
      catalog_(catalog),
      board_(board),
      states_(states),
      tables_(std::move(tables)),
      copier_(source, chunks_, {}) {}

std::optional<pg::TableInfo> TableCopies::TableInfoOf(const std::string& name) const {
  for (const auto& t : tables_)
    if (t.name.ToString() == name) return t;
  return std::nullopt;
}

void TableCopies::ScheduleCopies() {
  auto snapshot_state = board_.Snapshot();
  for (const auto& t : snapshot_state.tables) {
    if (t.phase != staging::SyncPhase::kInit && t.phase != staging::SyncPhase::kCopying) continue;
    if (copying_.count(t.table)) continue;
    auto info = TableInfoOf(t.table);
    if (!info) {
      board_.Update([&](staging::CaptureState& st) {
        auto* ts = st.Find(t.table);
        ts->phase = staging::SyncPhase::kErrored;
        ts->error = "the table no longer matches the selection or no longer exists";
      });
      continue;
    }
    snapshot::WatermarkCopier::Job job;
    job.schema = pg::DescribeTable(catalog_, *info, types_);
    // A key-less table cannot resume after a staged key: its copy starts over,
    // emptying what an interrupted copy left (else the multiset would double).
    bool keyed = snapshot::DescribeKey(catalog_, job.schema).Usable();
    bool fresh = t.phase == staging::SyncPhase::kInit || t.ranges.empty() || !keyed;
    job.truncate_first = fresh || t.truncate_first;
    if (fresh) {
      job.ranges = {staging::KeyRange{}};
      job.range_index = {0};
    } else {
      for (size_t i = 0; i < t.ranges.size(); ++i) {
        if (t.ranges[i].done) continue;
        job.ranges.push_back(t.ranges[i]);
        job.range_index.push_back(i);
      }
    }
    uint64_t estimated_rows = pg::EstimateRows(catalog_, info->oid);
    board_.Update([&](staging::CaptureState& st) {
      auto* ts = st.Find(t.table);
      if (fresh) {
        ts->ranges = {staging::KeyRange{}};
        ts->rows_copied = 0;
        ts->bytes_copied = 0;
        ts->started_at = core::NowMicros();
        ts->estimated_rows = estimated_rows;
      }
      ts->phase = staging::SyncPhase::kCopying;
      ts->method = "watermark";
      ts->truncate_first = job.truncate_first;
      ts->error.clear();
    });
    spdlog::info("capture {}: copying {} while streaming{}", source_.name, t.table,
                 fresh ? "" : " (resuming after the last staged key)");
    copying_.insert(t.table);
    copier_.Enqueue(std::move(job));
  }
}

void TableCopies::RecordHeld(const std::vector<staging::HeldTable>& held) {
  auto before = board_.Snapshot().held;
  for (const auto& h : held) {
    if (std::find(before.begin(), before.end(), h) != before.end()) continue;
    spdlog::error("capture {}: table {} is not replicated: {}. The other tables keep streaming", source_.name,
                  h.table, h.reason);
  }
  for (const auto& h : before) {
    bool still = std::any_of(held.begin(), held.end(), [&](const auto& x) { return x.table == h.table; });
    if (!still) spdlog::info("capture {}: table {} can be replicated now", source_.name, h.table);
  }
  if (before != held) board_.Update([&](staging::CaptureState& st) { st.held = held; });
}

std::vector<std::string> TableCopies::TakeCopying() {
  std::set<std::string> all = std::move(copied_since_batch_);
  copied_since_batch_.clear();
  all.insert(copying_.begin(), copying_.end());
  return {all.begin(), all.end()};
}

void TableCopies::Discover() {
  auto selection = SelectTables(catalog_, source_);
  RecordHeld(selection.held);
  auto now_tables = std::move(selection.tables);
  for (auto& extra : ExtraPublishedTables(catalog_, source_, now_tables)) now_tables.push_back(extra);
  // A partition attached with rows: the stream never carries those rows, so
  // the partitioned table is copied again (keys make that idempotent).
  for (const auto& t : now_tables) {
    if (t.relkind != 'p') continue;
    auto leaves = LeafPartitions(catalog_, t.oid);
    auto st0 = board_.Snapshot();
    auto* known = st0.Find(t.name.ToString());
    if (!known || known->partitions == leaves) continue;
    bool attached_with_rows = false;
    for (const auto& leaf : leaves) {
      if (std::find(known->partitions.begin(), known->partitions.end(), leaf) != known->partitions.end())
        continue;
      auto dot = leaf.find('.');
      auto rows = catalog_.Exec("SELECT EXISTS (SELECT 1 FROM " + pg::QuoteIdent(leaf.substr(0, dot)) + "." +
                            pg::QuoteIdent(leaf.substr(dot + 1)) + ")");
      attached_with_rows |= rows.Get(0, 0) == "t";
    }
    bool first_look = known->partitions.empty();
    board_.Update([&](staging::CaptureState& s2) { s2.Find(t.name.ToString())->partitions = leaves; });
    if (attached_with_rows && !first_look && known->phase == staging::SyncPhase::kReady) {
      spdlog::info("capture {}: a partition with rows joined {}; copying it again", source_.name,
                   t.name.ToString());
      states_.RequestResync(t.name.ToString());
    }
  }
  std::vector<pg::TableInfo> added;
  auto st = board_.Snapshot();
  for (auto& t : now_tables)
    if (!st.Find(t.name.ToString())) added.push_back(t);
  tables_ = now_tables;
  if (!added.empty()) {
    EnsurePublication(catalog_, source_, tables_);
    board_.Update([&](staging::CaptureState& s2) {
      for (auto& t : added) {
        staging::TableSync ts;
        ts.table = t.name.ToString();
        ts.truncate_first = true;
        spdlog::info("capture {}: new table {} selected", source_.name, ts.table);
        s2.tables.push_back(std::move(ts));
      }
    });
  }
  for (const auto& name : states_.PendingResyncs()) {
    if (copying_.count(name)) continue;  // finish the running copy first
    if (!board_.Snapshot().Find(name)) {
      spdlog::error("capture {}: resync of {} ignored: not a replicated table", source_.name, name);
    } else {
      board_.Update([&](staging::CaptureState& s2) {
        auto* ts = s2.Find(name);
        ts->phase = staging::SyncPhase::kInit;
        ts->ranges.clear();
        ts->truncate_first = true;
        ts->error.clear();
      });
      spdlog::info("capture {}: resync of {} requested", source_.name, name);
    }
    states_.ClearResync(name);
  }
  for (auto& [table, error] : copier_.TakeErrors()) {
    copying_.erase(table);
    copied_since_batch_.insert(table);
    board_.Update([&](staging::CaptureState& s2) {
      if (auto* ts = s2.Find(table)) {
        ts->phase = staging::SyncPhase::kErrored;
        ts->error = error;
      }
    });
  }
  ScheduleCopies();
}

void TableCopies::ChunkStaged(const snapshot::Chunk& chunk) {
  pending_progress_.push_back({chunk.table, chunk.range, chunk.last_key, chunk.range_done, chunk.rows.size()});
}

void TableCopies::ApplyProgress(Lsn durable_end) {
  if (!HasPendingProgress()) return;
  board_.Update([&](staging::CaptureState& st) {
    for (const auto& name : pending_untruncate_)
      if (auto* ts = st.Find(name)) ts->truncate_first = false;
    for (const auto& p : pending_progress_) {
      auto* ts = st.Find(p.table);
      if (!ts || p.range >= ts->ranges.size()) continue;
      auto& r = ts->ranges[p.range];
      if (!p.last_key.empty()) r.after = p.last_key;
      r.done = p.range_done;
      r.rows += p.rows;
      ts->rows_copied += p.rows;
      bool all = true;
      for (const auto& rr : ts->ranges) all &= rr.done;
      if (all) {
        ts->phase = staging::SyncPhase::kReady;
        ts->catchup_lsn = durable_end;
        ts->finished_at = core::NowMicros();
        copying_.erase(p.table);
        copied_since_batch_.insert(p.table);
        spdlog::info("capture {}: {} copied ({} rows)", source_.name, p.table, ts->rows_copied);
      }
    }
  });
  pending_progress_.clear();
  pending_untruncate_.clear();
}

void TableCopies::MarkCaughtUp(Lsn flushed) {
  bool any = false;
  for (const auto& t : board_.Snapshot().tables)
    any |= t.phase == staging::SyncPhase::kCatchup && t.catchup_lsn <= flushed;
  if (!any) return;
  board_.Update([&](staging::CaptureState& st) {
    for (auto& t : st.tables) {
      if (t.phase == staging::SyncPhase::kCatchup && t.catchup_lsn <= flushed) {
        t.phase = staging::SyncPhase::kReady;
        if (!t.finished_at) t.finished_at = core::NowMicros();
      }
    }
  });
}

}  // namespace wharf::capture
