#pragma once
// The COPY text of fresh staged files (the first full load's rows), kept in
// memory by the process that staged them so that its own loader can append
// the rows without reading the file back: in `wharf run` that skips reading,
// decompressing, checksumming and decoding every row a second time.
//
// The staged file stays the record: a loader that finds no text here (another
// process, a restart, no room) reads the file as always. Text is offered only
// after the file's manifest is durable, so a loader never sees text whose
// batch it cannot see; it is the very lines the file was encoded from, so
// either source gives the same rows.
//
// Memory is bounded by the cache's budget, counting texts being written as
// well as texts waiting for the loader: a writer that finds no room drops its
// text (its file is then read back), however many copy workers there are.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::staging {

class FreshCache;

// One file's rows as COPY text lines, each ending in '\n', in blocks of whole
// lines: threads take a block each, so blocks are small enough that even a
// table of narrow rows has a block per thread.
struct FreshText {
  static constexpr size_t kBlockBytes = size_t{64} << 10;

  // `cache` (may be null: no limit) accounts for the blocks; it must outlive the text.
  explicit FreshText(FreshCache* cache = nullptr) : cache_(cache) {}
  ~FreshText();
  FreshText(const FreshText&) = delete;
  FreshText& operator=(const FreshText&) = delete;

  // Appends one line (with or without its newline). False, nothing appended,
  // when the cache has no room for another block.
  bool Add(std::string_view line);

  std::vector<std::string> blocks;
  uint64_t rows = 0;

 private:
  FreshCache* const cache_;
  size_t reserved_ = 0;     // bytes of the cache's budget this text holds
  size_t block_limit_ = 0;  // the last block's reserved size
};

class FreshCache {
 public:
  explicit FreshCache(size_t budget_bytes) : budget_(budget_bytes) {}
  ~FreshCache();

  // Keeps `text` for the staged file at `path` (ManifestFile::path) until taken.
  void Offer(const std::string& path, std::shared_ptr<const FreshText> text);
  // The text for `path`, removed from the cache; null when there is none.
  std::shared_ptr<const FreshText> Take(const std::string& path);
  // Bytes of the budget in use: texts kept and texts being written.
  size_t used_bytes() const;
  // How many texts are kept.
  size_t kept() const;

 private:
  friend struct FreshText;
  bool Reserve(size_t bytes);
  void Release(size_t bytes);

  const size_t budget_;
  mutable std::mutex mu_;
  size_t used_ = 0;
  std::map<std::string, std::shared_ptr<const FreshText>> entries_;
};

}  // namespace wharf::staging
