#pragma once
// Staged file formats (DESIGN.md "Staged batches"): one encoder per file for
// the BatchWriter, one reader factory for the loader. Every format carries the
// same change fields (op, commit LSN, end LSN, seq, xid, commit time, row, old,
// unchanged) and decodes back to the same core::Change, values as PostgreSQL
// text, so the planner and every warehouse adapter are format-blind.
//
//   jsonl    one JSON object a line (staging/jsonl.hpp); compressed as a whole
//   csv      AWS DMS's layout plus wharf's columns (staging/csv.hpp); compressed as a whole
//   parquet  the CSV's columns, typed (staging/parquet.hpp); compressed by Parquet's own codec
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/change.hpp"
#include "core/relation.hpp"
#include "staging/codec.hpp"
#include "staging/manifest.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

enum class Format { kJsonl, kCsv, kParquet };

Format ParseFormat(const std::string& name);  // throws kConfig naming the accepted ones
std::string FormatName(Format f);
// The file extension of a data file: "jsonl.zst", "csv", "parquet" (never ".zst": Parquet
// compresses inside the file).
std::string FormatExtension(Format f, Compression c);

// Writes the changes of one table (one schema) to one staged object.
class FileEncoder {
 public:
  virtual ~FileEncoder() = default;
  // Returns the change's size before compression (what batch max_bytes counts).
  virtual size_t Add(const core::Change& change) = 0;
  // Adds `header` (a change without its row) with the row given as one line of
  // COPY text format, as Add would add it with the line parsed into its row
  // (pg::ParseCopyTextRow, which also names the errors). This default does
  // exactly that; jsonl and csv write the line straight to their format
  // (staging/copy_transcode.hpp). What the full load's copy workers call.
  virtual size_t AddCopyText(const core::Change& header, std::string_view copy_line);
  // Writes what is left and commits the object; then the getters are final.
  virtual void Finish() = 0;
  virtual uint64_t stored_bytes() const = 0;
  virtual const std::string& checksum() const = 0;  // "<algo>:<hex>" (codec.hpp)

 protected:
  // `columns`: the schema's column count, the fields a COPY line must have.
  explicit FileEncoder(size_t columns) : columns_(columns) {}

 private:
  size_t columns_;
  core::Change parsed_;  // AddCopyText's change, its row storage reused
};

std::unique_ptr<FileEncoder> OpenEncoder(Format format, Compression compression,
                                         const core::RelationSchema& schema,
                                         std::unique_ptr<ObjectWriter> out,
                                         Effort effort = Effort::kDefault);

// Yields a staged file's changes in order. jsonl and csv stream in memory
// bounded by the longest change; parquet holds one row group's chunk.
class ChangeReader {
 public:
  virtual ~ChangeReader() = default;
  // The next change (every field overwritten); false at the end. Throws
  // kStaging naming the file when it is malformed or truncated.
  virtual bool Next(core::Change& change) = 0;
  virtual uint64_t changes_read() const = 0;
  // Stored bytes read; the object's size once Next returned false.
  virtual uint64_t stored_bytes() const = 0;
};

// Opens the reader for a file the manifest describes (format, compression,
// relation, rows). `stored` is the object as stored; `where` names it in
// errors. A file holding fewer or more changes than the manifest's `rows` is
// refused as truncated/corrupt when the end is reached.
// Throws kStaging: `where` holds `found` changes (a count, or "more than N")
// where its manifest says `expected`.
[[noreturn]] void FailChangeCount(const std::string& where, const std::string& found, uint64_t expected);

std::unique_ptr<ChangeReader> OpenChangeReader(const ManifestFile& file,
                                               std::unique_ptr<ObjectReader> stored,
                                               std::string where, size_t read_size = 1 << 20);

}  // namespace wharf::staging
