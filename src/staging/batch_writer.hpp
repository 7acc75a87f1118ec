#pragma once
// Writes one batch: a data file per table (a new part when the table's schema
// changes inside the batch), then the manifest that commits it.
#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/change.hpp"
#include "core/relation.hpp"
#include "staging/codec.hpp"
#include "staging/format.hpp"
#include "staging/fresh_cache.hpp"
#include "staging/manifest.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

struct BatchOptions {
  Compression compression = Compression::kNone;
  Format format = Format::kJsonl;
  // Marks every file of the batch fresh (ManifestFile::fresh): only for the
  // row batches of the first full load.
  bool fresh = false;
  // With `fresh`: where each file's COPY text goes for this process's
  // loader (FreshCache), announced at its first row and offered once the
  // batch is committed; null: nowhere.
  FreshCache* fresh_cache = nullptr;
};

class BatchWriter {
 public:
  // `store` must outlive the writer.
  BatchWriter(ObjectStore& store, std::string source, uint64_t seq, BatchOptions options);
  ~BatchWriter();

  void Add(const core::RelationSchema& schema, const core::Change& change);
  // Add for `header` with its row given as one COPY text line (FileEncoder::AddCopyText).
  void AddCopyText(const core::RelationSchema& schema, const core::Change& header,
                   std::string_view copy_line);
  struct OpenFile {
    ManifestFile meta;
    std::unique_ptr<FileEncoder> writer;
    // The file's rows as COPY text, for options_.fresh_cache; null when not
    // kept (no cache, no room in it, or a row came otherwise than as COPY text).
    std::shared_ptr<FreshText> text;
    bool announced = false;  // text announced to the cache as a stream (FreshCache::Announce)
    // Changes per op letter, into meta.ops when the file closes: a map
    // lookup per row costs more than the row's counting should.
    std::array<uint64_t, 128> op_counts{};
  };
  // The open file of `schema`'s table (a new part if its schema changed).
  // Valid until Commit, or until the table's file is looked up again under
  // another schema.
  OpenFile& FileFor(const core::RelationSchema& schema, int64_t ts);
  // AddCopyText for many rows of one table under one schema (a full load's
  // COPY): the file looked up once with FileFor, not per row.
  void AddCopyText(OpenFile& file, const core::Change& header, std::string_view copy_line);
  // Stages `schema` for its table without a change: the table's file (an empty one unless
  // changes follow under the same schema) carries it, and the loader applies it.
  void AddSchema(const core::RelationSchema& schema);
  // A fresh file's expected row count, for the loader that streams it
  // (FreshStream::expected_rows): call before its first row.
  void ExpectRows(uint64_t rows) { expected_rows_ = rows; }
  // Manifest::copying.
  void SetCopying(std::vector<std::string> tables) { manifest_.copying = std::move(tables); }
  uint64_t raw_bytes() const { return raw_bytes_; }
  uint64_t changes() const { return changes_; }
  uint64_t seq() const { return manifest_.seq; }
  bool empty() const { return files_.empty(); }

  // Finishes all files, then writes the manifest. After this returns the batch
  // is durable and may be confirmed to PostgreSQL up to end_lsn.
  Manifest Commit(Lsn first_lsn, Lsn last_lsn, Lsn end_lsn, uint64_t transactions);

 private:
  void Count(OpenFile& f, const core::Change& change, size_t bytes);
  void Close(OpenFile& f);
  // The loader will read `f`'s file instead of its text: abandons the text.
  void DropText(OpenFile& f);

  ObjectStore& store_;
  BatchOptions options_;
  Manifest manifest_;
  std::map<uint32_t, OpenFile> files_;            // relation oid -> open file
  std::map<std::string, uint32_t> parts_;         // table -> parts used so far
  std::vector<ManifestFile> closed_;
  std::vector<std::pair<std::string, std::shared_ptr<FreshText>>> closed_texts_;  // path, text
  uint64_t raw_bytes_ = 0;
  uint64_t changes_ = 0;
  uint64_t expected_rows_ = 0;
  bool committed_ = false;  // the manifest is written: the texts are the cache's
};

}  // namespace wharf::staging
