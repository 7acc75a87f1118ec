#include "validate/canonical.hpp"

#include <fmt/format.h>

#include <limits>

#include "validate/pg_hash.hpp"

namespace wharf::validate {
namespace {

using core::LogicalKind;

// ---------------------------------------------------------------------------
// Source side (PostgreSQL) of a DuckDB target

// Shortest text that tells every float of the width apart, in printf's %e
// form, which PostgreSQL's to_char and DuckDB's printf both round exactly.
std::string PgFloat(const std::string& x, bool real) {
  return fmt::format(
      "CASE WHEN {0} IS NULL THEN NULL WHEN {0} = 'NaN' THEN 'NaN' WHEN {0} = 'Infinity' THEN 'Infinity' "
      "WHEN {0} = '-Infinity' THEN '-Infinity' ELSE ltrim(to_char({0}, '{1}')) END",
      x, real ? "9.99999999EEEE" : "9.9999999999999999EEEE");
}

// numeric into DOUBLE (target.numeric: double): the loader rejects what a
// double cannot hold (overflow, underflow).
std::string PgNumericAsDouble(const std::string& x) {
  return fmt::format(
      "CASE WHEN {0} IS NULL THEN NULL WHEN {0} = 'NaN' THEN 'NaN' WHEN {0} = 'Infinity' THEN 'Infinity' "
      "WHEN {0} = '-Infinity' THEN '-Infinity' WHEN abs({0}) > 1.7976931348623157e308 OR ({0} <> 0 AND "
      "abs({0}) < 2.2250738585072014e-308) THEN NULL ELSE ltrim(to_char({0}::float8, "
      "'9.9999999999999999EEEE')) END",
      x);
}

// DECIMAL(p,s). A constrained numeric already has exactly the column's scale
// and fits; unconstrained numeric is rounded to the scale, and what the loader
// rejects (NaN, ±Infinity, more integer digits, a fraction the scale drops) is NULL.
std::string PgDecimal(const std::string& x, const core::Column& column, const core::LogicalType& t) {
  if (column.typmod >= 0) return fmt::format("NULLIF(NULLIF(NULLIF({0}::text, 'NaN'), 'Infinity'), '-Infinity')", x);
  return fmt::format(
      "CASE WHEN {0} IS NULL OR {0} = 'NaN' OR {0} = 'Infinity' OR {0} = '-Infinity' THEN NULL "
      "WHEN abs({0}) >= 1e{1} OR {0} <> round({0}, {2}) THEN NULL ELSE round({0}, {2})::text END",
      x, t.precision - t.scale, t.scale);
}

// Past 294247-01-10 04:00:54.775807 UTC a timestamp does not fit 64-bit
// microseconds since 1970 (the loader rejects it).
std::string PgTimestamp(const std::string& x, bool tz) {
  return fmt::format(
      "CASE WHEN {0} > '294247-01-10 04:00:54.775807{1}'::{2} AND isfinite({0}) THEN NULL ELSE {0}::text END", x,
      tz ? "+00" : "", tz ? "timestamptz" : "timestamp");
}

// months, days and microseconds, which both engines keep apart.
std::string PgInterval(const std::string& x) {
  return fmt::format(
      "(extract(year from {0}) * 12 + extract(month from {0}))::bigint::text || ' ' || "
      "extract(day from {0})::bigint::text || ' ' || (extract(hour from {0}) * 3600000000 + "
      "extract(minute from {0}) * 60000000 + extract(microseconds from {0}))::bigint::text",
      x);
}

std::string PgScalar(const core::Column& column, uint32_t oid, const core::LogicalType& t, const std::string& x) {
  switch (t.kind) {
    case LogicalKind::kFloat32:
    case LogicalKind::kFloat64:
      if (oid == core::oid::kNumeric) return PgNumericAsDouble(x);
      return PgFloat(x, t.kind == LogicalKind::kFloat32);
    case LogicalKind::kDecimal:
      return PgDecimal(x, column, t);
    case LogicalKind::kText:
      // ::text of bpchar trims, of inet shows the mask: the output function
      // (what the loader stored) is format's %s.
      if (oid == core::oid::kText || oid == core::oid::kVarchar) return x + "::text";
      return fmt::format("CASE WHEN {0} IS NULL THEN NULL ELSE format('%s', {0}) END", x);
    case LogicalKind::kTimestamp:
    case LogicalKind::kTimestampTz:
      return PgTimestamp(x, t.kind == LogicalKind::kTimestampTz);
    case LogicalKind::kInterval:
      return PgInterval(x);
    default:  // bool, integers, json, bytea (hex), date, time, uuid: their text
      return x + "::text";
  }
}

// ---------------------------------------------------------------------------
// Warehouse side (DuckDB)

std::string DuckFloat(const std::string& x, bool real) {
  return fmt::format(
      "CASE WHEN {0} IS NULL THEN NULL WHEN isnan({0}) THEN 'NaN' WHEN isinf({0}) AND {0} > 0 THEN 'Infinity' "
      "WHEN isinf({0}) THEN '-Infinity' ELSE printf('{1}', CAST({0} AS DOUBLE)) END",
      x, real ? "%.8e" : "%.16e");
}

// DuckDB writes the years before 1 AD as "0044-03-15 (BC)", PostgreSQL as
// "0044-03-15 BC". The test is on the value, so the common case formats once.
std::string DuckBc(const std::string& x, const std::string& text, const char* first_ad) {
  return fmt::format("CASE WHEN {0} < {1} AND isfinite({0}) THEN replace({2}, ' (BC)', '') || ' BC' ELSE {2} END", x,
                     first_ad, text);
}

// A timestamptz as text in UTC. DuckDB's own cast goes through ICU's calendar
// (~5x the cost); as a plain timestamp of the same microseconds it does not.
std::string DuckTimestampTz(const std::string& x) {
  return fmt::format(
      "CASE WHEN isfinite({0}) THEN CAST(make_timestamp(epoch_us({0})) AS VARCHAR) || '+00' ELSE CAST({0} AS "
      "VARCHAR) END",
      x);
}

std::string DuckInterval(const std::string& x) {
  return fmt::format(
      "CAST(datepart('year', {0}) * 12 + datepart('month', {0}) AS VARCHAR) || ' ' || "
      "CAST(datepart('day', {0}) AS VARCHAR) || ' ' || CAST(CAST(datepart('hour', {0}) AS HUGEINT) * 3600000000 "
      "+ datepart('minute', {0}) * 60000000 + datepart('microseconds', {0}) AS VARCHAR)",
      x);
}

std::string DuckScalar(const core::LogicalType& t, const std::string& x) {
  const std::string text = "CAST(" + x + " AS VARCHAR)";
  switch (t.kind) {
    case LogicalKind::kFloat32:
    case LogicalKind::kFloat64:
      return DuckFloat(x, t.kind == LogicalKind::kFloat32);
    case LogicalKind::kDecimal:
      // DECIMAL(s,s) is written ".015"; PostgreSQL writes "0.015".
      if (t.precision != t.scale) return text;
      return fmt::format("CASE WHEN {0} < 0 THEN '-0' || substr({1}, 2) ELSE '0' || {1} END", x, text);
    case LogicalKind::kText:
      return x;
    case LogicalKind::kBlob:
      return "'\\x' || lower(hex(" + x + "))";
    case LogicalKind::kDate:
      return DuckBc(x, text, "DATE '0001-01-01'");
    case LogicalKind::kTimestamp:
      return DuckBc(x, text, "TIMESTAMP '0001-01-01 00:00:00'");
    case LogicalKind::kTimestampTz:
      return DuckBc(x, DuckTimestampTz(x), "TIMESTAMPTZ '0001-01-01 00:00:00+00'");
    case LogicalKind::kInterval:
      return DuckInterval(x);
    default:  // bool, integers, json, time, uuid: PostgreSQL's text already
      return text;
  }
}

// ---------------------------------------------------------------------------
// Arrays: "<dimension lengths>:<elements>", each element <length>:<text> or N,
// in storage order; "0:" when empty. An array the loader rejects (other
// dimensions than the column's, a lower bound other than 1, an element the
// element type cannot hold) is NULL.

std::string PgList(const core::Column& column, const core::LogicalType& t, const std::string& x) {
  std::string dims, bounds;
  for (int d = 1; d <= t.dims; ++d) {
    dims += fmt::format("{}array_length({}, {})::text", d > 1 ? " || 'x' || " : "", x, d);
    bounds += fmt::format(" OR array_lower({}, {}) <> 1", x, d);
  }
  const std::string element = PgScalar(column, column.elem_oid, t.Element(), "_wharf_e");
  return fmt::format(
      "CASE WHEN {0} IS NULL THEN NULL WHEN cardinality({0}) = 0 THEN '0:' WHEN array_ndims({0}) <> {1}{2} "
      "THEN NULL ELSE (SELECT CASE WHEN bool_or(_wharf_e IS NOT NULL AND _wharf_c IS NULL) THEN NULL ELSE "
      "{3} || ':' || string_agg(coalesce(length(_wharf_c)::text || ':' || _wharf_c, 'N'), ',' ORDER BY "
      "_wharf_o) END FROM (SELECT _wharf_e, {4} AS _wharf_c, _wharf_o FROM unnest({0}) WITH ORDINALITY AS "
      "_wharf_u(_wharf_e, _wharf_o)) AS _wharf_s) END",
      x, static_cast<int>(t.dims), bounds, dims, element);
}

std::string DuckList(const core::LogicalType& t, const std::string& x) {
  std::string dims = "CAST(len(" + x + ") AS VARCHAR)";
  std::string sub = x, flat = x;
  for (int d = 2; d <= t.dims; ++d) {
    sub += "[1]";
    dims += " || 'x' || CAST(len(" + sub + ") AS VARCHAR)";
    flat = "flatten(" + flat + ")";
  }
  const std::string element = DuckScalar(t.Element(), "_wharf_e");
  return fmt::format(
      "CASE WHEN {0} IS NULL THEN NULL WHEN len({0}) = 0 THEN '0:' ELSE {1} || ':' || array_to_string("
      "list_transform({2}, lambda _wharf_e: coalesce(CAST(length({3}) AS VARCHAR) || ':' || {3}, 'N')), ',') END",
      x, dims, flat, element);
}

// ---------------------------------------------------------------------------
// Values the row hash takes natively

bool IsInteger(uint32_t oid) { return oid == core::oid::kInt2 || oid == core::oid::kInt4 || oid == core::oid::kInt8; }

// A timestamp's microseconds since 2000-01-01 (PostgreSQL's own value,
// INT64_MIN and INT64_MAX for -infinity and infinity) from a DuckDB TIMESTAMP
// or TIMESTAMPTZ, whose microseconds count from 1970.
std::string DuckPgMicros(const std::string& x, bool tz) {
  return fmt::format(
      "CASE WHEN isfinite({0}) THEN epoch_us({0}) - 946684800000000 WHEN {0} > {1} '1970-01-01 00:00:00{2}' THEN "
      "9223372036854775807 WHEN {0} < {1} '1970-01-01 00:00:00{2}' THEN -9223372036854775807 - 1 END",
      x, tz ? "TIMESTAMPTZ" : "TIMESTAMP", tz ? "+00" : "");
}

// The timestamp PostgreSQL hashes: a timestamptz as UTC wall time (the same
// microseconds), NULL past DuckDB's range as PgTimestamp.
std::string PgHashedTimestamp(const std::string& x, bool tz) {
  return fmt::format("CASE WHEN {0} > '294247-01-10 04:00:54.775807{1}'::{2} AND isfinite({0}) THEN NULL ELSE {3} END",
                     x, tz ? "+00" : "", tz ? "timestamptz" : "timestamp", tz ? "timezone('UTC', " + x + ")" : x);
}

// Where the row hash takes the value itself: integers, timestamps and, on a
// DuckDB target, numerics of a declared precision (a PostgreSQL target keeps
// numeric's NaN and infinities, which hash_numeric_extended does not tell
// apart). On a PostgreSQL target both sides are PostgreSQL, with the same types.
void HashNatively(const core::Column& column, const core::LogicalType& type, Dialect warehouse,
                  const std::string& src, const std::string& wh, ColumnCanon& out) {
  const bool duck = warehouse == Dialect::kDuckDb;
  const bool integer = IsInteger(column.type_oid) &&
                       (type.kind == LogicalKind::kInt16 || type.kind == LogicalKind::kInt32 ||
                        type.kind == LogicalKind::kInt64);
  if (integer) {
    out.source_hash = {src + "::int8", HashInput::kInt8};
    out.warehouse_hash = {duck ? "CAST(" + wh + " AS BIGINT)" : wh + "::int8", HashInput::kInt8};
    return;
  }
  // A declared precision holds no infinity; its NaN the loader stores as NULL.
  if (duck && column.type_oid == core::oid::kNumeric && column.typmod >= 0 && type.kind == LogicalKind::kDecimal) {
    out.source_hash = {"NULLIF(" + src + ", 'NaN')", HashInput::kNumeric};
    out.warehouse_hash = {wh, HashInput::kNumeric};
    return;
  }
  const bool tz = column.type_oid == core::oid::kTimestampTz && type.kind == LogicalKind::kTimestampTz;
  if (!tz && !(column.type_oid == core::oid::kTimestamp && type.kind == LogicalKind::kTimestamp)) return;
  if (duck) {
    out.source_hash = {PgHashedTimestamp(src, tz), HashInput::kTimestamp};
    out.warehouse_hash = {DuckPgMicros(wh, tz), HashInput::kInt8};
  } else {
    out.source_hash = {tz ? "timezone('UTC', " + src + ")" : src, HashInput::kTimestamp};
    out.warehouse_hash = {tz ? "timezone('UTC', " + wh + ")" : wh, HashInput::kTimestamp};
  }
}

}  // namespace

ColumnCanon CanonicalColumn(const core::Column& column, const core::LogicalType& type, Dialect warehouse,
                            const std::string& src, const std::string& wh) {
  ColumnCanon out;
  if (warehouse == Dialect::kPostgres) {  // same types on both sides: the same text
    out.source = src + "::text";
    out.warehouse = wh + "::text";
  } else if (type.kind == LogicalKind::kList) {
    out.source = PgList(column, type, src);
    out.warehouse = DuckList(type, wh);
  } else {
    out.source = PgScalar(column, column.type_oid, type, src);
    out.warehouse = DuckScalar(type, wh);
  }
  out.source_hash = {out.source, HashInput::kText};
  out.warehouse_hash = {out.warehouse, HashInput::kText};
  HashNatively(column, type, warehouse, src, wh, out);
  return out;
}

namespace {

// Column k's seed and NULL: pseudo-random, and never INT64_MIN (whose
// literal is not a bigint).
int64_t Constant(size_t k, int64_t salt) {
  const int64_t c = PgHashInt8Extended(static_cast<int64_t>(k), salt);
  return c == std::numeric_limits<int64_t>::min() ? c + 1 : c;
}

std::string ColumnHash(const HashTerm& term, size_t k, Dialect dialect) {
  const bool pg = dialect == Dialect::kPostgres;
  const int64_t seed = Constant(k, 0x5eed), null = Constant(k, 0x0dd);
  std::string call;
  switch (term.input) {
    case HashInput::kText:
      // "C": a column's nondeterministic collation would hash its sort key.
      call = pg ? fmt::format("hashtextextended(({}) COLLATE \"C\", {})", term.expr, seed)
                : fmt::format("{}({}, {})", kDuckDbHashFunction, term.expr, seed);
      break;
    case HashInput::kInt8:
      call = fmt::format("{}({}, {})", pg ? "hashint8extended" : kDuckDbInt8HashFunction, term.expr, seed);
      break;
    case HashInput::kTimestamp:  // PostgreSQL only
      call = fmt::format("timestamp_hash_extended({}, {})", term.expr, seed);
      break;
    case HashInput::kNumeric:
      call = fmt::format("{0}({1}, CASE WHEN {1} < 0 THEN {2} ELSE {3} END)",
                         pg ? "hash_numeric_extended" : kDuckDbNumericHashFunction, term.expr, -seed, seed);
      break;
  }
  return fmt::format("coalesce({}, {})", call, null);
}

// The xor of hashes[lo, hi), as a balanced tree.
std::string XorTree(const std::vector<std::string>& hashes, size_t lo, size_t hi, Dialect dialect) {
  if (hi - lo == 1) return hashes[lo];
  const size_t mid = lo + (hi - lo) / 2;
  const std::string a = XorTree(hashes, lo, mid, dialect), b = XorTree(hashes, mid, hi, dialect);
  return dialect == Dialect::kPostgres ? "(" + a + " # " + b + ")" : "xor(" + a + ", " + b + ")";
}

}  // namespace

std::string RowHashSql(const std::vector<HashTerm>& columns, Dialect dialect) {
  if (columns.empty()) return "0";
  std::vector<std::string> hashes;
  for (size_t i = 0; i < columns.size(); ++i) hashes.push_back(ColumnHash(columns[i], i + 1, dialect));
  const std::string combined = XorTree(hashes, 0, hashes.size(), dialect);
  return fmt::format("{}({}, 0)", dialect == Dialect::kPostgres ? "hashint8extended" : kDuckDbInt8HashFunction,
                     combined);
}

bool OrdersNatively(const core::LogicalType& type) {
  switch (type.kind) {
    case LogicalKind::kInt16:
    case LogicalKind::kInt32:
    case LogicalKind::kInt64:
    case LogicalKind::kDecimal:
    case LogicalKind::kDate:
    case LogicalKind::kTimestamp:
    case LogicalKind::kTimestampTz:
    case LogicalKind::kUuid:
      return true;
    default:
      return false;
  }
}

}  // namespace wharf::validate
