#pragma once
// The default DuckDB mapping of logical types (DESIGN.md "Values") and the
// appending of converted values.
#include <optional>
#include <string>

#include "core/change.hpp"
#include "core/pg_types.hpp"
#include "core/value.hpp"
#include "load/duckdb/duckdb_handle.hpp"

namespace wharf::load::duckdb {

std::string DuckDbTypeName(const core::LogicalType& type);

// The DuckDB type of a scalar (non-list) logical type; the caller owns it.
duckdb_logical_type CreateScalarType(const core::LogicalType& type);

// DuckDB's physical day and microsecond counts, ±infinity included.
int32_t DuckDays(const core::DateValue& d);
int64_t DuckMicros(const core::TimestampValue& t);
duckdb_hugeint Huge(__int128 scaled);

// Converts `datum` (PostgreSQL text) with the type's converter and appends it.
// A value the type cannot hold is appended as NULL and its reason returned.
std::optional<std::string> AppendDatum(Appender& appender, const core::LogicalType& type,
                                       const core::Datum& datum);

}  // namespace wharf::load::duckdb
