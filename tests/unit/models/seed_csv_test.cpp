// Tests of seed CSV parsing and dbt's type inference for seeds (models/seeds). The expected
// types and values are what dbt-common's type tester (agate 1.9, isodate 0.7) gives for the
// same file, and the SQL types those of dbt-postgres and dbt-duckdb.
#include "models/seeds/seed_csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"

namespace wharf::models::seeds {
namespace {

using Column = std::vector<std::optional<std::string>>;

SeedTable Parse(std::string_view text, const std::map<std::string, std::string>& types = {},
                char delimiter = ',') {
  return ParseSeed(text, "seeds/x.csv", types, delimiter);
}

// Column `c` of the table, top to bottom.
Column Values(const SeedTable& table, size_t c) {
  Column out;
  for (const auto& row : table.rows) out.push_back(row.at(c));
  return out;
}

// A one-column seed of `values` (each written quoted, so commas and spaces stay in the value).
SeedTable OneColumn(const std::vector<std::string>& values) {
  std::string text = "c\n";
  for (const auto& v : values) text += "\"" + v + "\"\n";
  return Parse(text);
}

// The message of the kConfig wharf::Error parsing `text` throws ("" if none).
std::string ErrorOf(std::string_view text, char delimiter = ',') {
  try {
    Parse(text, {}, delimiter);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    return e.message();
  }
  ADD_FAILURE() << "no error parsing: " << text;
  return "";
}

const std::nullopt_t null = std::nullopt;

// ---- CSV ----

TEST(SeedCsv, QuotedFieldsWithCommasEscapesAndNewlines) {
  const auto t = Parse("id,name,note\n1,\"Smith, J\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\"\"\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(Values(t, 1), (Column{"Smith, J", "two\nlines"}));
  EXPECT_EQ(Values(t, 2), (Column{"say \"hi\"", null}));
}

TEST(SeedCsv, QuotesOutsideAQuotedStartAreLiteral) {
  // Python's csv (not strict): text after a closing quote joins the field, and a quote in the
  // middle of an unquoted field is a plain character.
  const auto t = Parse("a,b\n\"ab\"c,x\"y\"z\n");
  EXPECT_EQ(Values(t, 0), (Column{"abc"}));
  EXPECT_EQ(Values(t, 1), (Column{"x\"y\"z"}));
}

TEST(SeedCsv, LineEndingsCrlfLfCrAndNoFinalNewline) {
  const Column expected{"x", "y", "z"};
  EXPECT_EQ(Values(Parse("a\nx\ny\nz\n"), 0), expected);
  EXPECT_EQ(Values(Parse("a\r\nx\r\ny\r\nz\r\n"), 0), expected);
  EXPECT_EQ(Values(Parse("a\rx\ry\rz"), 0), expected);
  EXPECT_EQ(Values(Parse("a\nx\ny\nz"), 0), expected);
  EXPECT_EQ(Values(Parse("a,b\r\nx,1"), 1), (Column{"1"}));
  // Universal newlines: a CRLF inside a quoted field is read as LF, as dbt reads it.
  EXPECT_EQ(Values(Parse("a\r\n\"x\r\ny\"\r\n"), 0), (Column{"x\ny"}));
}

TEST(SeedCsv, BomIsDropped) {
  const auto t = Parse("\xEF\xBB\xBFid,name\n1,a\n");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(t.types[0], SeedType::kNumber);
}

TEST(SeedCsv, HeaderWithQuotedNames) {
  const auto t = Parse("\"id\",\"first, last\",\"say \"\"x\"\"\", plain \n1,2,3,4\n");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"id", "first, last", "say \"x\"", " plain "}));
}

TEST(SeedCsv, EmptyAndRepeatedHeaderNamesAsAgateNamesThem) {
  // agate's deduplicate: an empty name becomes the column's letter, a repeat gets _2, _3.
  const auto t = Parse(",a,a,\n1,2,3,4\n");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "a_2", "a_3", "d"}));
}

TEST(SeedCsv, DelimiterFromConfig) {
  const auto t = Parse("a;b\n\"1;2\";3\n", {}, ';');
  EXPECT_EQ(Values(t, 0), (Column{"1;2"}));
  EXPECT_EQ(Values(t, 1), (Column{"3"}));
  EXPECT_EQ(Values(Parse("a\tb\nx\ty\n", {}, '\t'), 1), (Column{"y"}));
  EXPECT_NE(ErrorOf("a\n", '"').find("delimiter"), std::string::npos);
}

TEST(SeedCsv, LongRowIsAnErrorNamingFileAndLine) {
  // Line 4: the quoted field of the second row spans lines 2-3.
  const std::string message = ErrorOf("a,b\n\"x\ny\",1\n1,2,3\n");
  EXPECT_EQ(message, "seeds/x.csv:4: this row has 3 fields, but the header has 2 columns");
  EXPECT_NE(ErrorOf("a,b\r\n1,2\r\n\r\n1,2,\r\n").find("seeds/x.csv:4:"), std::string::npos);
}

TEST(SeedCsv, ShortRowsAndBlankLinesArePaddedWithNulls) {
  // agate pads a short row with None; Python's csv gives [] for a blank line, so a blank line
  // (a trailing one too) is a row of nulls in dbt.
  const auto t = Parse("a,b\n1\n\n2,3\n\n");
  EXPECT_EQ(Values(t, 0), (Column{"1", null, "2", null}));
  EXPECT_EQ(Values(t, 1), (Column{null, null, "3", null}));
  EXPECT_EQ(t.types[1], SeedType::kNumber);
}

TEST(SeedCsv, UnterminatedQuoteIsAnError) {
  EXPECT_EQ(ErrorOf("a,b\n1,2\n3,\"open\n4,5\n"),
            "seeds/x.csv:3: a quoted field is not closed by the end of the file (a \" inside a "
            "quoted field is written \"\")");
}

TEST(SeedCsv, EmptyFileBlankHeaderAndBadUtf8AreErrors) {
  EXPECT_EQ(ErrorOf(""), "seeds/x.csv: the seed is empty (no header row)");
  EXPECT_EQ(ErrorOf("\xEF\xBB\xBF"), "seeds/x.csv: the seed is empty (no header row)");
  EXPECT_EQ(ErrorOf("\na,b\n"), "seeds/x.csv:1: the header row is blank");
  EXPECT_NE(ErrorOf("a\nok\n\xC3\x28\n").find("seeds/x.csv:3: not valid UTF-8"), std::string::npos);
  EXPECT_EQ(Values(Parse("a\nd\xC3\xA9j\xC3\xA0\n"), 0), (Column{"d\xC3\xA9j\xC3\xA0"}));
}

// ---- nulls ----

TEST(SeedCsv, EmptyFieldsAndNullWordsAreNull) {
  const auto t = Parse("n,s\n1,\n,x\n\"\",\"  \"\nnull,NULL\n Null ,none\n");
  EXPECT_EQ(Values(t, 0), (Column{"1", null, null, null, null}));
  // Only "" and "null" (stripped, any case): agate's wider defaults (none, na, n/a, ".") are
  // not dbt's null values.
  EXPECT_EQ(Values(t, 1), (Column{null, "x", null, null, "none"}));
  EXPECT_EQ(t.types[0], SeedType::kNumber);
  EXPECT_EQ(t.types[1], SeedType::kText);
}

TEST(SeedCsv, AllNullColumnIsNumberWithoutDecimals) {
  // dbt's Integer refuses "" (a str), Number accepts it as None: an integer column.
  const auto t = Parse("a,b\n1,\n2,null\n");
  EXPECT_EQ(t.types[1], SeedType::kNumber);
  EXPECT_FALSE(t.has_decimals[1]);
  EXPECT_EQ(Values(t, 1), (Column{null, null}));
  EXPECT_EQ(SqlType(t, 1, "postgres"), "integer");
  EXPECT_EQ(SqlType(t, 1, "duckdb"), "integer");
}

TEST(SeedCsv, HeaderOnlySeedIsInteger) {
  // No value is ever tested, so every type survives and dbt's Integer, first, wins.
  const auto t = Parse("a,b\n");
  EXPECT_EQ(t.rows.size(), 0u);
  EXPECT_EQ(t.types, (std::vector<SeedType>{SeedType::kInteger, SeedType::kInteger}));
  EXPECT_EQ(SqlType(t, 0, "postgres"), "integer");
  // A column no row reaches (every row short) is the same.
  EXPECT_EQ(Parse("a,b\nx\n").types[1], SeedType::kInteger);
}

// ---- numbers ----

TEST(SeedCsv, IntegersInAllTheirSpellings) {
  const auto t = OneColumn({"1", "-5", "007", "+5", " 42 ", "1,000", "$5", "-$5", "50%", "1e3",
                            "1_000", "1.0", "--5", "0"});
  EXPECT_EQ(t.types[0], SeedType::kNumber);
  EXPECT_FALSE(t.has_decimals[0]);
  EXPECT_EQ(Values(t, 0), (Column{"1", "-5", "7", "5", "42", "1000", "5", "-5", "50", "1000",
                                  "1000", "1", "5", "0"}));
  EXPECT_EQ(SqlType(t, 0, "postgres"), "integer");
  EXPECT_EQ(SqlType(t, 0, "duckdb"), "integer");
}

TEST(SeedCsv, DecimalsMakeFloat8) {
  const auto t = OneColumn({"1.5", "1.50", "-0.25", "1e-3", "$1,234.56", "\u20AC3.5", "2"});
  EXPECT_EQ(t.types[0], SeedType::kNumber);
  EXPECT_TRUE(t.has_decimals[0]);
  EXPECT_EQ(Values(t, 0), (Column{"1.5", "1.5", "-0.25", "0.001", "1234.56", "3.5", "2"}));
  EXPECT_EQ(SqlType(t, 0, "postgres"), "float8");
  EXPECT_EQ(SqlType(t, 0, "duckdb"), "float8");
}

TEST(SeedCsv, NumbersRoundToPythonsTwentyEightDigits) {
  // agate's Decimal(d) * sign rounds to 28 digits, so this has no decimals left.
  auto t = OneColumn({"1.00000000000000000000000000001"});
  EXPECT_FALSE(t.has_decimals[0]);
  EXPECT_EQ(Values(t, 0), (Column{"1"}));
  t = OneColumn({"12345678901234567890123456789"});
  EXPECT_EQ(Values(t, 0), (Column{"12345678901234567890123456790"}));
}

TEST(SeedCsv, UnicodeDigitsAreNumbersAsPythonsDecimalReadsThem) {
  // Fullwidth and Arabic-Indic digits; underscores are dropped only inside the stripped text.
  const auto t = OneColumn({"\xEF\xBC\x91\xEF\xBC\x92", "\xD9\xA1\xD9\xA2", " 1_000 "});
  EXPECT_EQ(t.types[0], SeedType::kNumber);
  EXPECT_EQ(Values(t, 0), (Column{"12", "12", "1000"}));
  EXPECT_EQ(OneColumn({"_ 3"}).types[0], SeedType::kText);
}

TEST(SeedCsv, MaxPrecisionCapsAtTwentyEightDigits) {
  // agate: when whole + decimal places exceed 28, decimals = 28 - whole places, so over 28
  // whole digits is float8 ...
  EXPECT_TRUE(OneColumn({"1e30"}).has_decimals[0]);
  // ... exactly 28 with a fraction elsewhere is integer (the 0.5 loads as 1, as PostgreSQL
  // casts the numeric dbt binds) ...
  auto t = OneColumn({"1e27", "0.5", "-2.5"});
  EXPECT_FALSE(t.has_decimals[0]);
  EXPECT_EQ(Values(t, 0), (Column{"1000000000000000000000000000", "1", "-3"}));
  // ... and a number past the largest double is skipped (math.isinf on its float).
  t = OneColumn({"8e453", "7"});
  EXPECT_FALSE(t.has_decimals[0]);
  EXPECT_EQ(SqlType(t, 0, "postgres"), "integer");
}

TEST(SeedCsv, NanAndInfinityAreNumbers) {
  const auto t = OneColumn({"2.5", "NaN", "-inf", "Infinity"});
  EXPECT_EQ(t.types[0], SeedType::kNumber);
  EXPECT_TRUE(t.has_decimals[0]);
  EXPECT_EQ(Values(t, 0), (Column{"2.5", "NaN", "-Infinity", "Infinity"}));
}

TEST(SeedCsv, NotNumbers) {
  for (const char* v : {"1 000", "0x1F", "(5)", "5-", "1e", ".", "-", "$", "sNaN", "1.2.3"}) {
    EXPECT_EQ(OneColumn({"1", v}).types[0], SeedType::kText) << v;
  }
}

TEST(SeedCsv, AbsurdlyLongNumberIsAnError) {
  const std::string message = ErrorOf("n\n1\n1e5000\n");
  EXPECT_NE(message.find("seeds/x.csv:3: \"1e5000\" in column \"n\""), std::string::npos);
  // As text (the column is not numeric) it is fine.
  EXPECT_EQ(Values(Parse("n\nx\n1e5000\n"), 0), (Column{"x", "1e5000"}));
}

// ---- booleans, dates, datetimes ----

TEST(SeedCsv, BooleansAreTrueAndFalseOnly) {
  const auto t = OneColumn({"true", "FALSE", " True ", "", "tr,ue"});
  EXPECT_EQ(t.types[0], SeedType::kBoolean);
  EXPECT_EQ(Values(t, 0), (Column{"true", "false", "true", null, "true"}));
  EXPECT_EQ(SqlType(t, 0, "postgres"), "boolean");
  EXPECT_EQ(SqlType(t, 0, "duckdb"), "boolean");
  EXPECT_EQ(OneColumn({"yes", "no"}).types[0], SeedType::kText);
  EXPECT_EQ(OneColumn({"t", "f"}).types[0], SeedType::kText);
  EXPECT_EQ(OneColumn({"true", "1"}).types[0], SeedType::kText);
  EXPECT_EQ(OneColumn({"1", "0"}).types[0], SeedType::kNumber);
}

TEST(SeedCsv, DatesAsStrptimeReadsThem) {
  const auto t = OneColumn({"2024-01-31", "2024-1-5", " 2024-02-29 ", "0001-01-01"});
  EXPECT_EQ(t.types[0], SeedType::kDate);
  EXPECT_EQ(Values(t, 0), (Column{"2024-01-31", "2024-01-05", "2024-02-29", "0001-01-01"}));
  EXPECT_EQ(SqlType(t, 0, "postgres"), "date");
  EXPECT_EQ(SqlType(t, 0, "duckdb"), "date");
  for (const char* v : {"2023-02-29", "2024-13-01", "2024-00-10", "24-01-01", "2024/01/01",
                        "0000-01-01", "2024-01-32"}) {
    EXPECT_EQ(OneColumn({"2024-01-01", v}).types[0], SeedType::kText) << v;
  }
}

TEST(SeedCsv, DatetimesWithASpace) {
  const auto t = OneColumn({"2024-01-01 10:00:00", "2024-01-01\t1:2:3", "2024-1-5  23:59:59"});
  EXPECT_EQ(t.types[0], SeedType::kDateTime);
  EXPECT_EQ(Values(t, 0),
            (Column{"2024-01-01 10:00:00", "2024-01-01 01:02:03", "2024-01-05 23:59:59"}));
  EXPECT_EQ(SqlType(t, 0, "postgres"), "timestamp without time zone");
  EXPECT_EQ(SqlType(t, 0, "duckdb"), "timestamp without time zone");
  // The strptime format has no fraction, no zone, and needs the seconds.
  for (const char* v : {"2024-01-01 10:00:00.5", "2024-01-01 10:00", "2024-01-01 24:00:00",
                        "2024-01-01 10:00:60", "2024-01-01 10:00:00Z"}) {
    EXPECT_EQ(OneColumn({"2024-01-01 10:00:00", v}).types[0], SeedType::kText) << v;
  }
}

TEST(SeedCsv, IsoDatetimes) {
  const auto t = OneColumn({
      "2024-01-01T10:00:00",
      "2024-01-01T10:00:00.123456789",  // floored to microseconds
      "20240101T1030",
      "2024-W01-1T10",              // ISO week date
      "2024-060T10:30:15Z",         // ordinal date, UTC
      "2024-01-01T01:00:00+02:00",  // to UTC: the day before
      "2024-01-01T10:30.25-0530",   // fractional minutes
      "2024-01T10,5",               // year-month, fractional hours
  });
  EXPECT_EQ(t.types[0], SeedType::kDateTime);
  EXPECT_EQ(Values(t, 0),
            (Column{"2024-01-01 10:00:00", "2024-01-01 10:00:00.123456", "2024-01-01 10:30:00",
                    "2024-01-01 10:00:00", "2024-02-29 10:30:15", "2023-12-31 23:00:00",
                    "2024-01-01 16:00:15", "2024-01-01 10:30:00"}));
  for (const char* v : {"2024-01-01t10:00", "2024-01-01T24:00", "2024-01-01T10:00:00 Z",
                        "2024-01-01T", "T10:00", "2024-01-01T10:00:00+05:"}) {
    EXPECT_EQ(OneColumn({"2024-01-01T10:00:00", v}).types[0], SeedType::kText) << v;
  }
}

TEST(SeedCsv, IsoDatetimeThatCannotBeStoredIsAnError) {
  // isodate reads offsets up to +99:99; Python (so dbt) fails when one of a day or more is used.
  EXPECT_NE(ErrorOf("t\n2024-01-01T10:00\n2024-01-01T10:00:00+24:00\n").find("seeds/x.csv:3:"),
            std::string::npos);
  EXPECT_NE(ErrorOf("t\n9999-12-31T23:30-01:00\n").find("outside years 1-9999"), std::string::npos);
}

// ---- mixed columns, overrides ----

TEST(SeedCsv, MixedColumnsFallBackToText) {
  const auto t = Parse(
      "n,d,dt,b\n"
      "1,2024-01-01,2024-01-01T10:00:00,true\n"
      "x, 2024-01-01 10:00:00 ,2024-01-01 10:00:00,1\n");
  EXPECT_EQ(t.types, (std::vector<SeedType>(4, SeedType::kText)));
  // Text keeps values as written, spaces included.
  EXPECT_EQ(Values(t, 1), (Column{"2024-01-01", " 2024-01-01 10:00:00 "}));
  EXPECT_EQ(SqlType(t, 0, "postgres"), "text");
  EXPECT_EQ(SqlType(t, 0, "duckdb"), "text");
}

TEST(SeedCsv, NumbersWinOverDatesAndBooleansNeverMix) {
  // "20240101" is a number before it is an ISO basic date; dates and numbers mixed are text.
  EXPECT_EQ(OneColumn({"20240101"}).types[0], SeedType::kNumber);
  EXPECT_EQ(OneColumn({"2024-01-01", "5"}).types[0], SeedType::kText);
}

TEST(SeedCsv, ColumnTypesAreNotInferred) {
  const auto t = Parse("zip,n,when\n007, 1.50 ,2024-01-01\n,null,NULL\n",
                       {{"zip", "varchar(5)"}, {"n", "numeric(10,2)"}});
  EXPECT_EQ(t.types, (std::vector<SeedType>{SeedType::kText, SeedType::kText, SeedType::kDate}));
  EXPECT_EQ(Values(t, 0), (Column{"007", null}));  // as written, but blank is still null
  EXPECT_EQ(Values(t, 1), (Column{" 1.50 ", null}));
  EXPECT_EQ(Values(t, 2), (Column{"2024-01-01", null}));
}

// ---- SQL types ----

TEST(SeedCsv, SqlTypesForBothAdapters) {
  const auto t = Parse(
      "i,f,b,d,ts,s,e\n"
      "1,1.5,true,2024-01-01,2024-01-01 00:00:00,x,\n");
  const std::vector<std::string> expected = {
      "integer", "float8", "boolean", "date", "timestamp without time zone", "text", "integer"};
  for (const char* adapter : {"postgres", "duckdb"}) {
    for (size_t c = 0; c < expected.size(); ++c) {
      EXPECT_EQ(SqlType(t, c, adapter), expected[c]) << adapter << " column " << c;
    }
  }
  EXPECT_EQ(SeedTypeName(t.types[4]), "datetime");
  try {
    SqlType(t, 0, "snowflake");
    ADD_FAILURE() << "no error for an unknown adapter";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
  }
}

// ---- size ----

TEST(SeedCsv, HundredThousandRowsParse) {
  std::string text = "id,amount,flag,day,name\n";
  for (int i = 0; i < 100'000; ++i) {
    text += std::to_string(i) + "," + std::to_string(i) + ".25," + (i % 2 ? "true" : "false") +
            ",2024-01-" + std::to_string(1 + i % 28) + ",\"name " + std::to_string(i) + "\"\n";
  }
  const auto t = Parse(text);
  ASSERT_EQ(t.rows.size(), 100'000u);
  EXPECT_EQ(t.types, (std::vector<SeedType>{SeedType::kNumber, SeedType::kNumber,
                                            SeedType::kBoolean, SeedType::kDate, SeedType::kText}));
  EXPECT_EQ(t.rows.back(), (Column{"99999", "99999.25", "true", "2024-01-12", "name 99999"}));
}

}  // namespace
}  // namespace wharf::models::seeds
