#pragma once
// The COPY text of fresh staged files (the first full load's rows), kept in
// memory by the process that staged them so that its own loader can append
// the rows without reading the file back: in `wharf run` that skips reading,
// decompressing, checksumming and decoding every row a second time.
//
// The staged file stays the record: a loader that finds no text here (another
// process, a restart, text evicted for room) reads the file as always. Text is
// offered only after the file's manifest is durable, so a loader never sees
// text whose batch it cannot see; it is the very lines the file was encoded
// from, so either source gives the same rows.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf::staging {

// One file's rows as COPY text lines, each ending in '\n', in blocks of whole
// lines: threads take a block each, so blocks are small enough that even a
// table of narrow rows has a block per thread.
struct FreshText {
  static constexpr size_t kBlockBytes = size_t{64} << 10;

  std::vector<std::string> blocks;
  uint64_t rows = 0;
  size_t bytes = 0;

  // Appends one line (with or without its newline).
  void Add(std::string_view line);
};

class FreshCache {
 public:
  // Holds at most `budget_bytes` of text; the oldest goes first.
  explicit FreshCache(size_t budget_bytes) : budget_(budget_bytes) {}

  // Keeps `text` for the staged file at `path` (ManifestFile::path), evicting
  // the oldest texts for room; a text larger than the budget is not kept.
  void Offer(const std::string& path, std::shared_ptr<const FreshText> text);
  // The text for `path`, removed from the cache; null when there is none.
  std::shared_ptr<const FreshText> Take(const std::string& path);
  size_t held_bytes() const;

 private:
  const size_t budget_;
  mutable std::mutex mu_;
  std::deque<std::pair<std::string, std::shared_ptr<const FreshText>>> entries_;  // oldest first
  size_t held_ = 0;
};

}  // namespace wharf::staging
