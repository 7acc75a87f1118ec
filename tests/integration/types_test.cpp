// Every built-in type from PostgreSQL to DuckDB (DESIGN.md "Values: lossless from source to
// warehouse"): the full load and the stream land identical values, equal to texts expected
// independently of wharf's converters (`wharf validate` uses those same converters, so it alone
// would not catch a converter that is wrong both ways); values the DuckDB type cannot hold are
// NULL and listed in _wharf.rejects; target.numeric: string|double reach the warehouse.
//
// The stream half runs after the database's defaults were changed to everything wharf must not
// depend on (bytea_output=escape, TimeZone=Asia/Kathmandu, DateStyle='SQL, DMY',
// IntervalStyle=sql_standard, extra_float_digits=0): wharf's own sessions must override them.
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "types_data.hpp"

namespace wharf::test {
namespace {

class Types : public WharfTest {
 protected:
  // Defaults a new session of this database gets unless it sets its own.
  void SkewDatabaseDefaults() {
    for (const char* setting :
         {"bytea_output = 'escape'", "TimeZone = 'Asia/Kathmandu'", "DateStyle = 'SQL, DMY'",
          "IntervalStyle = 'sql_standard'", "extra_float_digits = 0"}) {
      PgRun("ALTER DATABASE " + db_ + " SET " + setting);
    }
    // The harness's own sessions now see them too.
    ASSERT_EQ(Pg("SELECT '\\xdead'::bytea::text, current_setting('TimeZone')")[0],
              (std::vector<std::optional<std::string>>{"\\336\\255", "Asia/Kathmandu"}));
  }

  // Copies rows with id < 100 to id + 100 in a session whose own settings differ from wharf's.
  // INSERT ... SELECT copies the stored values, so the streamed rows must land exactly as the
  // full-load rows did.
  void CopyRowsInSkewedSession(const std::string& table, const std::string& columns) {
    const std::string skew =
        "SET TimeZone = 'Asia/Kathmandu'; SET DateStyle = 'German'; SET IntervalStyle = "
        "'iso_8601'; SET extra_float_digits = -15; SET bytea_output = 'escape';";
    PgRun(skew + "INSERT INTO " + table + " SELECT id + 100, " + columns + " FROM " + table +
          " WHERE id < 100");
  }

  // Rows of `table` whose column `c` differs between id and id + 100, by native comparison and
  // by text (DuckDB compares INTERVALs normalised, so '1 month -30 days' = '0 days' natively).
  // Columns whose values differ between rows of `table` and the rows of
  // `other` whose id is `offset` higher (the same table by default: streamed
  // copies of full-load rows), as a space-separated list; "" when none.
  std::string Mismatches(const std::string& table, const std::vector<std::string>& columns,
                         const std::string& other = "", int offset = 100) {
    std::string sql = "SELECT ''";
    for (const auto& c : columns) {
      sql += " || CASE WHEN count(*) FILTER (WHERE a.\"" + c + "\" IS DISTINCT FROM b.\"" + c +
             "\" OR CAST(a.\"" + c + "\" AS VARCHAR) IS DISTINCT FROM CAST(b.\"" + c +
             "\" AS VARCHAR)) > 0 THEN '" + c + " ' ELSE '' END";
    }
    sql += " FROM " + table + " a JOIN " + (other.empty() ? table : other) +
           " b ON b.id = a.id + " + std::to_string(offset);
    return Str(Duck(sql)[0][0]);
  }
};

// kSchema, kColumns and kRows: types_data.hpp (shared with the conformance suite).

using Row = std::vector<std::optional<std::string>>;
const std::nullopt_t kNull = std::nullopt;

// A DuckDB expression over the landed row, and what it must show for rows 1 to 4. Lists are
// shown through to_json, whose text tells a NULL element (null) from the string "NULL".
struct Expected {
  std::string expr;
  Row rows;
};

std::string ListOf(const std::string& column, const std::string& element_expr) {
  return "to_json(list_transform(" + column + ", lambda x: " + element_expr + "))";
}

const std::vector<Expected>& ExpectedValues() {
  static const std::vector<Expected> expected = {
      {"i2", {"32767", "-32768", kNull, "0"}},
      {"i4", {"2147483647", "-2147483648", kNull, "0"}},
      {"i8", {"9223372036854775807", "-9223372036854775808", kNull, "0"}},
      {"o", {"4294967295", "0", kNull, "0"}},
      {"f4", {"3.4028235e+38", "-inf", kNull, "nan"}},
      {"f8", {"1.7976931348623157e+308", "nan", kNull, "inf"}},
      {"n", {"12345678901234567890123456789.123456789", "-0.000000001", kNull, "4713.000000000"}},
      {"n_p", {"123456789.125", "-999999999.999", kNull, "0.001"}},
      // numeric(50,10) is wider than DuckDB's DECIMAL: exact text, NaN included.
      {"n_wide",
       {"1234567890123456789012345678901234567890.0123456789",
        "-1234567890123456789012345678901234567890.0123456789", kNull, "NaN"}},
      // money under lc_monetary=C, its extremes included.
      {"m", {"$92,233,720,368,547,758.07", "-$92,233,720,368,547,758.08", kNull, "$0.00"}},
      {"t", {"héllo ☃ 😀 \"q\" \\ end", "", kNull, "NULL"}},
      {"vc", {"abc", "", kNull, "NULL"}},
      {"ch", {"ab  ", "    ", kNull, "x   "}},  // char(4) keeps PostgreSQL's padding
      {"b", {"true", "false", kNull, kNull}},
      {"hex(\"by\")", {"DEADBEEF00", "", kNull, "00"}},
      // SQL NULL, JSON null and nested nulls stay apart; big integers keep every digit.
      {"CAST(js AS VARCHAR)",
       {"{\"a\": null, \"n\": 12345678901234567890, \"deep\": {\"x\": [null, {\"y\": null}]}}",
        "null", kNull, "\"str\""}},
      {"CAST(jb AS VARCHAR)",
       {"{\"a\": null, \"n\": 12345678901234567890, \"deep\": {\"x\": [null, {\"y\": null}]}}",
        "[]", "null", "{\"k\": [1, null, \"x\"]}"}},
      {"CAST(d AS VARCHAR)", {"0044-03-15 (BC)", "infinity", kNull, "4713-11-24 (BC)"}},
      {"CAST(ts AS VARCHAR)",
       {"2024-02-29 23:59:59.999999", "-infinity", kNull, "0044-03-15 (BC) 12:00:00"}},
      // Instants, shown in UTC; the last had a local-mean-time offset of +05:41:16.
      {"CAST(tz AT TIME ZONE 'UTC' AS VARCHAR)",
       {"2000-01-01 00:00:00", "infinity", kNull, "1899-12-31 18:18:44"}},
      {"CAST(tm AS VARCHAR)", {"24:00:00", "00:00:00", kNull, "12:34:56.789"}},
      {"ttz", {"23:59:59.999999+15:59", "00:00:00-15:59", kNull, "12:00:00+05:45"}},
      // Months, days and microseconds kept apart, at PostgreSQL's extremes.
      {"CAST(iv AS VARCHAR)",
       {"178956970 years 7 months 2147483647 days 2562047788:00:54.775807", "1 month -30 days",
        kNull, "-178956970 years -8 months -2147483648 days -2562047788:00:54.775807"}},
      {"CAST(u AS VARCHAR)",
       {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000", kNull,
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}},
      {"ip", {"192.168.1.1/24", "::1", kNull, "0.0.0.0/0"}},
      {"cid", {"10.0.0.0/8", "::/0", kNull, "192.168.0.0/16"}},
      {"mac", {"08:00:2b:01:02:03", "ff:ff:ff:ff:ff:ff", kNull, "00:00:00:00:00:00"}},
      {"bt", {"1010", "0000", kNull, "1111"}},
      {"vb", {"10101", "", kNull, "1"}},
      {"to_json(a_int)", {"[1,2,null]", "[]", kNull, "[-2147483648,2147483647]"}},
      {"to_json(a_text)",
       {R"(["a b","c\"d",null,"NULL","","x\\y","{}"])", "[]", "[null]",
        R"(["\\\\","\"",",",";","{","}"," "])"}},
      {"to_json(a_2d)", {"[[1,2],[3,4]]", "[]", kNull, "[[null,null]]"}},
      {"CAST(a_num AS VARCHAR)",
       {"[1.500000000, -2.250000000, NULL]", "[]", kNull, "[0.000000001]"}},
      {ListOf("a_tz", "CAST(x AT TIME ZONE 'UTC' AS VARCHAR)"),
       {R"(["2000-01-01 00:00:00","infinity",null])", "[]", kNull,
        R"(["0044-03-15 (BC) 12:00:00","1899-12-31 18:18:44"])"}},
      {"to_json(a_inet)", {R"(["10.0.0.1/8","::1"])", "[]", kNull, "[null]"}},
      // JSON elements as their text: the JSON null element is the text null, SQL NULL is null.
      {ListOf("a_jb", "CAST(x AS VARCHAR)"),
       {R"(["{\"a\": null, \"n\": 12345678901234567890}","null",null])", "[]", "[null]",
        R"(["[]","{}","\"\""])"}},
      {"to_json(a_box)", {R"j(["(1,1),(0,0)","(2,2),(1,1)"])j", "[]", kNull, "[null]"}},
      {ListOf("a_bytea", "hex(x)"), {R"(["DEAD",null,""])", "[]", kNull, R"(["00FF"])"}},
      {"e", {"happy", "sad", kNull, "ok"}},
      {"to_json(a_e)", {R"(["sad","happy",null])", "[]", kNull, R"(["ok"])"}},
      {"dom", {"5", "1", kNull, "2147483647"}},
      {"CAST(dom_num AS VARCHAR)", {"12345678.91", "-99999999.99", kNull, "0.00"}},
      {"to_json(dom_arr)", {"[7,8]", "[]", kNull, "[null]"}},
      {"to_json(a_dom)", {"[1,2]", "[]", kNull, "[null,3]"}},
      {"comp", {R"((1,"x, ""y"""))", "(,)", kNull, R"((-1,""))"}},
      {"rng", {"[1,10)", "empty", kNull, "(,)"}},
      {"tsv", {"'a' 'cat' 'fat'", "", kNull, "'a':1A 'b':2"}},
      {"x", {"<a>1</a>", "", kNull, "<x/>"}},
      // A domain over int[][] declares two dimensions (pg_type.typndims), its column none.
      {"to_json(dom_mat)", {"[[1,2],[3,4]]", "[]", kNull, "[[null]]"}},
      // An array of a domain over numeric(10,2): the element's typmod comes from the domain.
      {"CAST(a_price AS VARCHAR)", {"[1.50, NULL]", "[]", kNull, "[-99999999.99]"}},
  };
  return expected;
}

// DuckDB column types of the default mapping.
const std::vector<std::pair<std::string, std::string>> kDuckTypes = {
    {"i2", "SMALLINT"},
    {"o", "BIGINT"},
    {"f4", "FLOAT"},
    {"n", "DECIMAL(38,9)"},
    {"n_p", "DECIMAL(12,3)"},
    {"n_wide", "VARCHAR"},
    {"m", "VARCHAR"},
    {"by", "BLOB"},
    {"jb", "JSON"},
    {"tz", "TIMESTAMP WITH TIME ZONE"},
    {"tm", "TIME"},
    {"ttz", "VARCHAR"},
    {"iv", "INTERVAL"},
    {"u", "UUID"},
    {"ip", "VARCHAR"},
    {"a_int", "INTEGER[]"},
    {"a_text", "VARCHAR[]"},
    {"a_2d", "INTEGER[][]"},
    {"a_num", "DECIMAL(38,9)[]"},
    {"a_tz", "TIMESTAMP WITH TIME ZONE[]"},
    {"a_inet", "VARCHAR[]"},
    {"a_jb", "JSON[]"},
    {"a_box", "VARCHAR[]"},
    {"a_bytea", "BLOB[]"},
    {"e", "VARCHAR"},
    {"a_e", "VARCHAR[]"},
    {"dom", "INTEGER"},
    {"dom_num", "DECIMAL(10,2)"},
    {"dom_arr", "INTEGER[]"},
    {"a_dom", "INTEGER[]"},
    {"comp", "VARCHAR"},
    {"rng", "VARCHAR"},
    {"dom_mat", "INTEGER[][]"},
    {"a_price", "DECIMAL(10,2)[]"}};

// (key, column, raw text) of every value the default mapping must reject, for rows 5-10.
struct ExpectedReject {
  int id;
  std::string column;
  std::string raw;
};
std::vector<ExpectedReject> ExpectedRejects() {
  return {
      {5, "n", "NaN"},
      {5, "n_p", "NaN"},
      {5, "a_int", "[0:1]={1,2}"},
      {5, "a_2d", "{1,2}"},
      {5, "a_num", "{1.5,NaN}"},
      {5, "ts", "294276-12-31 23:59:59.999999"},
      {6, "n", "Infinity"},
      {6, "a_int", "{{1,2},{3,4}}"},
      {6, "a_2d", "{{{1}}}"},
      {6, "a_num", "{0.0000000001}"},
      {7, "n", "-Infinity"},
      {8, "n", "1" + std::string(999, '0')},
      {9, "n", "-0." + std::string(998, '0') + "1"},
      {10, "n", "1" + std::string(29, '0') + ".5"},
  };
}

// The same in every staged format: the values must come back from CSV's text and Parquet's
// typed columns exactly as from JSON lines.
class TypesInFormat : public Types, public ::testing::WithParamInterface<const char*> {};

TEST_P(TypesInFormat, EveryTypeLandsExactlyFromFullLoadAndStream) {
  staging_format_ = GetParam();
  PgRun(kSchema);
  PgRun(kRows);
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;

  ASSERT_NO_FATAL_FAILURE(SkewDatabaseDefaults());
  CopyRowsInSkewedSession("typed", kColumns);
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(Duck("SELECT count(*) FROM public.typed")[0][0], "20");

  for (const auto& [column, type] : kDuckTypes) {
    EXPECT_EQ(Duck("SELECT data_type FROM information_schema.columns WHERE table_name = 'typed'"
                   " AND column_name = '" +
                   column + "'")[0][0],
              type)
        << column;
  }

  // (1) Values equal independently expected texts, in full-load rows (1-4) and streamed ones.
  std::string select;
  for (const auto& e : ExpectedValues()) select += (select.empty() ? "" : ", ") + e.expr;
  const Rows landed =
      Duck("SELECT " + select + " FROM public.typed WHERE id % 100 BETWEEN 1 AND 4 ORDER BY id");
  ASSERT_EQ(landed.size(), 8u);
  for (size_t row = 0; row < landed.size(); ++row) {
    const int id = static_cast<int>(row % 4) + 1 + (row >= 4 ? 100 : 0);
    for (size_t col = 0; col < ExpectedValues().size(); ++col) {
      const Expected& e = ExpectedValues()[col];
      EXPECT_EQ(landed[row][col], e.rows[row % 4]) << "id " << id << ", " << e.expr;
    }
  }

  // (2) Streamed rows equal full-load rows, column by column, rejected values included.
  std::vector<std::string> columns;
  for (const auto& c : Duck("SELECT column_name FROM information_schema.columns WHERE "
                            "table_name = 'typed' AND column_name NOT IN ('id', '_wharf_lsn', "
                            "'_wharf_synced_at') ORDER BY ordinal_position")) {
    columns.push_back(Str(c[0]));
  }
  ASSERT_EQ(columns.size(), 50u);
  EXPECT_EQ(Mismatches("public.typed", columns), "");

  // (3) What the default mapping cannot hold is NULL in the table and listed in _wharf.rejects
  // with its table, key, column and exact raw text, once for the full load and once streamed.
  Rows want;
  for (int offset : {0, 100}) {
    for (const auto& x : ExpectedRejects()) {
      want.push_back({"(id)=(" + std::to_string(x.id + offset) + ")", x.column, x.raw});
      EXPECT_EQ(Duck("SELECT count(*) FROM public.typed WHERE id = " +
                     std::to_string(x.id + offset) + " AND \"" + x.column + "\" IS NULL")[0][0],
                "1")
          << x.id + offset << " " << x.column;
    }
  }
  std::sort(want.begin(), want.end());
  Rows got = Duck(
      "SELECT key, column_name, raw_text FROM _wharf.rejects"
      " WHERE source = 'src' AND table_name = 'public.typed'");
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  // Each reason says why.
  EXPECT_EQ(Duck("SELECT reason FROM _wharf.rejects WHERE key = '(id)=(5)' AND column_name = 'n'"),
            (Rows{{"DECIMAL cannot hold NaN (target DECIMAL(38,9))"}}));
  EXPECT_EQ(Duck("SELECT count(*) FROM _wharf.rejects WHERE reason IS NULL OR reason = ''"
                 " OR lsn IS NULL OR batch_seq IS NULL")[0][0],
            "0");
  // The largest date PostgreSQL has fits DuckDB's DATE.
  EXPECT_EQ(Duck("SELECT CAST(d AS VARCHAR) FROM public.typed WHERE id = 105")[0][0],
            "5874897-12-31");

  // (5) wharf validate agrees (with the same converters; (1) is the independent check).
  ExpectValidateEqual();
}

INSTANTIATE_TEST_SUITE_P(Staging, TypesInFormat, ::testing::Values("jsonl", "csv", "parquet"),
                         [](const auto& info) { return std::string(info.param); });

// A table of scalar columns takes the bulk path (values converted straight
// into DuckDB vectors); one with a list column the value-by-value appender.
// Both must land every value and reject the same ones.
TEST_F(Types, ScalarTypesLandTheSameThroughTheBulkPath) {
  PgRun(kSchema);
  PgRun(kRows);
  PgRun("CREATE TABLE scalars AS SELECT * FROM typed;"
        "ALTER TABLE scalars ADD PRIMARY KEY (id), DROP COLUMN a_int, DROP COLUMN a_text,"
        " DROP COLUMN a_2d, DROP COLUMN a_num, DROP COLUMN a_tz, DROP COLUMN a_inet,"
        " DROP COLUMN a_jb, DROP COLUMN a_box, DROP COLUMN a_bytea, DROP COLUMN a_e,"
        " DROP COLUMN dom_arr, DROP COLUMN a_dom, DROP COLUMN dom_mat, DROP COLUMN a_price,"
        " ADD COLUMN d4 numeric(4,2) DEFAULT -12.34, ADD COLUMN d9 numeric(9,3) DEFAULT 123456.789,"
        " ADD COLUMN d18 numeric(18,0) DEFAULT 999999999999999999;");
  WriteDefaultConfig();
  auto r = RunOnce();  // the full load: fresh rows, appended in bulk
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Streamed inserts of new keys take the same path.
  PgRun("INSERT INTO scalars SELECT id + 1000, i2, i4, i8, o, f4, f8, n, n_p, n_wide, m, t, vc, ch,"
        " b, by, js, jb, d, ts, tz, tm, ttz, iv, u, ip, cid, mac, bt, vb, e, dom, dom_num, comp, rng,"
        " tsv, x, d4, d9, d18 FROM scalars WHERE id < 1000;"
        "INSERT INTO typed SELECT * FROM typed WHERE false;");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;

  std::vector<std::string> columns;
  for (const auto& c : Duck("SELECT column_name FROM information_schema.columns WHERE "
                            "table_name = 'scalars' AND column_name NOT IN ('id', '_wharf_lsn', "
                            "'_wharf_synced_at', 'd4', 'd9', 'd18') ORDER BY ordinal_position")) {
    columns.push_back(Str(c[0]));
  }
  ASSERT_EQ(columns.size(), 36u);
  ASSERT_EQ(Duck("SELECT count(*) FROM public.scalars")[0][0],
            Duck("SELECT 2 * count(*) FROM public.typed")[0][0]);
  for (int offset : {0, 1000}) {
    EXPECT_EQ(Mismatches("public.typed", columns, "public.scalars", offset), "") << "offset " << offset;
  }
  // Decimals of every storage width DuckDB uses (16, 32, 64 and 128 bits).
  EXPECT_EQ(Duck("SELECT DISTINCT CAST(d4 AS VARCHAR), CAST(d9 AS VARCHAR), CAST(d18 AS VARCHAR),"
                 " typeof(d4), typeof(d9), typeof(d18) FROM public.scalars"),
            (Rows{{"-12.34", "123456.789", "999999999999999999", "DECIMAL(4,2)", "DECIMAL(9,3)",
                   "DECIMAL(18,0)"}}));
  // The same values are rejected, with the same raw text, on both paths.
  Rows typed_rejects = Duck(
      "SELECT key, column_name, raw_text, reason FROM _wharf.rejects WHERE table_name = 'public.typed'"
      " AND column_name IN (SELECT column_name FROM information_schema.columns WHERE table_name = "
      "'scalars') ORDER BY ALL");
  Rows scalar_rejects = Duck(
      "SELECT key, column_name, raw_text, reason FROM _wharf.rejects WHERE table_name = "
      "'public.scalars' AND key NOT LIKE '(id)=(10__)' ORDER BY ALL");
  EXPECT_FALSE(scalar_rejects.empty());
  EXPECT_EQ(scalar_rejects, typed_rejects);
  ExpectValidateEqual();
}

// Unconstrained numeric as configured by target.numeric, in columns and in array elements.
class NumericMapping : public Types {
 protected:
  void LoadNumerics(const std::string& mapping) {
    PgRun(R"SQL(
      CREATE TABLE nums (id int PRIMARY KEY, n numeric, a numeric[], p numeric(5,2));
      INSERT INTO nums VALUES
        (1, 'NaN', '{NaN,1.5,NULL}', 123.45),
        (2, 'Infinity', '{Infinity,-Infinity}', -999.99),
        (3, '-Infinity', '{}', NULL),
        (4, ('1' || repeat('0', 999))::numeric, '{0.1}', 0),
        (5, ('-0.' || repeat('0', 998) || '1')::numeric, NULL, 0.01),
        (6, '0.1', '{-0.000000001}', NULL),
        (7, NULL, '{NULL}', NULL);)SQL");
    WriteDefaultConfig();
    {
      // target.numeric goes under target: the default config's target block is last.
      std::ofstream(config_, std::ios::app) << "  numeric: " << mapping << "\n";
    }
    auto r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_NO_FATAL_FAILURE(SkewDatabaseDefaults());
    CopyRowsInSkewedSession("nums", "n, a, p");
    r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_EQ(Duck("SELECT count(*) FROM public.nums")[0][0], "14");
    EXPECT_EQ(Mismatches("public.nums", {"n", "a", "p"}), "");
  }

  Rows Landed(const std::string& expr) {
    return Duck("SELECT " + expr + " FROM public.nums WHERE id % 100 <= 7 ORDER BY id % 100, id");
  }

  // Each full-load row's value followed by its streamed twin's.
  static Rows Twice(const std::vector<std::optional<std::string>>& values) {
    Rows out;
    for (const auto& v : values) {
      out.push_back({v});
      out.push_back({v});
    }
    return out;
  }
};

TEST_F(NumericMapping, StringKeepsEveryValueExact) {
  ASSERT_NO_FATAL_FAILURE(LoadNumerics("string"));
  EXPECT_EQ(Duck("SELECT string_agg(data_type, ',' ORDER BY ordinal_position) FROM "
                 "information_schema.columns WHERE table_name = 'nums' AND column_name IN "
                 "('n', 'a', 'p')")[0][0],
            "VARCHAR,VARCHAR[],DECIMAL(5,2)");
  EXPECT_EQ(Landed("n"), Twice({"NaN", "Infinity", "-Infinity", "1" + std::string(999, '0'),
                                "-0." + std::string(998, '0') + "1", "0.1", kNull}));
  EXPECT_EQ(Landed("to_json(a)"),
            Twice({R"(["NaN","1.5",null])", R"(["Infinity","-Infinity"])", "[]", R"(["0.1"])",
                   kNull, R"(["-0.000000001"])", "[null]"}));
  EXPECT_EQ(Landed("CAST(p AS VARCHAR)"),
            Twice({"123.45", "-999.99", kNull, "0.00", "0.01", kNull, kNull}));
  EXPECT_EQ(Duck("SELECT count(*) FROM _wharf.rejects")[0][0], "0");
  ExpectValidateEqual();
}

TEST_F(NumericMapping, DoubleKeepsSpecialsAndRejectsWhatOverflows) {
  ASSERT_NO_FATAL_FAILURE(LoadNumerics("double"));
  EXPECT_EQ(Duck("SELECT string_agg(data_type, ',' ORDER BY ordinal_position) FROM "
                 "information_schema.columns WHERE table_name = 'nums' AND column_name IN "
                 "('n', 'a', 'p')")[0][0],
            "DOUBLE,DOUBLE[],DECIMAL(5,2)");
  // 10^999 overflows a double: rejected, never turned into infinity. 10^-999 underflows: the
  // nearest double would be 0 or a denormal that is not the value, so it is rejected as well.
  EXPECT_EQ(Landed("CAST(n AS VARCHAR)"),
            Twice({"nan", "inf", "-inf", kNull, kNull, "0.1", kNull}));
  EXPECT_EQ(Landed("CAST(a AS VARCHAR)"),
            Twice({"[nan, 1.5, NULL]", "[inf, -inf]", "[]", "[0.1]", kNull, "[-1e-09]", "[NULL]"}));
  Rows rejects = Duck("SELECT key, column_name, raw_text FROM _wharf.rejects ORDER BY lsn, key");
  std::sort(rejects.begin(), rejects.end());
  EXPECT_EQ(rejects, (Rows{{"(id)=(104)", "n", "1" + std::string(999, '0')},
                           {"(id)=(105)", "n", "-0." + std::string(998, '0') + "1"},
                           {"(id)=(4)", "n", "1" + std::string(999, '0')},
                           {"(id)=(5)", "n", "-0." + std::string(998, '0') + "1"}}));
  ExpectValidateEqual();
}

}  // namespace
}  // namespace wharf::test
