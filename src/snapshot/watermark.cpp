#include "snapshot/watermark.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <random>

#include "core/error.hpp"
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

bool ChunkBoard::WaitConsumed(uint64_t id, const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  while (!consumed_.count(id)) {
    if (stop) return false;
    cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  consumed_.erase(id);
  chunks_.erase(id);
  return true;
}

void ChunkBoard::WakeAll() { cv_.notify_all(); }

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
  if (mark->first == 'L') {
    // Marks of chunks this process does not know (from before a restart) are ignored.
    auto chunk = board_.Find(mark->second);
    if (!chunk) return ev;
    windows_[mark->second] = Window{chunk, {}, false, false};
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
  if (w.truncated || (!chunk->key.Usable() && w.any_change)) {
    // A TRUNCATE inside the window, or a change to a table without a key
    // (rows cannot be told apart): the page may be stale; read it again.
    chunk->void_chunk = true;
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

void WatermarkTracker::OnChange(const core::RelationSchema& schema, const core::Change& change) {
  if (windows_.empty() || change.op == core::Op::kSnapshot) return;
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
    if (!change.row.empty()) w.touched.insert(key_of(change.row));
    if (change.has_old) w.touched.insert(key_of(change.old));
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

void WatermarkCopier::CopyJob(const Job& job) {
  auto conn = pg::Connection::Open(source_.dsn, false, "wharf copy " + source_.name);
  KeyInfo key = DescribeKey(conn, job.schema);
  std::mt19937_64 rng(std::random_device{}());
  bool truncate = job.truncate_first;
  auto emit = [&](char kind, uint64_t id) {
    conn.Exec("SELECT pg_logical_emit_message(true, " + pg::QuoteLiteral(kWatermarkPrefix) + ", '" +
              std::string(1, kind) + " " + std::to_string(id) + "')");
  };
  std::string table = job.schema.table.ToString();
  for (size_t i = 0; i < job.ranges.size(); ++i) {
    staging::KeyRange range = job.ranges[i];
    int voids = 0;
    for (;;) {
      if (stop_) return;
      auto chunk = std::make_shared<Chunk>();
      chunk->id = rng() >> 1;
      chunk->table = table;
      chunk->schema = job.schema;
      chunk->key = key;
      chunk->range = job.range_index[i];
      chunk->truncate_first = truncate;
      board_.Put(chunk);
      emit('L', chunk->id);
      uint64_t limit = key.Usable() ? options_.page_rows : 0;
      std::vector<core::Datum> row;
      conn.CopyOut("COPY (" + PageQuery(job.schema, key, range, limit) + ") TO STDOUT",
                   [&](std::string_view line) {
                     pg::ParseCopyTextRow(line, row, job.schema.columns.size());
                     chunk->rows.push_back(row);
                   });
      chunk->last_key = chunk->rows.empty() || !key.Usable() ? range.after : KeyOf(key, chunk->rows.back());
      chunk->range_done = !key.Usable() || chunk->rows.size() < options_.page_rows;
      board_.Put(chunk);  // publishes the rows to capture (under the board's lock)
      emit('H', chunk->id);
      if (!board_.WaitConsumed(chunk->id, stop_)) return;
      if (chunk->void_chunk) {
        if (++voids > options_.max_void_retries) {
          Fail(ErrorKind::kSource,
               "table {} changed during every one of {} copy attempts{}; copy it at a quieter "
               "moment with `wharf resync --table {}`{}",
               table, voids, key.Usable() ? "" : " (it has no key, so any change spoils a copy)",
               table, key.Usable() ? "" : ", or give it a primary key");
        }
        continue;
      }
      truncate = false;
      range.after = chunk->last_key;
      if (chunk->range_done) break;
    }
  }
}

}  // namespace wharf::snapshot
