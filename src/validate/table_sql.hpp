#pragma once
// The SQL validate runs for one table on each side: chunk sums, per-key
// hashes of a chunk, the canonical columns of chosen keys, and, for a table
// without a key, counts per distinct row of a bucket. `source` selects the
// source side (PostgreSQL) or the warehouse side. Pure.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/relation.hpp"
#include "load/load_mode.hpp"
#include "validate/canonical.hpp"
#include "validate/chunk_plan.hpp"

namespace wharf::validate {

struct TableShape {
  core::TableName source_table;
  core::TableName target;
  Dialect warehouse = Dialect::kDuckDb;
  std::vector<std::string> names;           // source column names
  std::vector<core::LogicalType> types;     // their logical types
  std::vector<ColumnCanon> columns;         // their canonical text on each side
  std::vector<std::string> warehouse_refs;  // their quoted names in the warehouse; "" when absent
  std::vector<size_t> key;                  // key columns; empty for a key-less table
  std::string warehouse_filter;             // rows standing for the source's current state; "" all
  bool warehouse_lsn = false;               // the warehouse rows carry _wharf_lsn
  std::vector<std::string> absent;          // source columns the warehouse table lacks (compared as NULL)

  bool keyless() const { return key.empty(); }
};

// `warehouse_columns`: the warehouse table's column names as it spells them.
// Source columns are matched as the loader names them (load's WarehouseSchema
// of each target: DuckDB folds case, both move wharf's own names aside).
TableShape MakeShape(const core::RelationSchema& schema, const core::TableName& target,
                     const std::vector<std::string>& warehouse_columns, load::LoadMode mode,
                     const core::TypeOptions& types, Dialect warehouse);

// The key as chunking compares it (KeyPart).
std::vector<KeyPart> ChunkKey(const TableShape& shape);

// The table's size in pages (all partitions), on the source.
std::string PagesSql(const TableShape& shape, uint32_t oid);
// A sorted sample of the source's keys, each part as KeyValue text
// (`percent` of the pages: TABLESAMPLE SYSTEM).
std::string KeySampleSql(const TableShape& shape, const std::vector<KeyPart>& key, double percent);
// The number of rows in `percent` of the pages.
std::string SampleCountSql(const TableShape& shape, double percent);

// (chunk, rows, sum of row hashes) per chunk. `chunk_of_row` numbers a row's
// chunk (ChunkSql::ChunkIdSql); for a key-less table it is ignored and rows
// are put into `buckets` by their hash. `where`: more conditions (a ctid range), or "".
std::string ChunkSumsSql(const TableShape& shape, bool source, const std::string& chunk_of_row, size_t buckets,
                         const std::string& where);
// Key columns' canonical texts and the row hash (then _wharf_lsn on the
// warehouse side when kept) of the rows matching `chunk_where`.
std::string KeyHashesSql(const TableShape& shape, bool source, const std::string& chunk_where);
// Key columns' then every column's canonical texts of the rows matching
// `chunk_where` whose key is one of `keys` (canonical texts per key column).
std::string RowsSql(const TableShape& shape, bool source, const std::string& chunk_where,
                    const std::vector<std::vector<std::string>>& keys);
// Of a key-less table's bucket: (row hash, copies, each column's canonical text) per distinct row.
std::string BucketRowsSql(const TableShape& shape, bool source, size_t bucket, size_t buckets);

// PostgreSQL: the rows on pages [first, last) (last 0: to the end).
std::string CtidRangeSql(uint64_t first, uint64_t last);

}  // namespace wharf::validate
