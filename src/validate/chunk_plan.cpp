#include "validate/chunk_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/convert.hpp"
#include "load/duckdb/duckdb_types.hpp"
#include "pg/connection.hpp"

namespace wharf::validate {

size_t ChunkCount(size_t sampled, double fraction, uint64_t chunk_rows, size_t max_chunks) {
  if (sampled == 0 || fraction <= 0) return 1;
  const double estimated = static_cast<double>(sampled) / std::min(fraction, 1.0);
  const auto wanted = static_cast<size_t>(std::ceil(estimated / static_cast<double>(std::max<uint64_t>(chunk_rows, 1))));
  return std::max<size_t>(1, std::min({max_chunks, sampled, wanted}));
}

std::vector<KeyValue> PickBoundaries(const std::vector<KeyValue>& sorted_sample, double fraction,
                                     uint64_t chunk_rows, size_t max_chunks) {
  const size_t chunks = ChunkCount(sorted_sample.size(), fraction, chunk_rows, max_chunks);
  std::vector<KeyValue> out;
  for (size_t i = 1; i < chunks; ++i) {
    const KeyValue& b = sorted_sample[i * sorted_sample.size() / chunks];
    if (out.empty() || out.back() != b) out.push_back(b);  // equal boundaries would make empty chunks
  }
  return out;
}

std::vector<KeyValue> Grid::Boundaries() const {
  std::vector<KeyValue> out;
  for (size_t i = 1; i < chunks; ++i)
    out.push_back({std::to_string(origin + static_cast<int64_t>(i) * width)});
  return out;
}

std::optional<Grid> EvenGrid(const std::vector<KeyValue>& sorted_sample, size_t chunks, size_t groups) {
  if (chunks < 2 || sorted_sample.size() < chunks) return std::nullopt;
  std::vector<int64_t> keys;
  try {
    for (const auto& k : sorted_sample) keys.push_back(std::stoll(k.at(0)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!std::is_sorted(keys.begin(), keys.end())) return std::nullopt;
  // Ranges beyond 2^62 would overflow the arithmetic; such keys are not a sequence anyway.
  const __int128 span = static_cast<__int128>(keys.back()) - keys.front() + 1;
  if (span > (static_cast<__int128>(1) << 62)) return std::nullopt;
  Grid g;
  g.origin = keys.front();
  g.chunks = chunks;
  g.width = static_cast<int64_t>((span + static_cast<__int128>(chunks) - 1) / static_cast<__int128>(chunks));
  if (g.width < 1) return std::nullopt;
  // Runs of cells, each holding at most twice its share of the sample.
  groups = std::clamp<size_t>(groups, 1, chunks);
  std::vector<size_t> per(groups);
  for (int64_t k : keys) {
    const auto cell = std::min(chunks - 1, static_cast<size_t>((static_cast<__int128>(k) - g.origin) / g.width));
    ++per[cell * groups / chunks];
  }
  for (size_t j = 0; j < groups; ++j) {
    const size_t cells = (j + 1) * chunks / groups - j * chunks / groups;
    if (per[j] * chunks > 2 * keys.size() * cells + chunks) return std::nullopt;
  }
  return g;
}

size_t BucketCount(double estimated_rows, uint64_t chunk_rows, size_t max_chunks) {
  const double n = std::ceil(estimated_rows / static_cast<double>(std::max<uint64_t>(chunk_rows, 1)));
  return std::clamp<size_t>(static_cast<size_t>(std::max(n, 1.0)), 1, std::max<size_t>(max_chunks, 1));
}

namespace {

// A date or timestamp as DuckDB builds it from wharf's own parse of
// PostgreSQL's text (DuckDB's cast reads "0044-03-15 BC" as 44 AD).
std::string DuckTemporal(const core::LogicalType& type, const std::string& value) {
  const std::string duck_type = load::duckdb::DuckDbTypeName(type);
  auto converted = core::ConvertText(type, value);
  if (const auto* d = std::get_if<core::DateValue>(&converted.value)) {
    if (d->infinity) return fmt::format("CAST('{}infinity' AS DATE)", d->infinity < 0 ? "-" : "");
    return fmt::format("CAST(DATE '1970-01-01' + {} AS DATE)", d->days);
  }
  if (const auto* t = std::get_if<core::TimestampValue>(&converted.value)) {
    if (t->infinity) return fmt::format("CAST('{}infinity' AS {})", t->infinity < 0 ? "-" : "", duck_type);
    return fmt::format("CAST(make_timestamp(CAST({} AS BIGINT)) AS {})", t->micros, duck_type);
  }
  // Not a value DuckDB holds (the loader rejected it): past every loaded one.
  return fmt::format("CAST('infinity' AS {})", duck_type);
}

}  // namespace

std::string KeyLiteral(const KeyPart& part, const std::string& value, Dialect dialect) {
  if (dialect == Dialect::kPostgres) return pg::QuoteLiteral(value);  // takes the column's type
  if (!part.native) return load::duckdb::Literal(value);
  switch (part.type.kind) {
    case core::LogicalKind::kDate:
    case core::LogicalKind::kTimestamp:
    case core::LogicalKind::kTimestampTz:
      return DuckTemporal(part.type, value);
    default:  // integers, decimals, uuid: DuckDB reads PostgreSQL's text of them
      return "CAST(" + load::duckdb::Literal(value) + " AS " + load::duckdb::DuckDbTypeName(part.type) + ")";
  }
}

ChunkSql::ChunkSql(std::vector<KeyPart> key, std::vector<KeyValue> boundaries, Dialect warehouse_dialect)
    : key_(std::move(key)), boundaries_(std::move(boundaries)), warehouse_(warehouse_dialect) {
  for (const auto& b : boundaries_) {
    auto& s = source_literals_.emplace_back();
    auto& w = warehouse_literals_.emplace_back();
    for (size_t k = 0; k < key_.size(); ++k) {
      s.push_back(KeyLiteral(key_[k], b[k], Dialect::kPostgres));
      w.push_back(KeyLiteral(key_[k], b[k], warehouse_));
    }
  }
}

ChunkSql::ChunkSql(std::vector<KeyPart> key, const Grid& grid, Dialect warehouse_dialect)
    : ChunkSql(std::move(key), grid.Boundaries(), warehouse_dialect) {
  grid_ = grid;
}

std::string ChunkSql::GridIdSql(bool source) const {
  const std::string& k = source ? key_[0].source : key_[0].warehouse;
  const int64_t last = grid_->origin + static_cast<int64_t>(grid_->chunks - 1) * grid_->width;
  // Between the first and last points the difference (in bigint: an int
  // key's may not fit an int) cannot overflow; both engines divide
  // non-negative integers alike (DuckDB's / would give a double).
  return fmt::format("CASE WHEN {0} < {1} THEN 0 WHEN {0} >= {2} THEN {3} ELSE (CAST({0} AS BIGINT) - ({1})) {4} {5} END", k,
                     grid_->origin, last, grid_->chunks - 1, DialectOf(source) == Dialect::kDuckDb ? "//" : "/",
                     grid_->width);
}

std::string ChunkSql::Less(size_t b, bool source) const {
  const auto& lit = source ? source_literals_[b] : warehouse_literals_[b];
  auto expr = [&](size_t k) { return source ? key_[k].source : key_[k].warehouse; };
  if (DialectOf(source) == Dialect::kPostgres) {
    if (key_.size() == 1) return expr(0) + " < " + lit[0];
    std::string l, r;
    for (size_t k = 0; k < key_.size(); ++k) {
      l += (k ? ", " : "") + expr(k);
      r += (k ? ", " : "") + lit[k];
    }
    return "(" + l + ") < (" + r + ")";  // a row comparison: lexicographic
  }
  // DuckDB: the lexicographic comparison spelled out.
  std::string out = expr(key_.size() - 1) + " < " + lit[key_.size() - 1];
  for (size_t k = key_.size() - 1; k-- > 0;)
    out = "(" + expr(k) + " < " + lit[k] + " OR (" + expr(k) + " = " + lit[k] + " AND " + out + "))";
  return out;
}

std::string ChunkSql::Bisect(size_t lo, size_t hi, bool source) const {
  if (lo == hi) return std::to_string(lo);
  const size_t mid = (lo + hi) / 2;  // rows below boundary mid are in chunks lo..mid
  return "CASE WHEN " + Less(mid, source) + " THEN " + Bisect(lo, mid, source) + " ELSE " +
         Bisect(mid + 1, hi, source) + " END";
}

std::string ChunkSql::ChunkIdSql(bool source) const {
  if (grid_) return GridIdSql(source);
  return Bisect(0, boundaries_.size(), source);
}

std::string ChunkSql::ChunkWhereSql(size_t i, bool source) const {
  std::string out;
  if (i > 0) out = "NOT (" + Less(i - 1, source) + ")";
  if (i < boundaries_.size()) out += (out.empty() ? "" : " AND ") + Less(i, source);
  return out.empty() ? "true" : out;
}

std::string ChunkSql::OrderBySql(bool source) const {
  std::string out;
  for (const auto& k : key_) out += (out.empty() ? "" : ", ") + (source ? k.source : k.warehouse);
  return out;
}

std::string BucketSql(const std::string& hash, size_t buckets) {
  // % keeps the dividend's sign on both engines.
  return fmt::format("((({0}) % {1}) + {1}) % {1}", hash, buckets);
}

}  // namespace wharf::validate
