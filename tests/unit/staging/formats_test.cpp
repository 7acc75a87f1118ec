// Tests of the CSV and Parquet staged formats (staging/csv.hpp, staging/parquet.hpp) and the
// encoder/reader factory the BatchWriter and the loader use (staging/format.hpp): round trips of
// every op and of awkward values, NULL vs empty vs the marker's own text, reads split at every
// byte, every truncation point refused, and Parquet's typed columns giving back the exact text.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "core/pg_types.hpp"
#include "load/duckdb/duckdb_handle.hpp"
#include "staging/csv.hpp"
#include "staging/format.hpp"
#include "staging/local_store.hpp"
#include "staging/parquet.hpp"
#include "unit/support/sample_changes.hpp"
#include "unit/support/temp_dir.hpp"

namespace wharf::staging {
namespace {

using core::Change;
using core::Datum;
using core::Op;

core::RelationSchema Schema() { return test::SampleSchema(); }
Change Base(Op op, uint32_t seq = 3) { return test::SampleChange(op, seq); }
void ExpectSame(const Change& want, const Change& got, const std::string& what = "") {
  test::ExpectSameChange(want, got, what);
}

// One change of every op and shape a batch can hold.
std::vector<Change> EveryOp() {
  std::vector<Change> out;
  Change i = Base(Op::kInsert, 0);
  i.row = {"1", "hello", std::nullopt, "x"};
  out.push_back(i);
  Change u = Base(Op::kUpdate, 1);  // key change: old key sent; two TOAST columns unchanged
  u.row = {"2", "new", std::nullopt, std::nullopt};
  u.old = {"1", std::nullopt, std::nullopt, std::nullopt};
  u.has_old = true;
  u.unchanged = {2, 3};
  out.push_back(u);
  Change uf = Base(Op::kUpdate, 2);  // REPLICA IDENTITY FULL: the whole old row
  uf.row = {"2", "newer", "b", "w"};
  uf.old = {"2", "new", std::nullopt, "w"};
  uf.has_old = true;
  uf.old_kind = 'O';
  out.push_back(uf);
  Change un = Base(Op::kUpdate, 3);  // no old sent
  un.row = {"2", "n", "b", "w"};
  out.push_back(un);
  Change d = Base(Op::kDelete, 4);
  d.old = {"2", std::nullopt, std::nullopt, std::nullopt};
  d.has_old = true;
  out.push_back(d);
  Change df = Base(Op::kDelete, 5);
  df.old = {"3", "a", "", std::nullopt};
  df.has_old = true;
  df.old_kind = 'O';
  out.push_back(df);
  out.push_back(Base(Op::kTruncate, 6));
  Change r = Base(Op::kSnapshot, 0);
  r.end_lsn = Lsn();  // snapshot rows carry no end LSN
  r.row = {"4", "", "\\N", std::nullopt};
  out.push_back(r);
  return out;
}

std::vector<Change> DecodeCsv(std::string_view text, const std::string& where) {
  MemoryReader source(text);
  CsvReader reader(Schema(), source, where);
  std::vector<Change> out;
  for (Change c; reader.Next(c);) out.push_back(std::move(c));
  return out;
}

std::string Csv(const std::vector<Change>& changes) {
  std::string text;
  EncodeCsvHeader(Schema(), text);
  for (const auto& c : changes) EncodeCsvRecord(Schema(), c, text);
  return text;
}

void ExpectRoundTrip(const std::vector<Change>& in, size_t read_size = 1 << 20) {
  std::string text = Csv(in);
  MemoryReader source(text, read_size);
  CsvReader reader(Schema(), source, "t.csv", read_size);
  Change c;
  size_t n = 0;
  while (reader.Next(c)) {
    ASSERT_LT(n, in.size());
    ExpectSame(in[n], c, "change " + std::to_string(n) + " read " + std::to_string(read_size));
    ++n;
  }
  EXPECT_EQ(n, in.size());
  EXPECT_EQ(reader.records(), in.size());
}

void ExpectCsvError(const std::string& text, const std::string& needle) {
  try {
    DecodeCsv(text, "bad.csv");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.what();
    EXPECT_NE(e.message().find("bad.csv"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find(needle), std::string::npos) << e.what();
  }
}

TEST(Csv, EveryOpRoundTrips) { ExpectRoundTrip(EveryOp()); }

TEST(Csv, LayoutIsDmsLike) {
  std::string text = Csv(EveryOp());
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0],
            "Op,_wharf_commit_ts,id,note,body,\"we\"\"ird col\\\",_wharf_lsn,_wharf_end_lsn,"
            "_wharf_seq,_wharf_xid,_wharf_old,_wharf_unchanged");
  EXPECT_EQ(lines[1], "I,2026-11-26 17:48:08.123456,1,hello,\\N,x,97500059720,97500059904,0,789,\\N,\\N");
  // Unchanged TOAST columns are \N and named in _wharf_unchanged; the old key is JSON.
  EXPECT_EQ(lines[2],
            "U,2026-11-26 17:48:08.123456,2,new,\\N,\\N,97500059720,97500059904,1,789,"
            "\"{\"\"id\"\":\"\"1\"\"}\",\"[\"\"body\"\",\"\"we\\\"\"ird col\\\\\"\"]\"");
  // A delete shows its old key in the table's columns, as DMS does.
  EXPECT_EQ(lines[5].substr(0, 40), "D,2026-11-26 17:48:08.123456,2,\\N,\\N,\\N,");
  EXPECT_EQ(lines[7].substr(0, 43), "T,2026-11-26 17:48:08.123456,\\N,\\N,\\N,\\N,97");
  // NULL is a bare \N; the empty string and the marker's own text are quoted.
  EXPECT_EQ(lines[8].substr(0, 41), "R,2026-11-26 17:48:08.123456,4,\"\",\"\\N\",\\N");
}

TEST(Csv, NullEmptyAndMarkerTextStayDistinct) {
  Change c = Base(Op::kInsert);
  c.row = {"\\N", "", std::nullopt, "\"\\N\""};
  Change d = Base(Op::kInsert);
  d.row = {"N", "\\", "\\\\N", " \\N "};
  ExpectRoundTrip({c, d});
}

TEST(Csv, QuotesCommasNewlinesUnicodeAndHugeValues) {
  Change c = Base(Op::kInsert);
  c.row = {"1", "a,b \"q\" \"\"", "line1\nline2\r\nline3\r", "héllo ☃ 😀 \t\x01 end"};
  Change big = Base(Op::kUpdate);
  std::string huge(5u << 20, 'x');
  for (size_t i = 0; i < huge.size(); i += 997) huge[i] = i % 2 ? '"' : '\n';
  big.row = {"2", huge, std::string(3u << 20, ','), ""};
  big.old = {"1", std::nullopt, std::nullopt, std::nullopt};
  big.has_old = true;
  ExpectRoundTrip({c, big, c});
}

TEST(Csv, SameChangesWhateverTheReadSizes) {
  Change c = Base(Op::kInsert);
  c.row = {"1", "a,\"b\"\r\n", "", "\\N"};
  auto all = EveryOp();
  all.push_back(c);
  for (size_t rs : {1, 2, 3, 5, 7, 13, 64}) ExpectRoundTrip(all, rs);
}

TEST(Csv, TimestampForm) {
  EXPECT_EQ(FormatCsvTimestamp(1795715288123456), "2026-11-26 17:48:08.123456");
  EXPECT_EQ(FormatCsvTimestamp(0), "1970-01-01 00:00:00.000000");
  int64_t v = 0;
  ASSERT_TRUE(ParseCsvTimestamp("2026-11-26 17:48:08.123456", v));
  EXPECT_EQ(v, 1795715288123456);
  EXPECT_FALSE(ParseCsvTimestamp("2026-11-26T17:48:08.123456", v));
  EXPECT_FALSE(ParseCsvTimestamp("2026-11-26 17:48:08", v));
}

TEST(Csv, MalformedRecordsAreRefusedNamingTheFile) {
  const std::string header = Csv({});
  const std::string good = "I,2026-11-26 17:48:08.123456,1,a,b,c,1,2,3,4,\\N,\\N\n";
  ExpectRoundTrip({});
  EXPECT_EQ(DecodeCsv(header + good, "ok.csv").size(), 1u);
  ExpectCsvError("Op,ts\n" + good, "header does not name the columns");
  ExpectCsvError(header + "X" + good.substr(1), "unknown op 'X'");
  ExpectCsvError(header + "I,2026-11-26 17:48:08,1,a,b,c,1,2,3,4,\\N,\\N\n", "bad commit time");
  ExpectCsvError(header + "I,2026-11-26 17:48:08.123456,1,a,b,1,2,3,4,\\N,\\N\n", "11 fields");
  ExpectCsvError(header + "I,2026-11-26 17:48:08.123456,1,a,b,c,x,2,3,4,\\N,\\N\n",
                 "_wharf_lsn 'x' is not a number");
  ExpectCsvError(header + "I,2026-11-26 17:48:08.123456,1,a\"b,b,c,1,2,3,4,\\N,\\N\n",
                 "a quote inside an unquoted field");
  ExpectCsvError(header + "I,2026-11-26 17:48:08.123456,1,\"a\"b,b,c,1,2,3,4,\\N,\\N\n",
                 "after a quoted field");
  ExpectCsvError(header + "I,2026-11-26 17:48:08.123456,1,a,b,c,1,2,3,4,\"{\"\"x\"\":\"\"1\"\"}\",\\N\n",
                 "column 'x' is not in the file's schema");
  ExpectCsvError(header + "I,2026-11-26 17:48:08.123456,1,a,b,c,1,2,3,4,\\N,\"[\"\"nope\"\"]\"\n",
                 "unchanged column not in the file's schema");
  ExpectCsvError(header + good.substr(0, good.size() - 1), "truncated");
  ExpectCsvError("", "no header line");
}

// ---- through the factory, as the BatchWriter and the loader use it

struct Staged {
  ManifestFile file;
  std::string bytes;
};

Staged Stage(LocalStore& store, Format format, Compression compression, const core::RelationSchema& schema,
             const std::vector<Change>& changes) {
  Staged s;
  s.file.path = "f." + FormatExtension(format, compression);
  s.file.relation = schema;
  s.file.format = FormatName(format);
  s.file.compression = CompressionName(compression);
  auto enc = OpenEncoder(format, compression, schema, store.OpenWriter(s.file.path));
  for (const auto& c : changes) enc->Add(c);
  enc->Finish();
  s.file.rows = changes.size();
  s.file.bytes = enc->stored_bytes();
  s.file.checksum = enc->checksum();
  s.bytes = store.Read(s.file.path);
  EXPECT_EQ(s.bytes.size(), s.file.bytes);
  EXPECT_EQ(ChecksumOf(s.bytes, ChecksumAlgo::kXxh128), s.file.checksum);
  return s;
}

std::vector<Change> ReadBack(const ManifestFile& f, std::string_view bytes) {
  auto reader = OpenChangeReader(f, std::make_unique<MemoryReader>(bytes, 4096), "staged/" + f.path, 4096);
  std::vector<Change> out;
  Change c;
  while (reader->Next(c)) out.push_back(std::move(c));
  EXPECT_EQ(reader->changes_read(), out.size());
  EXPECT_EQ(reader->stored_bytes(), bytes.size());
  return out;
}

struct FormatCase {
  Format format;
  Compression compression;
};

class FormatTest : public ::testing::TestWithParam<FormatCase> {
 protected:
  test::TempDir dir_;
};

TEST_P(FormatTest, EveryOpRoundTripsThroughTheStore) {
  LocalStore store(dir_.path());
  auto in = EveryOp();
  Staged s = Stage(store, GetParam().format, GetParam().compression, Schema(), in);
  auto out = ReadBack(s.file, s.bytes);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) ExpectSame(in[i], out[i], "change " + std::to_string(i));
}

TEST_P(FormatTest, EveryTruncationPointIsRefused) {
  LocalStore store(dir_.path());
  Staged s = Stage(store, GetParam().format, GetParam().compression, Schema(), EveryOp());
  std::vector<size_t> cuts;
  for (size_t cut = 0; cut < s.bytes.size(); ++cut) cuts.push_back(cut);
  for (size_t cut : cuts) {
    try {
      ReadBack(s.file, std::string_view(s.bytes).substr(0, cut));
      ADD_FAILURE() << "a file cut at " << cut << " of " << s.bytes.size() << " bytes was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.what();
      EXPECT_NE(e.message().find("staged/" + s.file.path), std::string::npos) << e.what();
    }
  }
}

TEST_P(FormatTest, FewerOrMoreChangesThanTheManifestSaysAreRefused) {
  LocalStore store(dir_.path());
  Staged s = Stage(store, GetParam().format, GetParam().compression, Schema(), EveryOp());
  for (uint64_t rows : {s.file.rows - 1, s.file.rows + 1}) {
    ManifestFile f = s.file;
    f.rows = rows;
    try {
      ReadBack(f, s.bytes);
      ADD_FAILURE() << "rows " << rows;
    } catch (const Error& e) {
      EXPECT_NE(e.message().find("its manifest says " + std::to_string(rows)), std::string::npos)
          << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, FormatTest,
    ::testing::Values(FormatCase{Format::kJsonl, Compression::kNone},
                      FormatCase{Format::kCsv, Compression::kNone},
                      FormatCase{Format::kCsv, Compression::kGzip},
                      FormatCase{Format::kCsv, Compression::kZstd},
                      FormatCase{Format::kParquet, Compression::kNone},
                      FormatCase{Format::kParquet, Compression::kZstd}),
    [](const auto& info) {
      return FormatName(info.param.format) + "_" + CompressionName(info.param.compression);
    });

TEST(Format, NamesAndExtensions) {
  EXPECT_EQ(ParseFormat("csv"), Format::kCsv);
  EXPECT_EQ(ParseFormat("parquet"), Format::kParquet);
  EXPECT_EQ(ParseFormat("jsonl"), Format::kJsonl);
  EXPECT_THROW(ParseFormat("avro"), Error);
  EXPECT_EQ(FormatExtension(Format::kCsv, Compression::kGzip), "csv.gz");
  EXPECT_EQ(FormatExtension(Format::kJsonl, Compression::kZstd), "jsonl.zst");
  EXPECT_EQ(FormatExtension(Format::kParquet, Compression::kZstd), "parquet");
}

TEST(Format, UnknownFormatIsRefused) {
  ManifestFile f;
  f.format = "avro";
  f.relation = Schema();
  try {
    OpenChangeReader(f, std::make_unique<MemoryReader>(""), "x.avro");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(e.message().find("x.avro"), std::string::npos) << e.what();
  }
}

// ---- Parquet: typed columns giving back exactly PostgreSQL's text

struct TypedValue {
  uint32_t oid;
  int32_t typmod;
  std::vector<Datum> values;  // PostgreSQL text under wharf's session settings
};

// The values of tests/integration/types_test.cpp's rows, per type, as PostgreSQL prints them.
std::vector<TypedValue> TypedValues() {
  using core::oid::kBool;
  return {
      {21, -1, {"32767", "-32768", "0", std::nullopt}},
      {23, -1, {"2147483647", "-2147483648", "0"}},
      {20, -1, {"9223372036854775807", "-9223372036854775808", "0"}},
      {700, -1, {"3.4028235e+38", "-Infinity", "NaN", "1.5", "0.1", "-0"}},
      {701, -1, {"1.7976931348623157e+308", "NaN", "Infinity", "0.1", "1e-05", "123456.789", "-0"}},
      {1700, -1, {"12345678901234567890123456789.123456789", "-0.000000001", "NaN", "Infinity",
                  "1" + std::string(999, '0'), "4713"}},
      {1700, (12 << 16 | 3) + 4, {"123456789.125", "-999999999.999", "0.001", "NaN"}},
      {1700, (10 << 16 | 2) + 4, {"12345678.91", "-99999999.99", "0.00"}},
      {1700, (50 << 16 | 10) + 4, {"1234567890123456789012345678901234567890.0123456789", "NaN"}},
      {790, -1, {"$92,233,720,368,547,758.07", "-$92,233,720,368,547,758.08", "$0.00"}},
      {25, -1, {"héllo ☃ 😀 \"q\" \\ end", "", "NULL", "\\N"}},
      {kBool, -1, {"t", "f", std::nullopt}},
      {17, -1, {"\\xdeadbeef00", "\\x", "\\x00"}},
      {114, -1, {"{\"a\": null, \"n\": 12345678901234567890}", "null", "\"str\""}},
      {3802, -1, {"{\"k\": [1, null, \"x\"]}", "[]"}},
      {1082, -1, {"0044-03-15 BC", "infinity", "-infinity", "4713-11-24 BC", "5874897-12-31",
                  "2024-02-29", "0001-01-01"}},
      {1114, -1, {"2024-02-29 23:59:59.999999", "-infinity", "0044-03-15 12:00:00 BC",
                  "294276-12-31 23:59:59.999999", "2024-01-01 00:00:00", "2024-01-01 10:00:00.5"}},
      {1184, -1, {"2000-01-01 00:00:00+00", "infinity", "1899-12-31 18:18:44+00",
                  "0044-03-15 12:00:00+00 BC", "2026-11-26 17:48:08.123456+00"}},
      {1083, -1, {"24:00:00", "00:00:00", "12:34:56.789", "23:59:59.999999"}},
      {1266, -1, {"23:59:59.999999+15:59", "00:00:00-15:59"}},
      {1186, -1, {"178956970 years 7 mons 2147483647 days 2562047788:00:54.775807", "1 mon -30 days"}},
      {2950, -1, {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000"}},
      {869, -1, {"192.168.1.1/24", "::1"}},
      {1560, -1, {"1010", ""}},
      {3904, -1, {"[1,10)", "empty"}},
      {142, -1, {"<a>1</a>"}},
  };
}

TEST(Parquet, EveryTypeRoundTripsToTheSameText) {
  test::TempDir dir;
  LocalStore store(dir.path());
  core::RelationSchema schema;
  schema.oid = 7;
  schema.table = {"public", "typed"};
  schema.columns.push_back({"id", 23, -1, true});
  auto values = TypedValues();
  size_t rows = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    schema.columns.push_back({"c" + std::to_string(i), values[i].oid, values[i].typmod, false});
    rows = std::max(rows, values[i].values.size());
  }
  // Arrays stay text: int[] and numeric[].
  schema.columns.push_back({"a_int", 1007, -1, false, 23, 1});
  std::vector<Change> in;
  for (size_t r = 0; r < rows + 1; ++r) {  // the last row all NULL
    Change c = Base(r % 2 ? Op::kUpdate : Op::kInsert, static_cast<uint32_t>(r));
    c.row.push_back(std::to_string(r));
    for (const auto& v : values) c.row.push_back(r < v.values.size() ? v.values[r] : std::nullopt);
    c.row.push_back(r == 0 ? Datum("{1,2,NULL}") : r == 1 ? Datum("[0:1]={1,2}") : std::nullopt);
    in.push_back(c);
  }
  for (Compression comp : {Compression::kZstd, Compression::kGzip, Compression::kNone}) {
    Staged s = Stage(store, Format::kParquet, comp, schema, in);
    if (comp == Compression::kZstd) {
      // What a Parquet reader sees: typed columns, and only the texts no typed value gives
      // back exactly kept aside in _wharf_text.
      auto db = load::duckdb::Database::Open(":memory:", "");
      auto conn = db.Connect();
      std::string file = load::duckdb::Literal((dir.path() / s.file.path).string());
      auto types = conn.Query("SELECT string_agg(column_type, ',') FROM (DESCRIBE SELECT * FROM read_parquet(" + file + "))");
      EXPECT_EQ(*types.GetString(0, 0),
                "VARCHAR,TIMESTAMP,INTEGER,SMALLINT,INTEGER,BIGINT,FLOAT,DOUBLE,VARCHAR,DECIMAL(12,3),"
                "DECIMAL(10,2),VARCHAR,VARCHAR,VARCHAR,BOOLEAN,BLOB,VARCHAR,VARCHAR,DATE,TIMESTAMP,"
                "TIMESTAMP WITH TIME ZONE,TIME,VARCHAR,VARCHAR,UUID,VARCHAR,VARCHAR,VARCHAR,VARCHAR,"
                "VARCHAR,UBIGINT,UBIGINT,UINTEGER,UINTEGER,VARCHAR,VARCHAR,STRUCT(i INTEGER, v "
                "VARCHAR)[]");
      auto kept = conn.Query("SELECT string_agg(x.i || '=' || x.v, ' | ' ORDER BY x.i) FROM (SELECT unnest(_wharf_text) AS x FROM read_parquet(" + file + "))");
      EXPECT_EQ(kept.GetString(0, 0).value_or("NULL"),
                "4=-Infinity | 4=NaN | 4=-0 | 5=NaN | 5=Infinity | 5=-0 | 7=NaN | 16=0044-03-15 BC | "
                "16=4713-11-24 BC | 17=0044-03-15 12:00:00 BC | 17=294276-12-31 23:59:59.999999 | "
                "18=0044-03-15 12:00:00+00 BC");
      // A kept-aside value's typed cell is NULL, never a wrong value (year 44 AD for 44 BC).
      EXPECT_EQ(conn.Query("SELECT count(c15) FROM read_parquet(" + file + ")").GetString(0, 0),
                "5");
    }
    EXPECT_EQ(s.file.compression, CompressionName(comp));
    EXPECT_EQ(s.bytes.substr(0, 4), "PAR1");  // a Parquet file, not a compressed one
    auto out = ReadBack(s.file, s.bytes);
    ASSERT_EQ(out.size(), in.size());
    for (size_t r = 0; r < in.size(); ++r) {
      ASSERT_EQ(out[r].row.size(), in[r].row.size());
      for (size_t col = 0; col < in[r].row.size(); ++col)
        EXPECT_EQ(out[r].row[col], in[r].row[col]) << "row " << r << " column " << schema.columns[col].name
                                                   << " type " << schema.columns[col].type_oid;
      ExpectSame(in[r], out[r], "row " + std::to_string(r));
    }
  }
}

TEST(Parquet, ColumnTypes) {
  auto type = [](uint32_t oid, int32_t typmod) {
    return ParquetColumnType(core::Column{"c", oid, typmod, false});
  };
  EXPECT_EQ(type(23, -1), "INTEGER");
  EXPECT_EQ(type(16, -1), "BOOLEAN");
  EXPECT_EQ(type(1700, (10 << 16 | 2) + 4), "DECIMAL(10,2)");
  EXPECT_EQ(type(1700, -1), std::nullopt);                  // unconstrained numeric
  EXPECT_EQ(type(1700, (50 << 16 | 10) + 4), std::nullopt);  // wider than DECIMAL(38)
  EXPECT_EQ(type(1184, -1), "TIMESTAMPTZ");
  EXPECT_EQ(type(17, -1), "BLOB");
  EXPECT_EQ(type(25, -1), std::nullopt);
  EXPECT_EQ(type(1186, -1), std::nullopt);  // interval: DuckDB's own text differs
  EXPECT_EQ(type(790, -1), std::nullopt);   // money
}

}  // namespace
}  // namespace wharf::staging

namespace wharf::staging {
namespace {

// Source columns may be named like wharf's own: files are read by position, never by name.
TEST(Formats, ColumnsNamedLikeWharfsOwnRoundTrip) {
  test::TempDir dir;
  LocalStore store(dir.path());
  core::RelationSchema schema;
  schema.oid = 9;
  schema.table = {"public", "clash"};
  schema.columns = {{"Op", 23, -1, true}, {"_wharf_lsn", 25, -1, false},
                    {"_wharf_text", 16, -1, false}, {"op", 25, -1, false}};
  Change c = Base(Op::kInsert);
  c.row = {"1", "x", "t", "y"};
  for (Format f : {Format::kCsv, Format::kParquet}) {
    Staged s = Stage(store, f, Compression::kNone, schema, {c, c});
    auto out = ReadBack(s.file, s.bytes);
    ASSERT_EQ(out.size(), 2u);
    ExpectSame(c, out[1], FormatName(f));
  }
}

}  // namespace
}  // namespace wharf::staging
