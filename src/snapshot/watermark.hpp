#pragma once
// Copies tables while the stream runs, in key-ordered chunks between two
// watermarks written into the WAL (the DBLog method). For each chunk:
//   1. the copier writes a low watermark (a logical decoding message "L <id>"),
//   2. selects the next page of rows in key order,
//   3. writes a high watermark "H <id>".
// Capture, reading the stream in commit order, notes every key of the table
// that a change touches between L and H; at H it stages the page's rows minus
// those keys as op R. A row changed inside the window is newer in the stream
// than in the page, and a row not changed there is the same at H as when it
// was read, so the result equals the source at H, with no locks, no extra
// slot, and progress saved per chunk (a crash resumes after the last chunk).
//
// Used for tables added after the first load, `wharf resync`, and resuming a
// first load that was interrupted (its exported snapshot died with it).
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/relation.hpp"
#include "snapshot/keyset.hpp"
#include "staging/state_store.hpp"

namespace wharf::snapshot {

inline constexpr const char* kWatermarkPrefix = "wharf.watermark";

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
};

// Chunks in flight between the copier and capture. Thread-safe.
class ChunkBoard {
 public:
  void Put(std::shared_ptr<Chunk> chunk);
  std::shared_ptr<Chunk> Find(uint64_t id);
  // Capture is done with the chunk (staged or voided).
  void Consumed(uint64_t id);
  // Copier: waits until `id` is consumed; false when `stop` was set first.
  bool WaitConsumed(uint64_t id, const std::atomic<bool>& stop);
  void WakeAll();

 private:
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
  struct Window {
    std::shared_ptr<Chunk> chunk;
    std::set<std::vector<std::string>> touched;
    bool any_change = false;
    bool truncated = false;
  };
  ChunkBoard& board_;
  std::map<uint64_t, Window> windows_;
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
