#include "snapshot/range_plan.hpp"

#include <charconv>

#include "core/pg_types.hpp"

namespace wharf::snapshot {

std::vector<staging::KeyRange> SplitIntegerRange(int64_t min, int64_t max, size_t parts) {
  std::vector<staging::KeyRange> out;
  if (parts <= 1 || max <= min) {
    out.emplace_back();
    return out;
  }
  __int128 span = static_cast<__int128>(max) - min + 1;
  if (span < static_cast<__int128>(parts)) parts = static_cast<size_t>(span);
  std::vector<std::string> prev;
  for (size_t i = 1; i <= parts; ++i) {
    staging::KeyRange r;
    r.after = prev;
    if (i < parts) {
      int64_t bound = static_cast<int64_t>(min - 1 + span * static_cast<__int128>(i) / parts);
      r.upto = {std::to_string(bound)};
      prev = r.upto;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<staging::KeyRange> PlanRanges(pg::Connection& conn, const core::RelationSchema& schema,
                                          const KeyInfo& key, uint64_t estimated_rows,
                                          size_t parts, uint64_t min_rows_per_range) {
  bool integer_key = key.columns.size() == 1 && [&] {
    auto oid = schema.columns[key.columns[0]].type_oid;
    return oid == core::oid::kInt2 || oid == core::oid::kInt4 || oid == core::oid::kInt8;
  }();
  size_t want = min_rows_per_range ? static_cast<size_t>(estimated_rows / min_rows_per_range) : parts;
  want = std::min(want, parts);
  if (!integer_key || want <= 1) return {staging::KeyRange{}};
  std::string col = pg::QuoteIdent(schema.columns[key.columns[0]].name);
  auto r = conn.Exec("SELECT min(" + col + ")::int8, max(" + col + ")::int8 FROM " +
                     pg::QuoteIdent(schema.table.schema) + "." + pg::QuoteIdent(schema.table.name));
  if (r.IsNull(0, 0)) return {staging::KeyRange{}};
  int64_t lo = 0, hi = 0;
  auto a = r.Get(0, 0), b = r.Get(0, 1);
  std::from_chars(a.data(), a.data() + a.size(), lo);
  std::from_chars(b.data(), b.data() + b.size(), hi);
  return SplitIntegerRange(lo, hi, want);
}

}  // namespace wharf::snapshot
