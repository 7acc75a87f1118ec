#pragma once
// The canonical text of a value, as SQL on each side of a comparison.
//
// validate never moves rows to compare them: each side hashes every row from
// its values in its own SQL and sums the hashes per chunk. So for every type
// wharf loads there is one expression per side that gives byte-identical text
// for the same value, which the row hash takes (and the drill-down compares):
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
//
// Integers, timestamps and (on a DuckDB target) numerics of a declared
// precision skip the text: the row hash takes the value as PostgreSQL keeps
// it (a timestamp's microseconds since 2000, a numeric's base-10000 digits)
// and PostgreSQL hashes it without formatting it, which is most of its cost.
// Pure: builds SQL text only.
#include <string>
#include <vector>

#include "core/pg_types.hpp"
#include "core/relation.hpp"

namespace wharf::validate {

enum class Dialect { kPostgres, kDuckDb };

// What the row hash takes of a column on one side: its canonical text, a
// bigint, (PostgreSQL only) a timestamp, hashed as its bigint, or a numeric
// (a DECIMAL on DuckDB).
enum class HashInput { kText, kInt8, kTimestamp, kNumeric };
struct HashTerm {
  std::string expr;
  HashInput input = HashInput::kText;
};

struct ColumnCanon {
  std::string source;     // PostgreSQL over the source column
  std::string warehouse;  // the warehouse's dialect over its column
  // The row hash's input per side: the texts above unless the value itself
  // hashes alike on both.
  HashTerm source_hash, warehouse_hash;
};

// `column` as pg::TypeResolver resolved it, `type` its logical type under
// target.numeric; `src` and `wh` the quoted column references of each side.
ColumnCanon CanonicalColumn(const core::Column& column, const core::LogicalType& type, Dialect warehouse,
                            const std::string& src, const std::string& wh);

// A row's hash from its columns' hash terms, in `dialect`: each column's
// PostgreSQL hash (hashtextextended, hashint8extended,
// timestamp_hash_extended, hash_numeric_extended) with a seed of its own, a
// NULL another constant of its own (both pseudo-random: the hash of zero or
// NaN is derived from the seed); the columns' hashes xor-ed and that hashed
// again (hashint8extended, seed 0). Seeds keep a value's column apart; the
// last hash makes a row's hash change when values move between rows, which a
// sum over the chunk would otherwise not see. hash_numeric_extended ignores
// the sign, so a negative numeric takes the seed's negation. Each column is
// evaluated once (no separator a value could contain, no concatenation), and
// the xor is a balanced tree, so 1,600 columns nest a dozen levels deep.
// On DuckDB the hashes are wharf's copies (validate/pg_hash.hpp).
inline constexpr const char* kDuckDbHashFunction = "wharf_pg_hash";
inline constexpr const char* kDuckDbInt8HashFunction = "wharf_pg_hash_int8";
inline constexpr const char* kDuckDbNumericHashFunction = "wharf_pg_hash_numeric";
std::string RowHashSql(const std::vector<HashTerm>& columns, Dialect dialect);

// Whether a key column of this logical type orders the same way in
// PostgreSQL and in the warehouse when compared natively; other key columns
// are ordered by their canonical text, byte by byte, on both sides.
bool OrdersNatively(const core::LogicalType& type);

}  // namespace wharf::validate
