#pragma once
// The COPY text of fresh staged files (the first full load's rows), kept in
// memory by the process that stages them so that its own loader can append
// the rows without reading the file back: in `wharf run` that skips reading,
// decompressing, checksumming and decoding every row a second time.
//
// Two ways a loader gets a text:
// - Offered (FreshCache::Offer/Take): once the file's manifest is durable,
//   the whole text, for the loader that applies the batch as always.
// - Streamed (FreshCache::Announce/TakeStream): while the file is still being
//   written. The loader opens the batch's warehouse transaction early and
//   appends the rows as the copy produces them, but commits only once the
//   manifest is durable and names exactly those rows (Loader::ApplyAhead):
//   the copy and the load then overlap instead of taking turns per batch.
//
// The staged file stays the record: a loader that finds no text here (another
// process, a restart, no room, a text abandoned) reads the file as always. A
// text is the very lines the file was encoded from, so either source gives
// the same rows.
//
// Memory is bounded by the cache's budget, counting texts being written as
// well as texts waiting for the loader: a writer that finds no room abandons
// its text (its file is then read back), however many copy workers there are.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/lsn.hpp"
#include "core/relation.hpp"

namespace wharf::staging {

class FreshCache;

// One file's rows as COPY text lines, each ending in '\n', in blocks of whole
// lines, written by one thread and read by any number: each reader takes a
// block at a time, so blocks are small enough that even a table of narrow
// rows has a block per thread, and a streamed text is read a block behind
// its writer.
class FreshText {
 public:
  static constexpr size_t kBlockBytes = size_t{64} << 10;

  // What a reader can rely on. A text only moves forward:
  // kWriting -> kSealed -> kCommitted, or from either of the first two to kAbandoned.
  enum class State {
    kWriting,    // lines still come; only complete blocks can be read
    kSealed,     // every line is in (its file is closed); the manifest is not yet durable
    kCommitted,  // the file's manifest is durable (FreshCache::Offer)
    kAbandoned,  // it will never be whole (no room, or its batch was never committed)
  };

  // `cache` (may be null: no limit, never cancelled) accounts for the blocks;
  // it must outlive the text.
  explicit FreshText(FreshCache* cache = nullptr) : cache_(cache) {}
  ~FreshText();
  FreshText(const FreshText&) = delete;
  FreshText& operator=(const FreshText&) = delete;

  // Writer: appends one line (with or without its newline). False, nothing
  // appended, when the cache has no room for another block.
  bool Add(std::string_view line);
  // Writer: every line is in.
  void Seal();
  // Writer: this text will never be whole; readers waiting on it give up.
  void Abandon();

  // Reader: block `i`, once complete. Nullopt when the text is whole and has
  // no block `i`. Waits while the text is being written; throws kStaging when
  // it is abandoned, or when the cache says to stop waiting (a signal).
  std::optional<std::string_view> Block(size_t i) const;
  // Reader: waits until the text holds at least `rows` complete rows (true)
  // or is no longer being written (false: sealed, committed or abandoned
  // with fewer). Throws as Block does when the cache says to stop waiting.
  bool WaitRows(uint64_t rows) const;
  // Reader: waits until the text is committed (true) or abandoned (false).
  bool WaitCommitted() const;

  // Rows in complete blocks: all of them once the text is sealed.
  uint64_t rows() const;
  // How many blocks are complete: all of them once the text is sealed.
  size_t blocks() const;
  State state() const;

 private:
  friend class FreshCache;
  void Publish(State state);  // makes the writer's blocks and rows visible, in `state`
  void MarkCommitted();
  // Waits for `ready` under lock_, in slices, giving up when the cache says so.
  template <typename Ready>
  void Wait(std::unique_lock<std::mutex>& lock, Ready ready) const;

  FreshCache* const cache_;

  // The writer's own: no lock.
  std::string* current_ = nullptr;  // the block being filled (the last of blocks_)
  uint64_t rows_written_ = 0;
  size_t reserved_ = 0;     // bytes of the cache's budget this text holds
  size_t block_limit_ = 0;  // current_'s reserved size

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  // Guarded by mu_ (the deque itself: a reader may not index it while the
  // writer appends). Elements never move, and a reader reads only the first
  // complete_ of them, which the writer no longer touches.
  std::deque<std::string> blocks_;
  size_t complete_ = 0;       // blocks a reader may read
  uint64_t rows_public_ = 0;  // rows in those blocks
  State state_ = State::kWriting;
};

// A fresh file being written, announced to the loader of this process.
struct FreshStream {
  std::string source;
  uint64_t seq = 0;   // its batch
  std::string path;   // ManifestFile::path
  core::RelationSchema relation;
  Lsn lsn;            // every row's (the snapshot's): the batch's end LSN
  // How many rows the writer expects the file to have (the previous batch's
  // of the same range; 0: no idea). A hint for sizing the load, never trusted.
  uint64_t expected_rows = 0;
  std::shared_ptr<const FreshText> text;
};

class FreshCache {
 public:
  explicit FreshCache(size_t budget_bytes) : budget_(budget_bytes) {}
  ~FreshCache();

  // `on_announce` runs (on the writer's thread, briefly) after each Announce:
  // it wakes the loader. `cancelled` is polled by readers waiting on a text
  // being written: true makes them give up (the process is stopping). Set
  // before any writer or reader starts.
  void SetHooks(std::function<void()> on_announce, std::function<bool()> cancelled);

  // Keeps `text` for the staged file at `path` (ManifestFile::path) until
  // taken, and marks it committed: call once its manifest is durable.
  void Offer(const std::string& path, std::shared_ptr<FreshText> text);
  // The text for `path`, removed from the cache; null when there is none.
  std::shared_ptr<const FreshText> Take(const std::string& path);

  // A fresh file has started: a loader may stream it (TakeStream) until its
  // writer withdraws it (TakeStream too) once the batch is committed or dropped.
  void Announce(FreshStream stream);
  // The announced file of batch `seq` of `source`, removed; nullopt when none.
  std::optional<FreshStream> TakeStream(const std::string& source, uint64_t seq);

  // Bytes of the budget in use: texts kept and texts being written.
  size_t used_bytes() const;
  // How many texts are kept.
  size_t kept() const;
  // How many announced streams no loader has taken.
  size_t announced() const;
  bool cancelled() const { return cancelled_ && cancelled_(); }

 private:
  friend class FreshText;
  bool Reserve(size_t bytes);
  void Release(size_t bytes);

  const size_t budget_;
  std::function<void()> on_announce_;
  std::function<bool()> cancelled_;
  mutable std::mutex mu_;
  size_t used_ = 0;
  std::map<std::string, std::shared_ptr<const FreshText>> entries_;
  std::map<std::pair<std::string, uint64_t>, FreshStream> streams_;  // (source, seq) -> stream
};

}  // namespace wharf::staging
