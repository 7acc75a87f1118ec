#include "snapshot/watermark.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <random>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/connection.hpp"
#include "pg/copy_text.hpp"

namespace wharf::snapshot {

void ChunkBoard::Put(std::shared_ptr<Chunk> chunk) {
  std::lock_guard lock(mu_);
  chunks_[chunk->id] = std::move(chunk);
}

std::shared_ptr<Chunk> ChunkBoard::Find(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = chunks_.find(id);
  return it == chunks_.end() ? nullptr : it->second;
}

void ChunkBoard::Consumed(uint64_t id) {
  std::lock_guard lock(mu_);
  consumed_.insert(id);
  cv_.notify_all();
}

bool ChunkBoard::WaitConsumed(uint64_t id, uint64_t h_bound, const std::atomic<bool>& stop, bool* missed) {
  std::unique_lock lock(mu_);
  while (!consumed_.count(id)) {
    if (stop) return false;
    if (passed_ > h_bound) {
      // Capture is past the H's commit without having used it: the marks
      // will never come (a reconnect restarted the stream, the H was in a
      // transaction it skipped). Nothing of the chunk was staged.
      chunks_.erase(id);
      *missed = true;
      return false;
    }
    cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  consumed_.erase(id);
  chunks_.erase(id);
  return true;
}

void ChunkBoard::WakeAll() { cv_.notify_all(); }

void ChunkBoard::Drop(uint64_t id) {
  std::lock_guard lock(mu_);
  chunks_.erase(id);
  consumed_.erase(id);
}

void ChunkBoard::Passed(uint64_t lsn) {
  uint64_t seen = passed_;
  while (lsn > seen && !passed_.compare_exchange_weak(seen, lsn)) {
  }
}

std::optional<PgSnapshot> PgSnapshot::Parse(std::string_view text) {
  auto number = [](std::string_view s, uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  size_t a = text.find(':');
  size_t b = a == std::string_view::npos ? a : text.find(':', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  PgSnapshot s;
  if (!number(text.substr(0, a), s.xmin) || !number(text.substr(a + 1, b - a - 1), s.xmax)) return std::nullopt;
  std::string_view rest = text.substr(b + 1);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    uint64_t xid = 0;
    if (!number(rest.substr(0, comma), xid)) return std::nullopt;
    s.xip.push_back(xid);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return s;
}


namespace {
std::optional<std::pair<char, uint64_t>> ParseMark(std::string_view content) {
  if (content.size() < 3 || (content[0] != 'L' && content[0] != 'H') || content[1] != ' ')
    return std::nullopt;
  uint64_t id = 0;
  auto [p, ec] = std::from_chars(content.data() + 2, content.data() + content.size(), id);
  if (ec != std::errc() || p != content.data() + content.size()) return std::nullopt;
  return std::make_pair(content[0], id);
}
}  // namespace

WatermarkTracker::Event WatermarkTracker::OnMessage(std::string_view prefix, std::string_view content) {
  Event ev;
  if (prefix != kWatermarkPrefix) return ev;
  auto mark = ParseMark(content);
  if (!mark) return ev;
  // Windows whose chunk the copier abandoned (no H will come) are closed.
  std::erase_if(windows_, [&](const auto& w) { return !board_.Find(w.first); });
  if (mark->first == 'L') {
    // Marks of chunks this process does not know (from before a restart) are ignored.
    auto chunk = board_.Find(mark->second);
    if (!chunk) return ev;
    Window w;
    w.chunk = chunk;
    w.opened_at = next_order_;
    windows_[mark->second] = std::move(w);
    ev.kind = Event::Kind::kLow;
    ev.chunk = chunk;
    return ev;
  }
  auto it = windows_.find(mark->second);
  if (it == windows_.end()) return ev;
  Window w = std::move(it->second);
  windows_.erase(it);
  auto chunk = board_.Find(mark->second);  // under the board's lock: the rows are visible
  if (!chunk) return ev;
  if (std::string why = VoidReason(w, *chunk); !why.empty()) {
    chunk->void_chunk = true;
    chunk->void_reason = std::move(why);
    chunk->rows.clear();
  } else if (!w.touched.empty()) {
    std::vector<std::vector<core::Datum>> kept;
    kept.reserve(chunk->rows.size());
    for (auto& row : chunk->rows)
      if (!w.touched.count(KeyOf(chunk->key, row))) kept.push_back(std::move(row));
    chunk->rows = std::move(kept);
  }
  ev.kind = Event::Kind::kHigh;
  ev.chunk = chunk;
  return ev;
}

std::string WatermarkTracker::VoidReason(const Window& w, const Chunk& chunk) const {
  if (w.truncated) return "a TRUNCATE inside its window";
  // Rows of a table without a key cannot be told apart.
  if (!chunk.key.Usable() && w.any_change) return "a change to the key-less table inside its window";
  if (chunk.snapshot) {
    for (uint64_t x : chunk.snapshot->xip) {
      // pgoutput sends 32-bit xids, the snapshot 64-bit ones (epoch and xid);
      // the writers kept are recent, so the low 32 bits identify them.
      auto it = writers_.find(static_cast<uint32_t>(x));
      if (it == writers_.end() || it->second.order >= w.opened_at) continue;
      const auto& tables = it->second.tables;
      if (std::find(tables.begin(), tables.end(), chunk.table) != tables.end()) {
        return "transaction " + std::to_string(x) +
               " committed before its low watermark but was not yet visible to its snapshot";
      }
    }
  }
  if (!w.unfillable.empty()) {
    for (const auto& row : chunk.rows) {
      if (w.unfillable.count(KeyOf(chunk.key, row))) {
        return "a change inside its window left a TOAST value of a row of the page unchanged";
      }
    }
  }
  return "";
}

void WatermarkTracker::RecordWriter(const core::RelationSchema& schema, uint32_t xid) {
  if (xid == last_xid_ && schema.oid == last_oid_) return;
  last_xid_ = xid;
  last_oid_ = schema.oid;
  auto [it, fresh] = writers_.try_emplace(xid);
  if (fresh) {
    it->second.order = next_order_++;
    writer_order_.push_back(xid);
    if (writer_order_.size() > kMaxWriters) {
      writers_.erase(writer_order_.front());
      writer_order_.pop_front();
    }
  }
  std::string table = schema.table.ToString();
  auto& tables = it->second.tables;
  if (std::find(tables.begin(), tables.end(), table) == tables.end()) tables.push_back(std::move(table));
}

void WatermarkTracker::OnChange(const core::RelationSchema& schema, const core::Change& change) {
  if (change.op == core::Op::kSnapshot) return;
  RecordWriter(schema, change.xid);
  if (windows_.empty()) return;
  std::string table = schema.table.ToString();
  for (auto& [id, w] : windows_) {
    if (w.chunk->table != table) continue;
    w.any_change = true;
    if (change.op == core::Op::kTruncate) {
      w.truncated = true;
      continue;
    }
    if (!w.chunk->key.Usable()) continue;
    // Key columns by name: the staged schema may differ from the chunk's.
    auto key_of = [&](const std::vector<core::Datum>& values) {
      std::vector<std::string> key;
      for (size_t k : w.chunk->key.columns) {
        int pos = schema.FindColumn(w.chunk->schema.columns[k].name);
        key.push_back(pos >= 0 && static_cast<size_t>(pos) < values.size() && values[pos]
                          ? *values[pos]
                          : std::string());
      }
      return key;
    };
    std::optional<Key> new_key, old_key;
    if (!change.row.empty()) w.touched.insert(*(new_key = key_of(change.row)));
    if (change.has_old) w.touched.insert(*(old_key = key_of(change.old)));
    if (change.op == core::Op::kDelete) {
      if (old_key) w.whole.erase(*old_key);
    } else if (new_key && (change.unchanged.empty() || (change.has_old && change.old_kind == 'O'))) {
      w.whole.insert(*new_key);  // every value is in the change (or its whole old row)
      w.unfillable.erase(*new_key);
    } else if (new_key) {
      // Unchanged TOAST values come from the row's previous version: in the
      // window only if a change there gave it whole; else from the warehouse,
      // which has no such row while its page is being copied.
      if (w.whole.count(old_key ? *old_key : *new_key)) w.whole.insert(*new_key);
      else w.unfillable.insert(*new_key);
    }
  }
}

WatermarkCopier::WatermarkCopier(core::SourceConfig source, ChunkBoard& board, Options options)
    : source_(std::move(source)), board_(board), options_(options), thread_([this] { Run(); }) {}

WatermarkCopier::~WatermarkCopier() { Stop(); }

void WatermarkCopier::Stop() {
  stop_ = true;
  cv_.notify_all();
  board_.WakeAll();
  if (thread_.joinable()) thread_.join();
}

void WatermarkCopier::Enqueue(Job job) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(job));
  cv_.notify_all();
}

bool WatermarkCopier::busy() {
  std::lock_guard lock(mu_);
  return running_job_ || !queue_.empty();
}

std::map<std::string, std::string> WatermarkCopier::TakeErrors() {
  std::lock_guard lock(mu_);
  return std::exchange(errors_, {});
}

void WatermarkCopier::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.erase(queue_.begin());
      running_job_ = true;
    }
    try {
      CopyJob(job);
    } catch (const Error& e) {
      std::lock_guard lock(mu_);
      errors_[job.schema.table.ToString()] = e.Describe();
      spdlog::error("copy {}: {}", job.schema.table.ToString(), e.Describe());
    } catch (const std::exception& e) {
      std::lock_guard lock(mu_);
      errors_[job.schema.table.ToString()] = e.what();
    }
    std::lock_guard lock(mu_);
    running_job_ = false;
  }
}

bool WatermarkCopier::ReadPage(pg::Connection& conn, Chunk& chunk, const staging::KeyRange& range,
                               const pg::TableInfo& info, pg::TypeResolver& types,
                               const std::function<void()>& emit_high) {
  // The lock comes before the snapshot (LOCK takes none), so no DDL lands
  // between the schema read here and H; the schema and the page are the
  // table as of H.
  conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  try {
    conn.Exec("SET LOCAL lock_timeout = '2s'");
    try {
      conn.Exec("LOCK TABLE " + pg::QuoteIdent(info.name.schema) + "." + pg::QuoteIdent(info.name.name) +
                " IN ACCESS SHARE MODE");
    } catch (const Error& e) {
      if (e.message().find("lock timeout") == std::string::npos) throw;
      conn.Exec("ROLLBACK");
      return false;
    }
    chunk.snapshot = PgSnapshot::Parse(conn.Exec("SELECT pg_current_snapshot()::text").Get(0, 0));
    chunk.schema = pg::DescribeTable(conn, info, types);
    chunk.key = DescribeKey(conn, chunk.schema);
    const KeyInfo& key = chunk.key;
    uint64_t limit = key.Usable() ? options_.page_rows : 0;
    std::vector<core::Datum> row;
    conn.CopyOut("COPY (" + PageQuery(chunk.schema, key, range, limit) + ") TO STDOUT", [&](std::string_view line) {
      pg::ParseCopyTextRow(line, row, chunk.schema.columns.size());
      chunk.rows.push_back(row);
    });
    chunk.last_key = chunk.rows.empty() || !key.Usable() ? range.after : KeyOf(key, chunk.rows.back());
    chunk.range_done = !key.Usable() || chunk.rows.size() < options_.page_rows;
    emit_high();
    conn.Exec("COMMIT");
    return true;
  } catch (...) {
    try {
      conn.Exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

void WatermarkCopier::CopyJob(const Job& job) {
  auto conn = pg::Connection::Open(source_.dsn, false, "wharf copy " + source_.name);
  pg::TypeResolver types;
  std::mt19937_64 rng(std::random_device{}());
  bool truncate = job.truncate_first;
  const std::string table = job.schema.table.ToString();
  const pg::TableInfo info{job.schema.table, job.schema.oid, 'r', job.schema.replica_identity};
  const KeyInfo job_key = DescribeKey(conn, job.schema);
  auto emit = [&](char kind, uint64_t id) {
    conn.Exec("SELECT pg_logical_emit_message(true, " + pg::QuoteLiteral(kWatermarkPrefix) + ", '" +
              std::string(1, kind) + " " + std::to_string(id) + "')");
  };
  for (size_t i = 0; i < job.ranges.size(); ++i) {
    staging::KeyRange range = job.ranges[i];
    int voids = 0;
    for (;;) {
      if (stop_) return;
      // Capture reads this one at L (the table, the T to stage, the key
      // columns to note); the page goes into a copy of it, published under
      // the board's lock before H, so neither thread writes what the other reads.
      auto at_low = std::make_shared<Chunk>();
      at_low->id = rng() >> 1;
      at_low->table = table;
      at_low->schema = job.schema;
      at_low->key = job_key;
      at_low->range = job.range_index[i];
      at_low->truncate_first = truncate;
      board_.Put(at_low);
      auto chunk = std::make_shared<Chunk>(*at_low);
      emit('L', chunk->id);
      auto publish_and_emit_high = [&] {
        board_.Put(chunk);  // publishes the page to capture (under the board's lock)
        emit('H', chunk->id);
      };
      if (!ReadPage(conn, *chunk, range, info, types, publish_and_emit_high)) {
        // The table's lock was not granted in time (an application holds it):
        // the marks are abandoned and the page is tried again, so a stop never
        // waits behind an application's lock.
        board_.Drop(chunk->id);
        continue;
      }
      // The H is in the WAL below this: a stream past it has seen it.
      auto h_lsn = Lsn::Parse(conn.Exec("SELECT pg_current_wal_insert_lsn()").Get(0, 0));
      uint64_t h_bound = h_lsn ? h_lsn->value() : UINT64_MAX;
      bool missed = false;
      if (!board_.WaitConsumed(chunk->id, h_bound, stop_, &missed)) {
        if (!missed) return;  // stopping
        chunk->void_chunk = true;
        chunk->void_reason = "capture never saw its watermarks";
      }
      if (chunk->void_chunk) {
        spdlog::info("copy {}: reading a page again: {}", table, chunk->void_reason);
        if (++voids > options_.max_void_retries) {
          Fail(ErrorKind::kSource,
               "table {} changed during every one of {} copy attempts (last: {}); copy it at a quieter "
               "moment with `wharf resync --table {}`{}",
               table, voids, chunk->void_reason, table,
               chunk->key.Usable() ? "" : ", or give it a primary key (without one, any change spoils a copy)");
        }
        // Back off: what spoiled the page (a commit waiting for a standby, a
        // hot row) needs time to pass, and the retries must outlast it.
        auto pause = std::min(std::chrono::milliseconds(100) * voids, std::chrono::milliseconds(3000));
        for (auto until = std::chrono::steady_clock::now() + pause; !stop_ && std::chrono::steady_clock::now() < until;)
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      truncate = false;
      range.after = chunk->last_key;
      if (chunk->range_done) break;
    }
  }
}

}  // namespace wharf::snapshot
