#pragma once
// Appends fresh rows (Warehouse::AppendRows) through DuckDB's parallel INSERT:
//
//   INSERT INTO t (columns..., _wharf_lsn, _wharf_synced_at) SELECT * FROM wharf_fresh_rows()
//
// wharf_fresh_rows() is a table function whose DuckDB threads each pull rows
// through a FreshRows cursor of their own and convert them straight into the
// output chunk (ChunkFiller). Decoding the staged file, converting values and
// DuckDB's compression of row groups then run on every DuckDB thread, where
// an appender would do all of it on the loader's thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/pg_types.hpp"
#include "core/relation.hpp"
#include "load/duckdb/duckdb_handle.hpp"
#include "load/warehouse.hpp"

namespace wharf::load::duckdb {

// Threads for appending `rows` rows: each thread of a parallel INSERT writes
// its rows straight to the file as compressed row groups only when it has at
// least a row group's worth (`row_group_size`); with fewer, DuckDB copies them
// into the transaction and compresses them again at COMMIT, on one thread.
// So at most one thread per 1.25 row groups (blocks are shared unevenly),
// at least one, at most `parallelism`.
size_t FreshThreads(uint64_t rows, uint64_t row_group_size, size_t parallelism);

class FreshScan {
 public:
  // A value a column cannot hold was set NULL: the row, the column and why.
  using RejectFn =
      std::function<void(const std::vector<core::Datum>& row, size_t column, const std::string& why)>;

  // Registers wharf_fresh_rows() in `conn`'s database instance (once per instance).
  explicit FreshScan(Connection& conn);
  ~FreshScan();
  FreshScan(const FreshScan&) = delete;
  FreshScan& operator=(const FreshScan&) = delete;

  // Appends every row of `rows` to `target`, whose columns `schema` names
  // (types: their warehouse types, ChunkAppendable), on up to `threads`
  // DuckDB threads (FreshThreads). Runs in `conn`'s open transaction.
  // `on_reject` is called one at a time, from DuckDB's threads. Throws what a
  // cursor threw (its kind kept), else kWarehouse.
  void Append(Connection& conn, const core::TableName& target, const core::RelationSchema& schema,
              const std::vector<core::LogicalType>& types, int64_t lsn, int64_t synced_at_micros,
              FreshRows& rows, size_t threads, const RejectFn& on_reject);

  struct Job;  // what the table function's callbacks work on

 private:
  // Where the callbacks find the running Append's job (registered as the
  // function's extra info, so its address must not move).
  std::unique_ptr<Job*> slot_;
};

}  // namespace wharf::load::duckdb
