// The canonical-text SQL of each side. Whether the two sides' texts really
// agree is tested against PostgreSQL and DuckDB in
// tests/integration/validate_test.cpp (every type of types_data.hpp).
#include <gtest/gtest.h>

#include "validate/canonical.hpp"

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
  EXPECT_FALSE(c.free_text);
  auto arr = CanonicalColumn(Col(1007), core::LogicalType::List({LogicalKind::kInt32}, 1, ','), Dialect::kPostgres,
                             "a", "b");
  EXPECT_TRUE(arr.free_text) << "array text can hold any character";
}

TEST(Canonical, DuckDbTargetMatchesPostgresTextWhereDuckDbCan) {
  EXPECT_EQ(Duck(Col(core::oid::kInt8), {LogicalKind::kInt64}).warehouse, "CAST(w AS VARCHAR)");
  EXPECT_EQ(Duck(Col(core::oid::kText), {LogicalKind::kText}).source, "s::text");
  EXPECT_TRUE(Duck(Col(core::oid::kText), {LogicalKind::kText}).free_text);
  // Output-function text for types whose ::text differs (inet shows its mask, bpchar trims).
  EXPECT_EQ(Duck(Col(869), {LogicalKind::kText}).source, "CASE WHEN s IS NULL THEN NULL ELSE format('%s', s) END");
  EXPECT_EQ(Duck(Col(core::oid::kBytea), {LogicalKind::kBlob}).warehouse, "'\\x' || lower(hex(w))");
  // DuckDB writes DECIMAL(5,5) as ".015".
  EXPECT_EQ(Duck(Col(core::oid::kNumeric, (5 << 16 | 5) + 4), {LogicalKind::kDecimal, 5, 5}).warehouse,
            "CASE WHEN w < 0 THEN '-0' || substr(CAST(w AS VARCHAR), 2) ELSE '0' || CAST(w AS VARCHAR) END");
  EXPECT_NE(Duck(Col(core::oid::kDate), {LogicalKind::kDate}).warehouse.find("' (BC)'"), std::string::npos);
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

TEST(Canonical, RowTextAndHash) {
  EXPECT_EQ(RowTextSql({"a", "b"}, {false, true}, Dialect::kPostgres),
            "coalesce(a, 'N') || '|' || coalesce(length(b)::text || ':' || b, 'N')");
  EXPECT_EQ(RowTextSql({"b"}, {true}, Dialect::kDuckDb), "coalesce(CAST(length(b) AS VARCHAR) || ':' || b, 'N')");
  EXPECT_EQ(HashSql("t", Dialect::kPostgres), "hashtextextended((t) COLLATE \"C\", 0)");
  EXPECT_EQ(HashSql("t", Dialect::kDuckDb), "wharf_pg_hash(t)");
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
