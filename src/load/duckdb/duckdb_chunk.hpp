#pragma once
// Appends rows through DuckDB data chunks: each value converted (core
// ConvertText, the one converter per type) straight into its column vector,
// DuckDB's vector size rows at a time. Several times faster than the
// appender's value-per-call API, which boxes decimals, timestamps with time
// zone and UUIDs into heap values. Scalar columns only: a table with a LIST
// column goes through AppendDatum.
#include <duckdb.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/pg_types.hpp"
#include "load/duckdb/duckdb_handle.hpp"

namespace wharf::load::duckdb {

// Whether ChunkAppender can take every one of these column types.
bool ChunkAppendable(const std::vector<core::LogicalType>& types);

// Called for a value the column's type cannot hold (set as NULL).
using RejectFn = std::function<void(size_t column, const std::string& reason)>;

// Converts rows into the column vectors of a data chunk: the chunk's first
// columns take `types`, in order; columns after them are the caller's.
class ChunkFiller {
 public:
  explicit ChunkFiller(std::vector<core::LogicalType> types) : types_(std::move(types)) {}
  // Fills `chunk` from now on. Call again after the chunk is reset (a reset
  // may give its vectors new buffers).
  void Bind(duckdb_data_chunk chunk);
  void SetRow(uint64_t row, const std::vector<core::Datum>& values, const RejectFn& on_reject);
  void SetRow(uint64_t row, const std::vector<core::DatumView>& values, const RejectFn& on_reject);
  // A BIGINT or TIMESTAMP WITH TIME ZONE (microseconds) column.
  void SetInt64(size_t column, uint64_t row, int64_t value) {
    static_cast<int64_t*>(data_[column])[row] = value;
  }
  const std::vector<core::LogicalType>& types() const { return types_; }

 private:
  void SetValue(size_t column, uint64_t row, core::DatumView datum, const RejectFn& on_reject);
  void SetNull(size_t column, uint64_t row);

  std::vector<core::LogicalType> types_;
  std::vector<duckdb_vector> vectors_;
  std::vector<void*> data_;
};

// The DuckDB types of a ChunkFiller's columns, then BIGINT and TIMESTAMP WITH
// TIME ZONE for _wharf_lsn and _wharf_synced_at. Destroy each.
std::vector<duckdb_logical_type> ChunkTypes(const std::vector<core::LogicalType>& types);

class ChunkAppender {
 public:
  using RejectFn = duckdb::RejectFn;

  // The appender's active columns are `types` followed by `_wharf_lsn`
  // (BIGINT) and `_wharf_synced_at` (TIMESTAMPTZ). `app` must outlive this.
  ChunkAppender(Appender& app, std::vector<core::LogicalType> types);
  ~ChunkAppender();
  ChunkAppender(const ChunkAppender&) = delete;
  ChunkAppender& operator=(const ChunkAppender&) = delete;

  void Add(const std::vector<core::Datum>& values, int64_t lsn, int64_t synced_at_micros,
           const RejectFn& on_reject);
  // Hands the rows added so far to the appender (call before closing it).
  void Flush();

 private:
  Appender& app_;
  ChunkFiller filler_;
  duckdb_data_chunk chunk_ = nullptr;
  uint64_t capacity_ = 0;
  uint64_t rows_ = 0;
};

}  // namespace wharf::load::duckdb
