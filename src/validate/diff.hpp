#pragma once
// Comparing what each side computed: chunk sums, then per-key hashes of the
// chunks that differ, then the columns of keys that differ. Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/lsn.hpp"
#include "validate/result.hpp"

namespace wharf::validate {

// One chunk's rows and the sum of their row hashes (an order-independent
// aggregate: equal multisets of rows give equal sums).
struct ChunkSum {
  uint64_t rows = 0;
  __int128 hash_sum = 0;
  bool operator==(const ChunkSum&) const = default;
};
using ChunkSums = std::map<size_t, ChunkSum>;  // by chunk number; a chunk with no rows is absent

// A decimal integer as PostgreSQL's sum(bigint) and DuckDB's sum(BIGINT) write
// it; throws kInternal on anything else.
__int128 ParseSum(std::string_view text);
// Adds one part of a table's sums (a range of its pages) into `into`.
void AddSums(ChunkSums& into, const ChunkSums& part);
// Chunks whose rows or sums differ, ascending.
std::vector<size_t> DifferingChunks(const ChunkSums& source, const ChunkSums& warehouse);

// A key and its row's hash, from one side of a chunk.
struct KeyHash {
  std::vector<std::string> key;  // canonical text of each key column
  int64_t hash = 0;
  // Warehouse rows: the commit LSN of the row's last change (_wharf_lsn), when kept.
  std::optional<uint64_t> lsn;
};

struct KeyDiff {
  std::vector<Difference> differences;  // every one, columns not yet known
  // Keys whose warehouse row changed after the source's snapshot: not
  // compared (the next round, or the source's newer state, settles them).
  uint64_t changed_after_snapshot = 0;
};
// Missing, extra (also a key held twice) and different keys of one chunk.
// Warehouse rows with an LSN above `snapshot` are left out with their key.
KeyDiff DiffKeys(const std::vector<KeyHash>& source, const std::vector<KeyHash>& warehouse, Lsn snapshot);

// A distinct row of a key-less table: its hash, how many times a side holds
// it, and its columns' canonical text for the report.
struct RowCount {
  int64_t hash = 0;
  uint64_t count = 0;
  std::vector<std::string> values;
};
// Rows one side holds more often than the other (copies: how many more).
std::vector<Difference> DiffMultiset(const std::vector<RowCount>& source, const std::vector<RowCount>& warehouse);

// Names of the columns whose canonical texts differ.
std::vector<std::string> DifferingColumns(const std::vector<std::string>& names,
                                          const std::vector<std::optional<std::string>>& source,
                                          const std::vector<std::optional<std::string>>& warehouse);

// "7", "1,abc": a key (or row) as the report shows it.
std::string KeyText(const std::vector<std::string>& parts);

// Adds the round's differences to `table`'s counts, keeping at most
// `sample_limit` of them.
void Count(TableResult& table, const std::vector<Difference>& differences, size_t sample_limit);

}  // namespace wharf::validate
