#pragma once
// Key-range chunks of a table, the same on both sides.
//
// Boundaries come from the source (a sorted sample of its keys). Each side
// puts a row into a chunk by comparing its key with the boundaries in its own
// SQL, so both must order keys the same way: integers, decimals, dates,
// timestamps and uuids compare natively (identically in PostgreSQL and
// DuckDB); every other key column compares by its canonical text, byte by
// byte (COLLATE "C" on PostgreSQL, DuckDB's own string order). A table
// without a key is split into buckets by a hash of the whole row instead.
// Pure: builds SQL text and picks boundaries.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/pg_types.hpp"
#include "validate/canonical.hpp"

namespace wharf::validate {

// One key column as chunking compares it.
struct KeyPart {
  std::string source;     // PostgreSQL expression over the source row
  std::string warehouse;  // warehouse expression over its row
  bool native = true;     // false: compared by canonical text
  core::LogicalType type;
};

// A key value: per key part, the source's text of it (native) or its
// canonical text.
using KeyValue = std::vector<std::string>;

// How many chunks of about `chunk_rows` rows (at most `max_chunks`, at least
// 1) a table has of which `sampled` rows are `fraction` (0..1].
size_t ChunkCount(size_t sampled, double fraction, uint64_t chunk_rows, size_t max_chunks);
// From a sample of `fraction` (0..1] of the table's rows, sorted in chunk
// order: boundaries cutting the table into chunks of about `chunk_rows`
// rows, at most `max_chunks`; none when one chunk holds it all. Chunk i
// holds the keys from boundary i-1 (inclusive) to boundary i (exclusive).
std::vector<KeyValue> PickBoundaries(const std::vector<KeyValue>& sorted_sample, double fraction,
                                     uint64_t chunk_rows, size_t max_chunks);
// An even grid over one integer key column: chunk i holds origin + i*width
// up to the next point, the first and last chunks everything below and
// above. A row finds its chunk with a subtraction and a division instead of
// a bisection (a third of PostgreSQL's cost per row). Chosen only when the
// sample spreads about evenly over it, so skewed keys fall back to sampled
// boundaries: cut into `groups` runs of cells, no run holds over twice its
// share. A sample of whole pages (TABLESAMPLE SYSTEM) tells the spread only
// at a resolution of some tens of pages, hence runs rather than cells (the
// sampled boundaries are no more even than that either).
struct Grid {
  int64_t origin = 0;
  int64_t width = 1;
  size_t chunks = 1;
  std::vector<KeyValue> Boundaries() const;  // origin + width, origin + 2*width, ...
};
std::optional<Grid> EvenGrid(const std::vector<KeyValue>& sorted_sample, size_t chunks, size_t groups);

// Buckets for a table without a key with about `estimated_rows` rows.
size_t BucketCount(double estimated_rows, uint64_t chunk_rows, size_t max_chunks);

// A key value as a literal of the side's dialect (the source is PostgreSQL).
std::string KeyLiteral(const KeyPart& part, const std::string& value, Dialect dialect);

class ChunkSql {
 public:
  // `warehouse_dialect` is the warehouse's; the source side is PostgreSQL.
  ChunkSql(std::vector<KeyPart> key, std::vector<KeyValue> boundaries, Dialect warehouse_dialect);
  // Chunks of an even grid over a one-column integer key.
  ChunkSql(std::vector<KeyPart> key, const Grid& grid, Dialect warehouse_dialect);

  size_t chunks() const { return boundaries_.size() + 1; }
  const std::vector<KeyPart>& key() const { return key_; }
  // The chunk number (0 .. chunks()-1) of a row, on the source or warehouse side.
  std::string ChunkIdSql(bool source) const;
  // A condition selecting chunk `i`'s rows; "true" for the only chunk.
  std::string ChunkWhereSql(size_t i, bool source) const;
  // Key expressions in chunk order, for ORDER BY of a sample.
  std::string OrderBySql(bool source) const;

 private:
  // "key < boundary b".
  std::string Less(size_t b, bool source) const;
  std::string Bisect(size_t lo, size_t hi, bool source) const;
  Dialect DialectOf(bool source) const { return source ? Dialect::kPostgres : warehouse_; }

  std::string GridIdSql(bool source) const;

  std::vector<KeyPart> key_;
  std::vector<KeyValue> boundaries_;
  std::optional<Grid> grid_;
  Dialect warehouse_;
  // Each boundary's literals per side, rendered once.
  std::vector<std::vector<std::string>> source_literals_, warehouse_literals_;
};

// The bucket (0 .. buckets-1) of a row hash expression of a key-less table.
std::string BucketSql(const std::string& hash, size_t buckets);

}  // namespace wharf::validate
