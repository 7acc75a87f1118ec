#pragma once
// wharf::models::seeds: a seed CSV read and typed the way dbt does (agate's
// type inference as configured by dbt-common's agate_helper), and the column
// types a seed table gets on each adapter. Pure: the caller reads the file.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::models::seeds {

// The inferred type of a column. dbt tries Integer, Number, Date, DateTime,
// Boolean, Text in that order and takes the first that every value fits;
// kInteger only when no row has a value for the column (a header-only seed):
// dbt's Integer never accepts a CSV string, and a column of nulls is kNumber.
enum class SeedType { kInteger, kNumber, kBoolean, kDate, kDateTime, kText };

// "integer", "number", "boolean", "date", "datetime", "text".
std::string_view SeedTypeName(SeedType type);

struct SeedTable {
  std::vector<std::string> columns;
  std::vector<SeedType> types;
  // A column of kNumber that dbt makes float8 rather than integer: agate's
  // MaxPrecision is nonzero, i.e. a value has digits after the point once
  // trailing zeros are dropped ("1.0" has none, "1.50" one), or (agate caps
  // whole plus decimal digits at 28) a value has over 28 whole digits (1e30).
  std::vector<bool> has_decimals;
  // Values as text, normalized for the column type (numbers plain decimal
  // without grouping or exponent, booleans "true"/"false", dates YYYY-MM-DD,
  // datetimes "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC when an offset was given);
  // nullopt for an empty field (and what agate reads as null: blank, "null" in
  // any case, a field missing from a short row).
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// Parses RFC 4180 CSV: quoted fields with "" escapes and embedded newlines,
// LF or CRLF line endings, an optional UTF-8 BOM, a header row. `file` names
// the seed in errors (wharf::Error kConfig, "seeds/x.csv:12: ..."), e.g. a row
// with more fields than the header (a shorter row is padded with nulls, as
// agate does), an unterminated quote, bytes that are not UTF-8. `column_types`
// (seed config) are columns whose type the user gives: they are not inferred
// (typed kText, value as is; blank and "null" are still null, as in dbt).
SeedTable ParseSeed(std::string_view text, const std::string& file,
                    const std::map<std::string, std::string>& column_types = {},
                    char delimiter = ',');

// The SQL type dbt gives an inferred column: adapter "duckdb" or "postgres".
// A column named in column_types gets that type verbatim instead (the caller checks).
std::string SqlType(const SeedTable& table, size_t column, std::string_view adapter);

}  // namespace wharf::models::seeds
