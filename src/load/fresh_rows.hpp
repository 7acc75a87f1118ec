#pragma once
// The rows of a fresh staged file (ManifestFile::fresh) for Warehouse::AppendRows:
// read from the file through a ParallelChangeReader (every change must be a
// snapshot row of the batch's LSN, else the file is not what its manifest
// says), or taken from the COPY text its writer kept (staging::FreshCache).
#include <atomic>
#include <memory>
#include <string>

#include "core/lsn.hpp"
#include "load/warehouse.hpp"
#include "staging/fresh_cache.hpp"
#include "staging/parallel_reader.hpp"

namespace wharf::load {

class FreshFileRows : public FreshRows {
 public:
  // `reader` must outlive this.
  FreshFileRows(staging::ParallelChangeReader& reader, uint64_t rows, Lsn lsn, std::string where)
      : reader_(reader), rows_(rows), lsn_(lsn), where_(std::move(where)) {}
  std::unique_ptr<Cursor> OpenCursor() override;
  size_t parallelism() const override { return reader_.parallelism(); }
  uint64_t rows() const override { return rows_; }

 private:
  staging::ParallelChangeReader& reader_;
  const uint64_t rows_;
  const Lsn lsn_;
  const std::string where_;
};

// The rows of a FreshText: each cursor takes the next block of lines and
// parses its lines as pg::ParseCopyTextRow does, the way they were staged.
// A text still being written is read as it grows: a cursor waits for its
// next block, and throws kStaging if the writer abandons the text.
class FreshTextRows : public FreshRows {
 public:
  // `text` must outlive this; `columns` is the file's schema's column count;
  // `expected_rows`: how many rows a text still being written will likely
  // have (FreshStream::expected_rows).
  FreshTextRows(const staging::FreshText& text, size_t columns, std::string where,
                uint64_t expected_rows = 0)
      : text_(text), columns_(columns), where_(std::move(where)), expected_rows_(expected_rows) {}
  std::unique_ptr<Cursor> OpenCursor() override;
  size_t parallelism() const override;
  // Of a text still being written: the rows so far or the expected count,
  // whichever is more.
  uint64_t rows() const override;
  bool rows_known() const override;
  // Once every cursor has returned false: throws kInternal unless every row
  // was read (a bug; the batch then rolls back).
  void Finish() const;

 private:
  class Cursor;
  const staging::FreshText& text_;
  const size_t columns_;
  const std::string where_;
  const uint64_t expected_rows_;
  std::atomic<size_t> next_block_{0};
  std::atomic<uint64_t> rows_read_{0};
};

}  // namespace wharf::load
