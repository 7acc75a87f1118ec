// Tests of the COPY text -> staged format transcoders (staging/copy_transcode.hpp) and of
// FileEncoder/BatchWriter::AddCopyText: every escape, control bytes, quotes, backslashes,
// UTF-8, empty strings and NULLs give byte for byte what pg::ParseCopyTextRow followed by
// EncodeJsonLine / EncodeCsvRecord gives, errors included, over fixed and generated rows.
#include "staging/copy_transcode.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "pg/copy_text.hpp"
#include "staging/batch_writer.hpp"
#include "staging/csv.hpp"
#include "staging/format.hpp"
#include "staging/jsonl.hpp"
#include "staging/local_store.hpp"
#include "unit/support/sample_changes.hpp"
#include "unit/support/temp_dir.hpp"

namespace wharf::staging {
namespace {

using core::Change;
using core::Op;

core::RelationSchema SchemaOf(size_t columns) {
  core::RelationSchema s = test::SampleSchema();
  s.columns.clear();
  for (size_t i = 0; i < columns; ++i) {
    // Names that need JSON and CSV escaping too.
    std::string name = i % 3 == 2 ? "c\"ol\\" + std::to_string(i) : "c" + std::to_string(i);
    s.columns.push_back({name, 25, -1, i == 0});
  }
  return s;
}

Change Header(Op op = Op::kSnapshot, uint32_t seq = 7) { return test::SampleChange(op, seq); }

// What one path gives: the text, or the error's kind and message.
struct Outcome {
  std::string text;
  std::optional<std::pair<ErrorKind, std::string>> error;
};

template <class Fn>
Outcome Capture(Fn&& fn) {
  Outcome o;
  o.text = "(kept)";  // what was in `out` before: it must survive an error
  try {
    fn(o.text);
  } catch (const Error& e) {
    o.error = std::make_pair(e.kind(), std::string(e.what()));
  }
  return o;
}

// The reference: the row parsed, then encoded as the capture path does.
Outcome ParsedJson(const core::RelationSchema& schema, const Change& header, std::string_view line) {
  return Capture([&](std::string& out) {
    Change c = header;
    pg::ParseCopyTextRow(line, c.row, schema.columns.size());
    EncodeJsonLine(schema, c, out);
  });
}
Outcome ParsedCsv(const core::RelationSchema& schema, const Change& header, std::string_view line) {
  return Capture([&](std::string& out) {
    Change c = header;
    pg::ParseCopyTextRow(line, c.row, schema.columns.size());
    EncodeCsvRecord(schema, c, out);
  });
}

void ExpectSameOutcome(const Outcome& want, const Outcome& got, std::string_view line) {
  EXPECT_EQ(want.text, got.text) << "line: " << testing::PrintToString(std::string(line));
  ASSERT_EQ(want.error.has_value(), got.error.has_value())
      << "line: " << testing::PrintToString(std::string(line));
  if (want.error) {
    EXPECT_EQ(want.error->first, got.error->first);
    EXPECT_EQ(want.error->second, got.error->second);
  }
}

// Both formats, fused vs parsed, for one line; returns the fused JSON outcome.
Outcome ExpectBothSame(const core::RelationSchema& schema, const Change& header, std::string_view line) {
  JsonCopyEncoder json(schema);
  CsvCopyEncoder csv(schema);
  Outcome fused_json = Capture([&](std::string& out) { json.Encode(header, line, out); });
  ExpectSameOutcome(ParsedJson(schema, header, line), fused_json, line);
  Outcome fused_csv = Capture([&](std::string& out) { csv.Encode(header, line, out); });
  ExpectSameOutcome(ParsedCsv(schema, header, line), fused_csv, line);
  return fused_json;
}

std::string RowOf(const Outcome& o) {
  size_t at = o.text.find("\"row\":");
  return at == std::string::npos ? "" : o.text.substr(at + 6, o.text.size() - at - 6 - 2);
}

TEST(CopyTranscode, EveryEscapeMatchesTheParsedPath) {
  auto s = SchemaOf(1);
  const char* lines[] = {
      "\\\\", "\\b", "\\f", "\\n", "\\r", "\\t", "\\v", "a\\\\b\\\\", "\\0", "\\7", "\\08",
      "\\101\\102", "\\377", "\\400", "\\777", "\\1234", "\\x41", "\\x4", "\\x4g", "\\xg", "\\x",
      "\\xFf", "\\x00", "\\q", "\\\"", "\\N", "\\\\N", "a\\N", "\\Nb", "\\N\\N", "\\é", "end\\x",
  };
  for (const char* l : lines) ExpectBothSame(s, Header(), l);
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "\\\\")), R"({"c0":"\\"})");
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "\\b\\f\\n\\r\\t\\v")), R"({"c0":"\u0008\u000c\n\r\t\u000b"})");
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "\\101\\x42\\q")), R"({"c0":"ABq"})");
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "\\0")), R"({"c0":"\u0000"})");
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "\\N")), R"({"c0":null})");
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "\\\\N")), R"({"c0":"\\N"})");
}

TEST(CopyTranscode, ControlBytesQuotesAndUtf8) {
  auto s = SchemaOf(1);
  for (int c = 1; c < 0x20; ++c) {
    if (c == '\t') continue;  // the field separator
    std::string line = "a" + std::string(1, static_cast<char>(c)) + "b";
    if (c == '\n') line += '\n';  // a raw newline only ends a line
    ExpectBothSame(s, Header(), line);
  }
  ExpectBothSame(s, Header(), std::string("x\x7f\x80\xff", 4));
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "a\x01z")), R"({"c0":"a\u0001z"})");
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "say \"hi\", ok")), R"({"c0":"say \"hi\", ok"})");
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "grüße 😀 日本")), R"({"c0":"grüße 😀 日本"})");
  ExpectBothSame(s, Header(), "\\303\\274");  // ü as two octal escapes
  ExpectBothSame(s, Header(), "\\xc3\\xbc");
}

TEST(CopyTranscode, EmptyNullsAndNewline) {
  auto s = SchemaOf(4);
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "\t\\N\t\t\\N\n")),
            R"({"c0":"","c1":null,"c\"ol\\2":"","c3":null})");
  ExpectBothSame(s, Header(), "\t\t\t");
  ExpectBothSame(s, Header(), "\\N\t\\N\t\\N\t\\N");
  ExpectBothSame(s, Header(), "1\t\\N\t\\N\t\\N\n");
  ExpectBothSame(s, Header(), "1\t2\t3\t\\\\N");
  ExpectBothSame(s, Header(), "1\t2\t\\N\t4\\n\n");  // an escaped newline, then the line's own
  // CSV: the empty string is quoted, NULL is the bare marker, a value of "\N" is quoted.
  CsvCopyEncoder csv(s);
  std::string out;
  csv.Encode(Header(), "\t\\N\t\\\\N\ta,b", out);
  EXPECT_NE(out.find(",\"\",\\N,\"\\N\",\"a,b\","), std::string::npos) << out;
}

TEST(CopyTranscode, WrongFieldCountsAndMalformedFieldsFailAlike) {
  auto s = SchemaOf(3);
  for (const char* l : {"", "\n", "1", "1\t2", "1\t2\t3\t4", "1\t2\t3\t\t", "1\t2\t3\t4\\",
                        "1\\\t2\t3", "1\t2\t3\\", "\\", "1\t\\\t3", "1\t2\t3\t\\\t5"}) {
    Outcome o = ExpectBothSame(s, Header(), l);
    EXPECT_TRUE(o.error.has_value()) << l;
    EXPECT_EQ(o.text, "(kept)") << l;
  }
  Outcome few = ExpectBothSame(s, Header(), "1\t2");
  ASSERT_TRUE(few.error);
  EXPECT_EQ(few.error->first, ErrorKind::kProtocol);
  EXPECT_NE(few.error->second.find("2 fields, expected 3"), std::string::npos) << few.error->second;
  // A malformed extra field is reported as such, before the count (as ParseCopyTextRow does).
  Outcome lone = ExpectBothSame(s, Header(), "1\t2\t3\tx\\");
  ASSERT_TRUE(lone.error);
  EXPECT_NE(lone.error->second.find("lone backslash"), std::string::npos) << lone.error->second;
}

TEST(CopyTranscode, ZeroColumnTable) {
  auto s = SchemaOf(0);
  EXPECT_EQ(RowOf(ExpectBothSame(s, Header(), "\n")), "{}");
  ExpectBothSame(s, Header(), "");
}

TEST(CopyTranscode, HeaderIsReformattedWhenItChanges) {
  auto s = SchemaOf(2);
  JsonCopyEncoder json(s);
  CsvCopyEncoder csv(s);
  Change h = Header(Op::kSnapshot, 0);
  auto both = [&](const Change& header, std::string_view line) {
    Outcome j = Capture([&](std::string& out) { json.Encode(header, line, out); });
    ExpectSameOutcome(ParsedJson(s, header, line), j, line);
    Outcome c = Capture([&](std::string& out) { csv.Encode(header, line, out); });
    ExpectSameOutcome(ParsedCsv(s, header, line), c, line);
  };
  for (uint32_t seq : {0u, 1u, 9u, 10u, 4294967295u}) {
    h.seq = seq;
    both(h, "1\tx");
  }
  h.ts += 1;
  both(h, "1\tx");
  h.lsn = Lsn(5);
  both(h, "1\tx");
  h.end_lsn = Lsn();  // not yet known: no end_lsn member
  both(h, "1\tx");
  h.xid = 1;
  both(h, "1\tx");
  h.op = Op::kInsert;
  both(h, "1\tx");
  h.op = Op::kUpdate;
  both(h, "1\tx");
}

TEST(CopyTranscode, OnlyPlainRowsAreTranscodable) {
  EXPECT_TRUE(CopyTranscodable(Header(Op::kSnapshot)));
  EXPECT_TRUE(CopyTranscodable(Header(Op::kInsert)));
  EXPECT_FALSE(CopyTranscodable(Header(Op::kDelete)));
  EXPECT_FALSE(CopyTranscodable(Header(Op::kTruncate)));
  Change old = Header(Op::kUpdate);
  old.has_old = true;
  EXPECT_FALSE(CopyTranscodable(old));
  Change unchanged = Header(Op::kUpdate);
  unchanged.unchanged = {1};
  EXPECT_FALSE(CopyTranscodable(unchanged));
}

// Random COPY lines built from the pieces that matter, including malformed ones.
std::string RandomField(std::mt19937_64& rng) {
  static const std::vector<std::string> pieces = {
      "a", "Z", "42", "-1.5", " ", ",", "\"", "'", "{", "}", ":", "\\\\", "\\b", "\\f", "\\n",
      "\\r", "\\t", "\\v", "\\0", "\\12", "\\377", "\\777", "\\x7", "\\x7f", "\\xG", "\\q",
      "\\N", "\\\"", "\x01", "\x1f", "\r", "\x7f", "é", "😀", "\xff", "\x80", "N", "\\"};
  std::uniform_int_distribution<int> kind(0, 9);
  int k = kind(rng);
  if (k == 0) return "\\N";
  if (k == 1) return "";
  std::string f;
  std::uniform_int_distribution<size_t> len(1, 12), pick(0, pieces.size() - 1);
  // Mostly well-formed: a lone trailing backslash is rarer.
  for (size_t n = len(rng); n > 0; --n) {
    const std::string& p = pieces[pick(rng)];
    if (p == "\\" && rng() % 4) continue;
    f += p;
  }
  return f;
}

TEST(CopyTranscode, GeneratedRowsMatchTheParsedPath) {
  std::mt19937_64 rng(20261126);
  size_t errors = 0, rows = 0;
  for (size_t columns = 0; columns <= 9; ++columns) {
    auto s = SchemaOf(columns);
    JsonCopyEncoder json(s);
    CsvCopyEncoder csv(s);
    Change h = Header();
    for (int i = 0; i < 3000; ++i) {
      h.seq = static_cast<uint32_t>(i);
      if (i % 500 == 499) h.ts += 1000;  // the cached header must follow
      size_t fields = columns;
      if (rng() % 20 == 0) fields = rng() % (columns + 3);  // a wrong count now and then
      std::string line;
      for (size_t f = 0; f < std::max<size_t>(fields, 1); ++f) {
        if (f) line += '\t';
        line += RandomField(rng);
      }
      if (rng() % 2) line += '\n';
      Outcome j = Capture([&](std::string& out) { json.Encode(h, line, out); });
      ExpectSameOutcome(ParsedJson(s, h, line), j, line);
      Outcome c = Capture([&](std::string& out) { csv.Encode(h, line, out); });
      ExpectSameOutcome(ParsedCsv(s, h, line), c, line);
      if (HasFailure()) return;
      errors += j.error.has_value();
      ++rows;
    }
  }
  // Both well-formed and malformed lines were exercised.
  EXPECT_GT(errors, rows / 50);
  EXPECT_LT(errors, rows / 2);
}

TEST(CopyTranscode, LongValuesAcrossTheWriteChunks) {
  // The JSON transcoder makes room 4096 input bytes at a time: values far
  // longer than that, escapes straddling the chunk edges, all escaping.
  std::mt19937_64 rng(7);
  auto s = SchemaOf(3);
  for (size_t len : {4095u, 4096u, 4097u, 8191u, 70000u}) {
    for (const char* unit : {"a", "\\\\", "\\001", "\\x7", "\\n", "\"", "\x01", "é", "\\"}) {
      std::string v;
      while (v.size() < len) v += unit;
      ExpectBothSame(s, Header(), v + "\t" + v + "\t\\N\n");
      ExpectBothSame(s, Header(), "x\t" + v.substr(0, len - 1) + "\\101\ty");
    }
    std::string mixed;
    while (mixed.size() < len) mixed += RandomField(rng);
    ExpectBothSame(s, Header(), mixed + "\t\t" + mixed);
  }
}

// ---- through the factory and the BatchWriter

std::string StageWith(Format format, const core::RelationSchema& s, const std::vector<std::string>& lines,
                      bool copy_text) {
  test::TempDir dir;
  LocalStore store(dir.path());
  auto enc = OpenEncoder(format, Compression::kNone, s, store.OpenWriter("f"));
  size_t raw = 0;
  Change h = Header();
  for (size_t i = 0; i < lines.size(); ++i) {
    h.seq = static_cast<uint32_t>(i);
    if (copy_text) {
      raw += enc->AddCopyText(h, lines[i]);
    } else {
      Change c = h;
      pg::ParseCopyTextRow(lines[i], c.row, s.columns.size());
      raw += enc->Add(c);
    }
  }
  enc->Finish();
  return std::to_string(raw) + "|" + store.Read("f");
}

TEST(CopyTranscode, EncodersAddCopyTextAsTheyAddTheParsedRow) {
  auto s = SchemaOf(4);
  std::vector<std::string> lines = {"1\ta\\tb\t\\N\t\n", "2\t\"q\"\t,\t\\\\N\n", "3\tgrüße\t\\x41\t\\101\n"};
  for (Format f : {Format::kJsonl, Format::kCsv, Format::kParquet}) {
    SCOPED_TRACE(FormatName(f));
    std::string fused = StageWith(f, s, lines, true);
    std::string parsed = StageWith(f, s, lines, false);
    if (f == Format::kParquet) {
      // A Parquet file embeds nothing per write; same rows give the same size estimate.
      EXPECT_EQ(fused.substr(0, fused.find('|')), parsed.substr(0, parsed.find('|')));
    } else {
      EXPECT_EQ(fused, parsed);
    }
  }
  // The default path (Parquet) still checks the field count.
  test::TempDir dir;
  LocalStore store(dir.path());
  auto enc = OpenEncoder(Format::kParquet, Compression::kNone, s, store.OpenWriter("p"));
  EXPECT_THROW(enc->AddCopyText(Header(), "1\t2"), Error);
}

TEST(CopyTranscode, BatchWriterCountsCopyTextRowsAsAdd) {
  auto s = SchemaOf(3);
  std::vector<std::string> lines = {"1\ta\tb\n", "2\t\\N\t\n", "3\tx\\ty\tz\n"};
  test::TempDir dir;
  LocalStore store(dir.path());
  auto stage = [&](uint64_t seq, bool copy_text) {
    BatchWriter w(store, "src", seq, BatchOptions{});
    Change h = Header();
    for (size_t i = 0; i < lines.size(); ++i) {
      h.seq = static_cast<uint32_t>(i);
      if (copy_text) {
        w.AddCopyText(s, h, lines[i]);
      } else {
        Change c = h;
        pg::ParseCopyTextRow(lines[i], c.row, s.columns.size());
        w.Add(s, c);
      }
    }
    uint64_t raw = w.raw_bytes(), changes = w.changes();
    Manifest m = w.Commit(Lsn(), Lsn(), Lsn(100), 0);
    EXPECT_EQ(changes, lines.size());
    EXPECT_GT(raw, 0u);
    return std::make_tuple(raw, m.files.at(0).rows, m.files.at(0).ops, store.Read(m.files.at(0).path));
  };
  auto parsed = stage(1, false);
  auto fused = stage(2, true);
  EXPECT_EQ(std::get<0>(fused), std::get<0>(parsed));
  EXPECT_EQ(std::get<1>(fused), lines.size());
  EXPECT_EQ(std::get<1>(fused), std::get<1>(parsed));
  EXPECT_EQ(std::get<2>(fused), std::get<2>(parsed));
  EXPECT_EQ(std::get<2>(fused).at('R'), lines.size());
  EXPECT_EQ(std::get<3>(fused), std::get<3>(parsed));
}

}  // namespace
}  // namespace wharf::staging
