// The DuckDB side of the value mapping: type names, and values appended through AppendDatum read
// back from an in-memory DuckDB. Lists especially: they are built as nested duckdb_values.
#include "load/duckdb/duckdb_types.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/pg_types.hpp"
#include "core/relation.hpp"

namespace wharf::load::duckdb {
namespace {

using core::LogicalKind;
using core::LogicalType;

LogicalType T(LogicalKind kind) { return LogicalType{kind, 0, 0}; }

core::Column ArrayColumn(uint32_t array_oid, uint32_t elem_oid, int32_t typmod, int32_t ndims) {
  core::Column c;
  c.name = "a";
  c.type_oid = array_oid;
  c.typmod = typmod;
  c.elem_oid = elem_oid;
  c.ndims = ndims;
  return c;
}

TEST(DuckDbTypeNameTest, Lists) {
  EXPECT_EQ(DuckDbTypeName(core::MapColumnType(ArrayColumn(1007, 23, -1, 1))), "INTEGER[]");
  EXPECT_EQ(DuckDbTypeName(core::MapColumnType(ArrayColumn(1007, 23, -1, 2))), "INTEGER[][]");
  EXPECT_EQ(DuckDbTypeName(core::MapColumnType(ArrayColumn(1231, 1700, ((10 << 16) | 2) + 4, 1))),
            "DECIMAL(10,2)[]");
  EXPECT_EQ(DuckDbTypeName(core::MapColumnType(ArrayColumn(1231, 1700, -1, 1))), "DECIMAL(38,9)[]");
  core::TypeOptions as_string;
  as_string.unconstrained_numeric = core::NumericMapping::kString;
  EXPECT_EQ(DuckDbTypeName(core::MapColumnType(ArrayColumn(1231, 1700, -1, 1), as_string)),
            "VARCHAR[]");
  EXPECT_EQ(DuckDbTypeName(core::MapColumnType(ArrayColumn(3807, 3802, -1, 1))), "JSON[]");
  EXPECT_EQ(DuckDbTypeName(core::MapColumnType(ArrayColumn(1041, 869, -1, 1))), "VARCHAR[]");
  EXPECT_EQ(DuckDbTypeName(core::MapColumnType(ArrayColumn(1185, 1184, -1, 1))), "TIMESTAMPTZ[]");
  EXPECT_EQ(DuckDbTypeName(T(LogicalKind::kInterval)), "INTERVAL");
}

// One single-column table per type; each text appended as a row, read back as DuckDB's VARCHAR.
class AppendTest : public ::testing::Test {
 protected:
  AppendTest() : db_(Database::Open(":memory:", "")), conn_(db_.raw()) {}

  // The rows as DuckDB shows them (CAST(v AS VARCHAR) in insertion order), and the reject
  // reasons AppendDatum returned ("" for none).
  std::vector<std::optional<std::string>> RoundTrip(const LogicalType& type,
                                                    const std::vector<core::Datum>& texts,
                                                    std::vector<std::string>* rejects = nullptr) {
    conn_.Query("CREATE OR REPLACE TABLE t (n INTEGER, v " + DuckDbTypeName(type) + ")");
    {
      Appender app(conn_.raw(), "", "main", "t");
      int n = 0;
      for (const auto& text : texts) {
        app.Check(duckdb_append_int32(app.raw(), n++), "n");
        const auto why = AppendDatum(app, type, text);
        if (rejects) rejects->push_back(why.value_or(""));
        app.EndRow();
      }
      app.Close();
    }
    auto r = conn_.Query("SELECT CAST(v AS VARCHAR) FROM t ORDER BY n");
    std::vector<std::optional<std::string>> out;
    for (uint64_t i = 0; i < r.rows(); ++i) out.push_back(r.GetString(i, 0));
    return out;
  }

  Database db_;
  Connection conn_;
};

using Rows = std::vector<std::optional<std::string>>;

TEST_F(AppendTest, IntegerLists) {
  const LogicalType ints = core::MapColumnType(ArrayColumn(1007, 23, -1, 1));
  EXPECT_EQ(RoundTrip(ints, {"{1,2,NULL}", "{}", std::nullopt, "{-2147483648}"}),
            (Rows{"[1, 2, NULL]", "[]", std::nullopt, "[-2147483648]"}));
}

TEST_F(AppendTest, MultidimensionalLists) {
  const LogicalType matrix = core::MapColumnType(ArrayColumn(1007, 23, -1, 2));
  EXPECT_EQ(RoundTrip(matrix, {"{{1,2},{3,4}}", "{{NULL,5}}", "{}"}),
            (Rows{"[[1, 2], [3, 4]]", "[[NULL, 5]]", "[]"}));
  const LogicalType cube = core::MapColumnType(ArrayColumn(1009, 25, -1, 3));
  EXPECT_EQ(RoundTrip(cube, {R"({{{"a b",c}},{{NULL,"NULL"}}})"}),
            (Rows{"[[[a b, c]], [[NULL, 'NULL']]]"}));
  // The quoted "NULL" is a string, the bare one a null element: list_extract tells them apart.
  auto r = conn_.Query("SELECT v[2][1][1] IS NULL, v[2][1][2] FROM t");
  EXPECT_EQ(r.GetString(0, 0), "true");
  EXPECT_EQ(r.GetString(0, 1), "NULL");
}

TEST_F(AppendTest, RejectedListsAreNullWithAReason) {
  const LogicalType decimals = core::MapColumnType(ArrayColumn(1231, 1700, -1, 1));
  std::vector<std::string> rejects;
  EXPECT_EQ(RoundTrip(decimals,
                      {"{1.5,NaN}", "{0.000000001,-12345678901234567890123456789.5}", "{{1}}",
                       "[0:0]={1}"},
                      &rejects),
            (Rows{std::nullopt, "[0.000000001, -12345678901234567890123456789.500000000]",
                  std::nullopt, std::nullopt}));
  ASSERT_EQ(rejects.size(), 4u);
  EXPECT_NE(rejects[0].find("NaN"), std::string::npos) << rejects[0];
  EXPECT_EQ(rejects[1], "");
  EXPECT_NE(rejects[2].find("dimension"), std::string::npos) << rejects[2];
  EXPECT_NE(rejects[3].find("[0:0]"), std::string::npos) << rejects[3];
}

TEST_F(AppendTest, ListsOfEveryElementKind) {
  struct Case {
    core::Column column;
    std::string text;
    std::string shown;  // DuckDB's VARCHAR of the list (it quotes items holding spaces, ':', ...)
  };
  const std::vector<Case> cases = {
      {ArrayColumn(1000, 16, -1, 1), "{t,f,NULL}", "[true, false, NULL]"},
      {ArrayColumn(1005, 21, -1, 1), "{-32768,32767}", "[-32768, 32767]"},
      {ArrayColumn(1016, 20, -1, 1), "{-9223372036854775808}", "[-9223372036854775808]"},
      {ArrayColumn(1021, 700, -1, 1), "{1.5,NaN,-Infinity}", "[1.5, nan, -inf]"},
      {ArrayColumn(1022, 701, -1, 1), "{0.1,Infinity}", "[0.1, inf]"},
      {ArrayColumn(1231, 1700, ((5 << 16) | 2) + 4, 1), "{-999.99,0.01}", "[-999.99, 0.01]"},
      {ArrayColumn(1009, 25, -1, 1), "{\"\",h\xc3\xa9,\"x\\\\y\"}", "['', h\xc3\xa9, x\\y]"},
      {ArrayColumn(3807, 3802, -1, 1), R"({"{\"a\": null}","null",NULL})",
       R"([{"a": null}, null, NULL])"},
      {ArrayColumn(1001, 17, -1, 1), R"({"\\x00ff",NULL})", R"([\x00\xFF, NULL])"},
      {ArrayColumn(1182, 1082, -1, 1), R"({infinity,"0044-03-15 BC",-infinity})",
       "[infinity, '0044-03-15 (BC)', -infinity]"},
      {ArrayColumn(1183, 1083, -1, 1), "{24:00:00,00:00:00.000001}",
       "['24:00:00', '00:00:00.000001']"},
      {ArrayColumn(1115, 1114, -1, 1), R"({"2024-02-29 23:59:59.999999",-infinity})",
       "['2024-02-29 23:59:59.999999', -infinity]"},
      {ArrayColumn(1187, 1186, -1, 1), R"({"1 year 2 mons -3 days +04:05:06"})",
       "['1 year 2 months -3 days 04:05:06']"},
      {ArrayColumn(2951, 2950, -1, 1), "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
       "[a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11]"},
      {ArrayColumn(1041, 869, -1, 1), "{10.0.0.1/8,::1}", "[10.0.0.1/8, '::1']"},
      {ArrayColumn(1020, 603, -1, 1), "{(1,1),(0,0);(2,2),(1,1)}",
       "['(1,1),(0,0)', '(2,2),(1,1)']"},
  };
  for (const auto& c : cases) {
    const LogicalType type = core::MapColumnType(c.column);
    std::vector<std::string> rejects;
    EXPECT_EQ(RoundTrip(type, {c.text}, &rejects), (Rows{c.shown})) << c.text;
    EXPECT_EQ(rejects, std::vector<std::string>{""}) << c.text;
  }
  // timestamptz elements are instants: compare them in UTC.
  const LogicalType stamps = core::MapColumnType(ArrayColumn(1185, 1184, -1, 1));
  RoundTrip(stamps, {R"({"2000-01-01 05:45:00+05:45",infinity})"});
  auto r =
      conn_.Query("SELECT CAST(v[1] AT TIME ZONE 'UTC' AS VARCHAR), CAST(v[2] AS VARCHAR) FROM t");
  EXPECT_EQ(r.GetString(0, 0), "2000-01-01 00:00:00");
  EXPECT_EQ(r.GetString(0, 1), "infinity");
}

TEST_F(AppendTest, ManyListsDoNotLeakOrFail) {
  // Thousands of nested values created and destroyed per row (run under ASan to see leaks).
  const LogicalType matrix = core::MapColumnType(ArrayColumn(1009, 25, -1, 2));
  std::vector<core::Datum> texts(2000, std::string(R"({{"a",NULL,"c"},{"d","e","f"}})"));
  const auto rows = RoundTrip(matrix, texts);
  ASSERT_EQ(rows.size(), 2000u);
  EXPECT_EQ(rows.back(), "[[a, NULL, c], [d, e, f]]");
}

}  // namespace
}  // namespace wharf::load::duckdb
