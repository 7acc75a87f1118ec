#pragma once
// The default DuckDB mapping of logical types (DESIGN.md "Values") and the
// appending of converted values.
#include <optional>
#include <string>

#include "core/change.hpp"
#include "core/pg_types.hpp"
#include "load/duckdb/duckdb_handle.hpp"

namespace wharf::load::duckdb {

std::string DuckDbTypeName(const core::LogicalType& type);

// Converts `datum` (PostgreSQL text) with the type's converter and appends it.
// A value the type cannot hold is appended as NULL and its reason returned.
std::optional<std::string> AppendDatum(Appender& appender, const core::LogicalType& type,
                                       const core::Datum& datum);

}  // namespace wharf::load::duckdb
