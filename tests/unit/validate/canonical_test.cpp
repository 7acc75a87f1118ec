// The canonical-text SQL of each side. Whether the two sides' texts really
// agree is tested against PostgreSQL and DuckDB in
// tests/integration/validate_test.cpp (every type of types_data.hpp).
#include <gtest/gtest.h>

#include <algorithm>

#include "validate/canonical.hpp"
#include "validate/pg_hash.hpp"

namespace wharf::validate {
namespace {

using core::LogicalKind;

core::Column Col(uint32_t oid, int32_t typmod = -1) {
  core::Column c;
  c.name = "x";
  c.type_oid = oid;
  c.typmod = typmod;
  return c;
}

ColumnCanon Duck(const core::Column& c, core::LogicalType t) { return CanonicalColumn(c, t, Dialect::kDuckDb, "s", "w"); }

TEST(Canonical, PostgresTargetComparesEachValuesOwnText) {
  auto c = CanonicalColumn(Col(core::oid::kInt4), {LogicalKind::kInt32}, Dialect::kPostgres, "\"a\"", "\"b\"");
  EXPECT_EQ(c.source, "\"a\"::text");
  EXPECT_EQ(c.warehouse, "\"b\"::text");
}

TEST(Canonical, DuckDbTargetMatchesPostgresTextWhereDuckDbCan) {
  EXPECT_EQ(Duck(Col(core::oid::kInt8), {LogicalKind::kInt64}).warehouse, "CAST(w AS VARCHAR)");
  EXPECT_EQ(Duck(Col(core::oid::kText), {LogicalKind::kText}).source, "s::text");
  // Output-function text for types whose ::text differs (inet shows its mask, bpchar trims).
  EXPECT_EQ(Duck(Col(869), {LogicalKind::kText}).source, "CASE WHEN s IS NULL THEN NULL ELSE format('%s', s) END");
  EXPECT_EQ(Duck(Col(core::oid::kBytea), {LogicalKind::kBlob}).warehouse, "'\\x' || lower(hex(w))");
  // DuckDB writes DECIMAL(5,5) as ".015".
  EXPECT_EQ(Duck(Col(core::oid::kNumeric, (5 << 16 | 5) + 4), {LogicalKind::kDecimal, 5, 5}).warehouse,
            "CASE WHEN w < 0 THEN '-0' || substr(CAST(w AS VARCHAR), 2) ELSE '0' || CAST(w AS VARCHAR) END");
  EXPECT_NE(Duck(Col(core::oid::kDate), {LogicalKind::kDate}).warehouse.find("w < DATE '0001-01-01' AND isfinite(w)"),
            std::string::npos);
  // timestamptz without ICU's calendar: the same microseconds as a plain timestamp, in UTC.
  EXPECT_NE(Duck(Col(core::oid::kTimestampTz), {LogicalKind::kTimestampTz})
                .warehouse.find("CAST(make_timestamp(epoch_us(w)) AS VARCHAR) || '+00'"),
            std::string::npos);
}

TEST(Canonical, ValuesTheLoaderRejectsAreNullOnTheSource) {
  // Unconstrained numeric into DECIMAL(38,9): NaN, too many digits, a dropped fraction.
  auto n = Duck(Col(core::oid::kNumeric), {LogicalKind::kDecimal, 38, 9});
  EXPECT_NE(n.source.find("abs(s) >= 1e29 OR s <> round(s, 9) THEN NULL"), std::string::npos) << n.source;
  EXPECT_NE(n.source.find("round(s, 9)::text"), std::string::npos);
  auto constrained = Duck(Col(core::oid::kNumeric, (12 << 16 | 3) + 4), {LogicalKind::kDecimal, 12, 3});
  EXPECT_EQ(constrained.source, "NULLIF(NULLIF(NULLIF(s::text, 'NaN'), 'Infinity'), '-Infinity')");
  auto ts = Duck(Col(core::oid::kTimestamp), {LogicalKind::kTimestamp});
  EXPECT_NE(ts.source.find("'294247-01-10 04:00:54.775807'::timestamp"), std::string::npos);
  auto list = Duck(Col(1007), core::LogicalType::List({LogicalKind::kInt32}, 2, ','));
  EXPECT_NE(list.source.find("array_ndims(s) <> 2 OR array_lower(s, 1) <> 1 OR array_lower(s, 2) <> 1"),
            std::string::npos)
      << list.source;
  EXPECT_NE(list.warehouse.find("flatten(w)"), std::string::npos) << list.warehouse;
}

TEST(Canonical, FloatsAsExactScientificText) {
  auto f = Duck(Col(core::oid::kFloat4), {LogicalKind::kFloat32});
  EXPECT_NE(f.source.find("to_char(s, '9.99999999EEEE')"), std::string::npos);
  EXPECT_NE(f.warehouse.find("printf('%.8e', CAST(w AS DOUBLE))"), std::string::npos);
  auto d = Duck(Col(core::oid::kNumeric), {LogicalKind::kFloat64});
  EXPECT_NE(d.source.find("to_char(s::float8"), std::string::npos) << "target.numeric: double";
}

TEST(Canonical, RowHashXorsSeededColumnHashesThenHashesThat) {
  // Column k's seed and NULL constant: hashint8extended(k, 0x5eed) and (k, 0x0dd).
  const std::string s1 = std::to_string(PgHashInt8Extended(1, 0x5eed)), n1 = std::to_string(PgHashInt8Extended(1, 0x0dd));
  const std::string s2 = std::to_string(PgHashInt8Extended(2, 0x5eed)), n2 = std::to_string(PgHashInt8Extended(2, 0x0dd));
  const std::string s3 = std::to_string(PgHashInt8Extended(3, 0x5eed)), n3 = std::to_string(PgHashInt8Extended(3, 0x0dd));
  const std::string s4 = std::to_string(PgHashInt8Extended(4, 0x5eed)), n4 = std::to_string(PgHashInt8Extended(4, 0x0dd));
  const std::string neg4 = std::to_string(-PgHashInt8Extended(4, 0x5eed));
  const std::vector<HashTerm> pg = {{"a", HashInput::kText}, {"b", HashInput::kInt8}, {"c", HashInput::kTimestamp},
                                    {"d", HashInput::kNumeric}};
  EXPECT_EQ(RowHashSql(pg, Dialect::kPostgres),
            "hashint8extended(((coalesce(hashtextextended((a) COLLATE \"C\", " + s1 + "), " + n1 +
                ") # coalesce(hashint8extended(b, " + s2 + "), " + n2 + ")) # (coalesce(timestamp_hash_extended(c, " +
                s3 + "), " + n3 + ") # coalesce(hash_numeric_extended(d, CASE WHEN d < 0 THEN " + neg4 + " ELSE " + s4 +
                " END), " + n4 + "))), 0)");
  EXPECT_EQ(RowHashSql({{"a", HashInput::kText}, {"b", HashInput::kInt8}}, Dialect::kDuckDb),
            "wharf_pg_hash_int8(xor(coalesce(wharf_pg_hash(a, " + s1 + "), " + n1 + "), coalesce(wharf_pg_hash_int8(b, " +
                s2 + "), " + n2 + ")), 0)");
  // 1,600 columns (PostgreSQL's most) xor as a balanced tree.
  std::vector<HashTerm> wide(1600, HashTerm{"c", HashInput::kText});
  const std::string sql = RowHashSql(wide, Dialect::kDuckDb);
  size_t depth = 0, deepest = 0;
  for (char ch : sql) {
    if (ch == '(') deepest = std::max(deepest, ++depth);
    if (ch == ')') --depth;
  }
  EXPECT_LT(deepest, 20u);
}

TEST(Canonical, IntegersAndTimestampsHashNatively) {
  auto i = Duck(Col(core::oid::kInt4), {LogicalKind::kInt32});
  EXPECT_EQ(i.source_hash.expr, "s::int8");
  EXPECT_EQ(i.warehouse_hash.expr, "CAST(w AS BIGINT)");
  EXPECT_EQ(i.warehouse_hash.input, HashInput::kInt8);
  EXPECT_EQ(i.source, "s::text") << "the drill-down still compares text";
  auto tz = Duck(Col(core::oid::kTimestampTz), {LogicalKind::kTimestampTz});
  EXPECT_EQ(tz.source_hash.input, HashInput::kTimestamp);
  EXPECT_NE(tz.source_hash.expr.find("timezone('UTC', s)"), std::string::npos);
  EXPECT_NE(tz.source_hash.expr.find("THEN NULL"), std::string::npos) << "past DuckDB's range, as the text";
  EXPECT_NE(tz.warehouse_hash.expr.find("epoch_us(w) - 946684800000000"), std::string::npos);
  // A numeric of declared precision as DECIMAL (NaN is NULL there); an
  // unconstrained one, rounded to the column's scale, as text.
  auto n = Duck(Col(core::oid::kNumeric, (12 << 16 | 2) + 4), {LogicalKind::kDecimal, 12, 2});
  EXPECT_EQ(n.source_hash.expr, "NULLIF(s, 'NaN')");
  EXPECT_EQ(n.warehouse_hash.input, HashInput::kNumeric);
  auto free = Duck(Col(core::oid::kNumeric), {LogicalKind::kDecimal, 38, 9});
  EXPECT_EQ(free.source_hash.expr, free.source);
  EXPECT_EQ(free.source_hash.input, HashInput::kText);
  EXPECT_EQ(Duck(Col(core::oid::kText), {LogicalKind::kText}).source_hash.input, HashInput::kText);
  // On a PostgreSQL target both sides hash alike.
  auto p = CanonicalColumn(Col(core::oid::kInt4), {LogicalKind::kInt32}, Dialect::kPostgres, "a", "b");
  EXPECT_EQ(p.source_hash.expr, "a::int8");
  EXPECT_EQ(p.warehouse_hash.expr, "b::int8");
  auto ptz = CanonicalColumn(Col(core::oid::kTimestampTz), {LogicalKind::kTimestampTz}, Dialect::kPostgres, "a", "b");
  EXPECT_EQ(ptz.warehouse_hash.expr, "timezone('UTC', b)");
  EXPECT_EQ(ptz.warehouse_hash.input, HashInput::kTimestamp);
}

TEST(Canonical, NativeKeyOrderOnlyWhereBothEnginesAgree) {
  EXPECT_TRUE(OrdersNatively({LogicalKind::kInt64}));
  EXPECT_TRUE(OrdersNatively({LogicalKind::kUuid}));
  EXPECT_FALSE(OrdersNatively({LogicalKind::kText})) << "collations";
  EXPECT_FALSE(OrdersNatively({LogicalKind::kFloat64}));
  EXPECT_FALSE(OrdersNatively({LogicalKind::kInterval}));
}

}  // namespace
}  // namespace wharf::validate
