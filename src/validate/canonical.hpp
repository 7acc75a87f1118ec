#pragma once
// The canonical text of a value, as SQL on each side of a comparison.
//
// validate never moves rows to compare them: each side turns every value into
// the same text in its own SQL, hashes rows of that text and sums the hashes
// per chunk. So for every type wharf loads there is one expression per side
// that gives byte-identical text for the same value:
//
//   target duckdb    the source's PostgreSQL text where DuckDB can give it too
//                    (integers, DECIMAL with its scale, ISO dates and times,
//                    uuid, json as stored, bytea as \x hex, text-held types as
//                    loaded); DuckDB rewrites its BC dates; floats as %.16e
//                    (%.8e for real: every value has one such text); intervals
//                    as "months days microseconds"; arrays as their
//                    dimensions and length-prefixed elements. A value the
//                    loader stores as NULL (listed in _wharf.rejects: NaN in a
//                    DECIMAL, a timestamp past DuckDB's range, an array of
//                    another shape) is NULL on the source side too, so a
//                    reject is counted once, as a reject, not as a difference.
//   target postgres  both sides are PostgreSQL with the source's types: each
//                    value's own ::text.
// Pure: builds SQL text only.
#include <string>
#include <vector>

#include "core/pg_types.hpp"
#include "core/relation.hpp"

namespace wharf::validate {

enum class Dialect { kPostgres, kDuckDb };

struct ColumnCanon {
  std::string source;     // PostgreSQL over the source column
  std::string warehouse;  // the warehouse's dialect over its column
  // The text may hold any character (text, json): the row text prefixes it
  // with its length, so that no two rows give the same row text.
  bool free_text = false;
};

// `column` as pg::TypeResolver resolved it, `type` its logical type under
// target.numeric; `src` and `wh` the quoted column references of each side.
ColumnCanon CanonicalColumn(const core::Column& column, const core::LogicalType& type, Dialect warehouse,
                            const std::string& src, const std::string& wh);

// One row's canonical text from its columns' canonical texts, in `dialect`:
// "a|b|...", NULL as N, free text as <length>:<text>.
std::string RowTextSql(const std::vector<std::string>& columns, const std::vector<bool>& free_text,
                       Dialect dialect);

// PostgreSQL's hashtextextended(text, 0) of a text expression: the function
// itself on PostgreSQL, wharf's copy of it (kDuckDbHashFunction) on DuckDB.
inline constexpr const char* kDuckDbHashFunction = "wharf_pg_hash";
std::string HashSql(const std::string& text, Dialect dialect);

// Whether a key column of this logical type orders the same way in
// PostgreSQL and in the warehouse when compared natively; other key columns
// are ordered by their canonical text, byte by byte, on both sides.
bool OrdersNatively(const core::LogicalType& type);

}  // namespace wharf::validate
