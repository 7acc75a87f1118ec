#pragma once
// What `wharf validate` found, per table, and its JSON form (read by
// `wharf validate --json`, `wharf status`, /status, /metrics and the dashboard).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/lsn.hpp"
#include "core/relation.hpp"

namespace wharf::validate {

enum class DiffKind {
  kMissing,    // in the source, not in the warehouse
  kExtra,      // in the warehouse, not in the source (or a key it holds twice)
  kDifferent,  // same key, other values
};
const char* DiffKindName(DiffKind kind);  // "missing", "extra", "different"

struct Difference {
  DiffKind kind = DiffKind::kDifferent;
  // The key's values, comma separated ("7", "1,abc"); for a table without a
  // key, the whole row's.
  std::string key;
  std::vector<std::string> columns;  // kDifferent: the columns that differ
  uint64_t copies = 1;               // a key-less row held this many times more on one side
  bool duplicate = false;            // kExtra: the warehouse holds this key more than once
  bool operator==(const Difference&) const = default;
};

struct TableResult {
  std::string source;
  core::TableName table;   // in the source
  core::TableName target;  // in the warehouse
  std::vector<std::string> key_columns;  // the key's names; every column for a key-less table
  uint64_t source_rows = 0;
  uint64_t warehouse_rows = 0;
  uint64_t chunks = 0;            // key ranges (or hash buckets) compared by hash
  uint64_t chunks_differing = 0;  // of them, those whose hashes differed at first
  uint64_t chunks_drilled = 0;    // chunk reads key by key, rechecks included
  uint64_t keys_compared = 0;     // per-key hashes read in those drill-downs (each side)
  uint64_t rechecks = 0;          // rounds re-read after the warehouse caught up
  uint64_t missing = 0, extra = 0, different = 0;
  std::vector<Difference> differences;  // the first of them, up to the sample limit
  double elapsed_seconds = 0;
  Lsn snapshot_lsn;  // the source's WAL position when its snapshot was taken
  Lsn warehouse_lsn;  // how far the warehouse had applied this source (end LSN)
  std::string note;     // anything that limits the result, for the reader
  std::string skipped;  // why the table was not compared (append mode); empty when it was

  bool Equal() const { return missing == 0 && extra == 0 && different == 0; }
  uint64_t Differences() const { return missing + extra + different; }
};

// "different values: (id)=(7) columns price", "missing in warehouse: (id)=(9)",
// "not in source: (k,v)=(1,x) x2".
std::string Describe(const TableResult& table, const Difference& d);

struct Report {
  std::vector<TableResult> tables;
  std::string finished_at;       // ISO UTC
  int64_t finished_at_unix = 0;  // seconds
  bool Equal() const {
    for (const auto& t : tables)
      if (!t.Equal()) return false;
    return true;
  }
};

nlohmann::json ToJson(const TableResult& table);
// {"equal", "finished_at", "finished_at_unix", "tables": [...]}.
nlohmann::json ToJson(const Report& report);

}  // namespace wharf::validate
