#pragma once
// Copies tables while the stream runs, in key-ordered chunks between two
// watermarks written into the WAL (the DBLog method). For each chunk:
//   1. the copier writes a low watermark (a logical decoding message "L <id>",
//      committed on its own);
//   2. in one REPEATABLE READ transaction it locks the table in ACCESS SHARE
//      mode, takes its snapshot (pg_current_snapshot()), reads the table's
//      schema and the next page of rows in key order, and writes the high
//      watermark "H <id>" (a transactional message: it lands at this
//      transaction's commit);
//   3. once committed, it notes the WAL insert position: capture has passed
//      H when its stream is past that.
// Capture, reading the stream in commit order, notes every key of the table
// that a change touches between L and H; at H it stages the page's rows minus
// those keys as op R. A row changed inside the window is newer in the stream
// than in the page, and a row not changed there is the same at H as when it
// was read, so the result equals the source at H, with no extra slot and
// progress saved per chunk (a crash resumes after the last chunk).
//
// What the plain method misses, and how each is closed (the page is then
// voided and read again under a new pair of watermarks):
//   - A transaction whose commit is in the WAL before L but which the page's
//     snapshot does not see (a commit still waiting for a synchronous
//     standby): its changes are staged before L, so the stale page row would
//     overwrite them. The snapshot's in-progress xids (xip) are matched with
//     the transactions capture staged before L that touched the table.
//   - A change inside the window that leaves a TOAST column unchanged, to a
//     key of the page that no earlier change in the window gave a whole row:
//     the warehouse has no row to take the value from (the copy emptied the
//     table, or the row is in this very page), and the page row is dropped.
//   - A schema change: the table is locked before the snapshot, so the page
//     and the schema read with it are the table at H (a DDL waits for the
//     lock, so it lands after H); the rows are staged with that schema.
//   - An H capture never sees (a restart of the stream, a message in a
//     streamed or skipped transaction): the copier voids the chunk once
//     capture's position passes the H's commit.
//
// Used for tables added after the first load, `wharf resync`, and resuming a
// first load that was interrupted (its exported snapshot died with it).
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <unordered_map>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "pg/catalog.hpp"
#include "core/relation.hpp"
#include "snapshot/keyset.hpp"
#include "staging/state_store.hpp"

namespace wharf::snapshot {

inline constexpr const char* kWatermarkPrefix = "wharf.watermark";

// pg_current_snapshot()'s text "xmin:xmax:xip,xip,...".
struct PgSnapshot {
  uint64_t xmin = 0;
  uint64_t xmax = 0;
  std::vector<uint64_t> xip;  // in progress when taken (xmin <= xid < xmax)
  static std::optional<PgSnapshot> Parse(std::string_view text);
};

struct Chunk {
  uint64_t id = 0;
  std::string table;  // schema.table
  core::RelationSchema schema;
  KeyInfo key;
  size_t range = 0;
  bool truncate_first = false;  // stage an op T for the table at L
  std::vector<std::vector<core::Datum>> rows;
  std::vector<std::string> last_key;  // of the page as read
  bool range_done = false;            // the page was the range's last
  bool void_chunk = false;            // capture could not use it (retry)
  std::string void_reason;            // why, for the log
  std::optional<PgSnapshot> snapshot;  // the page's
};

// Chunks in flight between the copier and capture. Thread-safe.
class ChunkBoard {
 public:
  void Put(std::shared_ptr<Chunk> chunk);
  std::shared_ptr<Chunk> Find(uint64_t id);
  // Capture is done with the chunk (staged or voided).
  void Consumed(uint64_t id);
  void WakeAll();
  // Copier: the chunk's marks are abandoned (no H will follow its L).
  void Drop(uint64_t id);
  // Capture: how far its stream has come (commit end LSNs, keepalive WAL
  // ends). A chunk whose H committed below this and that is not consumed was
  // missed (WaitConsumed gives up on it).
  void Passed(uint64_t lsn);
  uint64_t passed() const { return passed_; }
  // Copier: waits until `id` is consumed (true), or until capture passed
  // `h_bound` without consuming it or `stop` was set (false; in the first
  // case `*missed` is set).
  bool WaitConsumed(uint64_t id, uint64_t h_bound, const std::atomic<bool>& stop, bool* missed);

 private:
  std::atomic<uint64_t> passed_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, std::shared_ptr<Chunk>> chunks_;
  std::set<uint64_t> consumed_;
};

// Capture's side: windows between L and H.
class WatermarkTracker {
 public:
  explicit WatermarkTracker(ChunkBoard& board) : board_(board) {}
  // A logical decoding message. Returns the chunk whose H this was (rows to
  // stage, already filtered), or for an L with truncate_first the chunk too
  // (caller stages the T); nullptr otherwise.
  struct Event {
    enum class Kind { kNone, kLow, kHigh } kind = Kind::kNone;
    std::shared_ptr<Chunk> chunk;
  };
  Event OnMessage(std::string_view prefix, std::string_view content);
  // A change staged in commit order.
  void OnChange(const core::RelationSchema& schema, const core::Change& change);
  bool open() const { return !windows_.empty(); }

 private:
  using Key = std::vector<std::string>;
  struct Window {
    std::shared_ptr<Chunk> chunk;
    uint64_t opened_at = 0;  // writers_ order when L was seen: writers below it committed before L
    std::set<Key> touched;
    std::set<Key> whole;       // keys a change in the window gave every value
    std::set<Key> unfillable;  // keys left with an unchanged TOAST value no one in the window gave
    bool any_change = false;
    bool truncated = false;
  };
  // Why the page cannot be used at H, or "" when it can.
  std::string VoidReason(const Window& w, const Chunk& chunk) const;
  void RecordWriter(const core::RelationSchema& schema, uint32_t xid);

  ChunkBoard& board_;
  std::map<uint64_t, Window> windows_;
  // Recent transactions that staged changes, with the tables they touched,
  // in commit order (bounded: the commit-visibility check needs only those
  // committed shortly before an L).
  struct Writer {
    uint64_t order = 0;
    std::vector<std::string> tables;
  };
  static constexpr size_t kMaxWriters = 100000;
  std::unordered_map<uint32_t, Writer> writers_;
  std::deque<uint32_t> writer_order_;
  uint64_t next_order_ = 1;
  uint32_t last_xid_ = 0;
  uint32_t last_oid_ = 0;
};

// The copier: one thread working through the tables handed to it.
class WatermarkCopier {
 public:
  struct Options {
    uint64_t page_rows = 10000;
    int max_void_retries = 20;
  };
  // `board` must outlive the copier; `on_error` marks a table errored.
  WatermarkCopier(core::SourceConfig source, ChunkBoard& board, Options options);
  ~WatermarkCopier();

  struct Job {
    core::RelationSchema schema;
    std::vector<staging::KeyRange> ranges;  // ranges left (done ones skipped)
    std::vector<size_t> range_index;        // their positions in the table's state
    bool truncate_first = false;
  };
  void Enqueue(Job job);
  // True while a job is queued or running.
  bool busy();
  // Errors per table ("schema.table" -> message), taken once.
  std::map<std::string, std::string> TakeErrors();
  void Stop();

 private:
  void Run();
  void CopyJob(const Job& job);
  // Reads `chunk`'s page inside one REPEATABLE READ transaction after its L
  // (lock, snapshot, schema, rows), calling `emit_high` before committing.
  // False when the table's lock was not granted within 2 s.
  bool ReadPage(pg::Connection& conn, Chunk& chunk, const staging::KeyRange& range, const pg::TableInfo& info,
                pg::TypeResolver& types, const std::function<void()>& emit_high);

  core::SourceConfig source_;
  ChunkBoard& board_;
  Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Job> queue_;
  bool running_job_ = false;
  std::map<std::string, std::string> errors_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace wharf::snapshot
