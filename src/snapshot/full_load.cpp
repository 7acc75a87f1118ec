#include "snapshot/full_load.hpp"
#include "core/clock.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <optional>
#include <thread>

#include "core/error.hpp"
#include "core/fault.hpp"
#include "pg/catalog.hpp"
#include "pg/connection.hpp"
#include "pg/copy_text.hpp"
#include "snapshot/keyset.hpp"
#include "snapshot/range_plan.hpp"

namespace wharf::snapshot {

namespace {

pg::Connection OpenInSnapshot(const core::SourceConfig& source, const std::string& snapshot_name) {
  auto conn = pg::Connection::Open(source.dsn, false, "wharf snapshot " + source.name);
  conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  conn.Exec("SET TRANSACTION SNAPSHOT " + pg::QuoteLiteral(snapshot_name));
  return conn;
}

struct Task {
  size_t table;
  size_t range;
};

}  // namespace

void SyncBoard::Update(const std::function<void(staging::CaptureState&)>& fn) {
  std::lock_guard lock(mu_);
  fn(state_);
  store_.Save(state_);
}

staging::CaptureState SyncBoard::Snapshot() {
  std::lock_guard lock(mu_);
  return state_;
}

FullLoadResult CopyUnderSnapshot(const core::SourceConfig& source,
                                 const std::vector<core::RelationSchema>& tables,
                                 const std::string& snapshot_name, Lsn snapshot_lsn,
                                 staging::ObjectStore& store, uint64_t next_seq,
                                 const FullLoadOptions& options, SyncBoard& board,
                                 const std::atomic<bool>& stop,
                                 const std::function<void(const staging::Manifest&)>& on_batch) {
  BatchSequencer sequencer(next_seq);
  std::vector<KeyInfo> keys(tables.size());
  std::vector<uint64_t> rows_per_range(tables.size());  // estimated
  std::deque<Task> tasks;
  int64_t now = core::NowMicros();

  // Plan ranges inside the snapshot, so they describe the rows being copied.
  std::vector<std::vector<staging::KeyRange>> ranges(tables.size());
  std::vector<uint64_t> estimates(tables.size());
  {
    auto plan_conn = OpenInSnapshot(source, snapshot_name);
    for (size_t i = 0; i < tables.size(); ++i) {
      keys[i] = DescribeKey(plan_conn, tables[i]);
      estimates[i] = pg::EstimateRows(plan_conn, tables[i].oid);
      ranges[i] = PlanRanges(plan_conn, tables[i], keys[i], estimates[i], options.workers,
                             options.min_rows_per_range);
      for (size_t r = 0; r < ranges[i].size(); ++r) tasks.push_back({i, r});
      rows_per_range[i] = estimates[i] / ranges[i].size();
    }
    plan_conn.Exec("COMMIT");
  }

  // First batch: empty every table in the warehouse, ahead of any copied row
  // (a repeated load replaces what an earlier attempt left).
  {
    uint64_t seq = sequencer.Reserve();
    staging::BatchWriter batch(store, source.name, seq, options.batch);
    core::Change t;
    t.op = core::Op::kTruncate;
    t.lsn = snapshot_lsn;
    t.end_lsn = snapshot_lsn;
    t.ts = now;
    for (const auto& schema : tables) batch.Add(schema, t);
    sequencer.CommitInOrder(seq, [&] { on_batch(batch.Commit(Lsn(), Lsn(), snapshot_lsn, 0)); });
  }
  core::FaultPoint("full_load.after_truncate_batch");
  // Only now, with the truncate durable, may the state say the tables are
  // being copied: a table that is `copying` resumes after its staged keys
  // without a truncate, so saved any earlier, a crash before the truncate
  // batch would leave an earlier load's rows in the warehouse. (Until then
  // the tables are `init`, which copies afresh, truncate first.)
  board.Update([&](staging::CaptureState& s) {
    for (size_t i = 0; i < tables.size(); ++i) {
      auto* t = s.Find(tables[i].table.ToString());
      t->phase = staging::SyncPhase::kCopying;
      t->method = "snapshot";
      t->ranges = ranges[i];
      t->estimated_rows = estimates[i];
      t->started_at = now;
      t->rows_copied = 0;
      t->bytes_copied = 0;
    }
  });

  std::mutex mu;
  std::optional<Error> failure;
  std::atomic<uint64_t> total_rows{0};
  auto next_task = [&]() -> std::optional<Task> {
    std::lock_guard lock(mu);
    if (tasks.empty() || failure || stop) return std::nullopt;
    Task t = tasks.front();
    tasks.pop_front();
    return t;
  };

  // Row batches of the first load are fresh: the truncate batch above emptied
  // their tables and ranges are disjoint, so no row reaches the warehouse
  // twice. A crash between a batch's manifest and the range's saved progress
  // re-copies some rows, but as a watermark copy (TableCopies), whose rows are
  // upserts, and a key-less table then starts over from a truncate.
  staging::BatchOptions row_batches = options.batch;
  row_batches.fresh = true;

  auto worker = [&]() {
    // Counted here, added to the total once the worker ends however it ends:
    // an atomic add per row costs more than the count is worth.
    struct AddOnExit {
      std::atomic<uint64_t>& total;
      uint64_t n = 0;
      ~AddOnExit() { total += n; }
    } rows_copied{total_rows};
    std::optional<pg::Connection> conn;
    try {
      conn.emplace(OpenInSnapshot(source, snapshot_name));
      while (auto task = next_task()) {
        const auto& schema = tables[task->table];
        const auto& key = keys[task->table];
        std::string name = schema.table.ToString();
        staging::KeyRange range = board.Snapshot().Find(name)->ranges[task->range];
        core::Change change;  // each row's header; the row itself stays COPY text
        change.op = core::Op::kSnapshot;
        change.lsn = snapshot_lsn;
        change.end_lsn = snapshot_lsn;
        change.ts = now;
        std::unique_ptr<staging::BatchWriter> batch;
        staging::BatchWriter::OpenFile* file = nullptr;  // the table's, in `batch`
        uint64_t batch_seq = 0, batch_rows = 0;
        // What the next batch will likely hold, for the loader that streams
        // it (BatchWriter::ExpectRows): the range's previous batch, at first
        // the range's estimate (a batch is cut at max_batch_bytes, so this
        // may be more: it is only a hint).
        uint64_t expected_rows = rows_per_range[task->table];
        std::vector<std::string> last_key;
        std::string last_line;  // the page's last COPY line so far
        std::vector<core::Datum> last_row;

        // Commits the open batch in seq order and records the range's progress.
        auto commit = [&](bool range_done) {
          if (!batch && !range_done) return;
          std::optional<staging::Manifest> manifest;
          if (batch) {
            sequencer.CommitInOrder(batch_seq, [&] {
              manifest = batch->Commit(Lsn(), Lsn(), snapshot_lsn, 0);
            });
          }
          uint64_t bytes = batch ? batch->raw_bytes() : 0;
          board.Update([&](staging::CaptureState& s) {
            auto* t = s.Find(name);
            auto& r = t->ranges[task->range];
            if (!last_key.empty()) r.after = last_key;
            r.rows += batch_rows;
            r.done = range_done;
            t->rows_copied += batch_rows;
            t->bytes_copied += bytes;
            bool all_done = true;
            for (const auto& rr : t->ranges) all_done &= rr.done;
            if (all_done) {
              t->phase = staging::SyncPhase::kCatchup;
              t->catchup_lsn = snapshot_lsn;
              t->finished_at = core::NowMicros();
            }
          });
          if (manifest) on_batch(*manifest);
          batch.reset();
          file = nullptr;
          expected_rows = batch_rows;
          batch_rows = 0;
        };

        bool done = false;
        try {
        while (!done && !stop) {
          uint64_t page_rows = 0;
          std::string sql = "COPY (" + PageQuery(schema, key, range, key.Usable() ? options.page_rows : 0) +
                            ") TO STDOUT";
          conn->CopyOut(sql, [&](std::string_view line) {
            if (!batch) {
              batch_seq = sequencer.Reserve();
              batch = std::make_unique<staging::BatchWriter>(store, source.name, batch_seq, row_batches);
              batch->ExpectRows(expected_rows);
            }
            change.seq = static_cast<uint32_t>(batch_rows);
            // The line goes to the staged format as it is (no row of strings);
            // only the page's last row is parsed, below, for its key.
            if (!file) file = &batch->FileFor(schema, change.ts);
            batch->AddCopyText(*file, change, line);
            if (key.Usable()) last_line.assign(line);
            core::FaultPoint("snapshot.mid_copy");
            ++batch_rows;
            ++page_rows;
            ++rows_copied.n;
          });
          // The page's last row's key is where the range resumes.
          if (key.Usable() && page_rows > 0) {
            pg::ParseCopyTextRow(last_line, last_row, schema.columns.size());
            last_key = KeyOf(key, last_row);
          }
          if (!last_key.empty()) range.after = last_key;
          done = !key.Usable() || page_rows < options.page_rows;
          if (done || (batch && batch->raw_bytes() >= options.max_batch_bytes)) commit(done);
        }
        if (!done) commit(false);  // stopping: keep what was copied
        } catch (const Error& e) {
          // The source refused this table (a privilege, a bad value): keep what
          // was staged, mark the table errored with the reason, and go on with
          // the others. `wharf resync --table` copies it once fixed.
          if (e.kind() != ErrorKind::kSource && e.kind() != ErrorKind::kPermission) throw;
          commit(false);
          board.Update([&](staging::CaptureState& s) {
            auto* t = s.Find(name);
            t->phase = staging::SyncPhase::kErrored;
            t->error = e.Describe() + "\n  then run `wharf resync --table " + name + "`";
          });
          spdlog::error("snapshot {}: {} failed: {}", source.name, name, e.Describe());
          conn.emplace(OpenInSnapshot(source, snapshot_name));  // the failed query ended its transaction
        }
      }
    } catch (const Error& e) {
      std::lock_guard lock(mu);
      if (!failure) failure = e;
      sequencer.Fail();
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      if (!failure) failure = Error(ErrorKind::kInternal, e.what());
      sequencer.Fail();
    }
  };

  std::vector<std::thread> threads;
  size_t n = std::max<size_t>(1, std::min(options.workers, tasks.size()));
  for (size_t i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (failure) {
    throw failure->AddContext("copying the tables of source " + source.name +
                              " for the full load (what was staged is kept; a restart resumes)");
  }
  FullLoadResult result;
  result.rows = total_rows;
  result.last_seq = sequencer.last_committed();
  return result;
}

}  // namespace wharf::snapshot
