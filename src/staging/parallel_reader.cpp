#include "staging/parallel_reader.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "core/error.hpp"
#include "staging/codec.hpp"
#include "staging/format.hpp"
#include "staging/jsonl.hpp"

namespace wharf::staging {

namespace {

constexpr size_t kPadding = JsonLineParser::kPadding;

// Whole lines of a JSON-lines file, with the number of the first.
struct Block {
  std::unique_ptr<char[]> buf;
  size_t cap = 0;  // allocated; always >= len + kPadding
  size_t len = 0;
  uint64_t first_line = 0;

  void Reserve(size_t n, size_t keep) {
    if (cap >= n) return;
    auto next = std::make_unique_for_overwrite<char[]>(n);
    if (keep) std::memcpy(next.get(), buf.get(), keep);
    buf = std::move(next);
    cap = n;
  }
};

class JsonlParallelReader : public ParallelChangeReader {
 public:
  JsonlParallelReader(const ManifestFile& file, std::unique_ptr<ObjectReader> stored, std::string where,
                      size_t block_size)
      : schema_(file.relation),
        expected_(file.rows),
        where_(where),
        block_size_(std::max<size_t>(block_size, 1)),
        decoded_(std::move(stored), ParseCompression(file.compression), where, block_size_) {}

  std::unique_ptr<Cursor> OpenCursor() override { return std::make_unique<JsonlCursor>(*this); }
  // Decoding a line costs far more than finding it: more threads than a
  // machine has cores would still be kept busy.
  size_t parallelism() const override { return 64; }
  void Finish() override {
    uint64_t n = changes_.load();
    if (n != expected_) FailChangeCount(where_, std::to_string(n), expected_);
  }

 private:
  class JsonlCursor : public Cursor {
   public:
    explicit JsonlCursor(JsonlParallelReader& r) : reader_(r), parser_(r.schema_, r.where_) {}
    ~JsonlCursor() override { Settle(); }
    bool Next(core::Change& change) override {
      while (pos_ >= block_.len) {
        if (!reader_.NextBlock(block_)) {
          Settle();
          return false;
        }
        pos_ = 0;
        line_ = block_.first_line;
      }
      const char* base = block_.buf.get();
      // A block ends with '\n': the search always finds one.
      const char* nl = static_cast<const char*>(std::memchr(base + pos_, '\n', block_.len - pos_));
      size_t end = static_cast<size_t>(nl - base);
      parser_.Parse(std::string_view(base + pos_, end - pos_), block_.cap - pos_, line_, change);
      pos_ = end + 1;
      ++line_;
      ++read_;
      return true;
    }

   private:
    void Settle() {
      reader_.changes_ += read_;
      read_ = 0;
    }
    JsonlParallelReader& reader_;
    JsonLineParser parser_;
    Block block_;
    size_t pos_ = 0;
    uint64_t line_ = 0;
    uint64_t read_ = 0;  // changes not yet added to reader_.changes_
  };

  // Fills `b` with the next whole lines, about block_size_ bytes of them;
  // false at the end of the file.
  bool NextBlock(Block& b) {
    std::lock_guard lock(mu_);
    if (eof_ && carry_.empty()) return false;
    b.Reserve(carry_.size() + block_size_ + kPadding, 0);
    std::memcpy(b.buf.get(), carry_.data(), carry_.size());
    b.len = carry_.size();
    carry_.clear();
    for (;;) {
      while (!eof_ && b.len + kPadding < b.cap) {
        size_t n = decoded_.Read(b.buf.get() + b.len, b.cap - kPadding - b.len);
        if (n == 0) eof_ = true;
        b.len += n;
      }
      const void* nl = b.len ? memrchr(b.buf.get(), '\n', b.len) : nullptr;
      if (nl) {
        size_t cut = static_cast<size_t>(static_cast<const char*>(nl) - b.buf.get()) + 1;
        carry_.assign(b.buf.get() + cut, b.len - cut);
        b.len = cut;
        break;
      }
      if (eof_) {
        if (b.len == 0) return false;
        Fail(ErrorKind::kStaging, "staged file {} is truncated: line {} has no end", where_, next_line_);
      }
      // One line longer than a block: grow by a quarter (at least a block),
      // so a long line costs O(length) copying.
      b.Reserve(b.len + std::max(block_size_, b.len / 4) + kPadding, b.len);
    }
    b.first_line = next_line_;
    // Line numbers are for errors only, but counted here, in file order.
    for (const char *p = b.buf.get(), *end = p + b.len;
         (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))); ++p)
      ++next_line_;
    return true;
  }

  const core::RelationSchema schema_;
  const uint64_t expected_;
  const std::string where_;
  const size_t block_size_;
  std::mutex mu_;  // guards what follows
  DecodingReader decoded_;
  std::string carry_;        // bytes after the last whole line handed out
  uint64_t next_line_ = 1;   // number of the first line of the next block
  bool eof_ = false;
  std::atomic<uint64_t> changes_{0};
};

// Formats that decode on one thread: cursors take turns on one reader.
class SerialParallelReader : public ParallelChangeReader {
 public:
  explicit SerialParallelReader(std::unique_ptr<ChangeReader> reader) : reader_(std::move(reader)) {}
  std::unique_ptr<Cursor> OpenCursor() override { return std::make_unique<SerialCursor>(*this); }
  size_t parallelism() const override { return 1; }
  void Finish() override {}  // the reader checks the count at its end

 private:
  class SerialCursor : public Cursor {
   public:
    explicit SerialCursor(SerialParallelReader& r) : reader_(r) {}
    bool Next(core::Change& change) override {
      std::lock_guard lock(reader_.mu_);
      return reader_.reader_->Next(change);
    }

   private:
    SerialParallelReader& reader_;
  };

  std::mutex mu_;
  std::unique_ptr<ChangeReader> reader_;
};

}  // namespace

std::unique_ptr<ParallelChangeReader> OpenParallelChangeReader(const ManifestFile& file,
                                                               std::unique_ptr<ObjectReader> stored,
                                                               std::string where, size_t block_size) {
  if (file.format == "jsonl") {
    return std::make_unique<JsonlParallelReader>(file, std::move(stored), std::move(where), block_size);
  }
  return std::make_unique<SerialParallelReader>(
      OpenChangeReader(file, std::move(stored), std::move(where), block_size));
}

}  // namespace wharf::staging
