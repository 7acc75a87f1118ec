// Tests of the JSON-lines encoding of staged changes: round trips of every op and of awkward
// values, rejection of malformed lines, and the UTC timestamp text form.
#include "staging/jsonl.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "core/relation.hpp"
#include "unit/support/sample_changes.hpp"

namespace wharf::staging {
namespace {

using core::Change;
using core::Datum;
using core::Op;

core::RelationSchema Schema() { return test::SampleSchema(); }
Change Base(Op op) { return test::SampleChange(op); }
void ExpectSame(const Change& want, const Change& got) { test::ExpectSameChange(want, got); }

Change RoundTrip(const Change& c, std::string* line = nullptr) {
  std::string text;
  EncodeJsonLine(Schema(), c, text);
  if (line) *line = text;
  auto out = DecodeJsonLines(Schema(), text, "test.jsonl");
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? Change{} : out[0];
}

void ExpectStagingError(const std::string& text, const std::string& needle = "") {
  try {
    DecodeJsonLines(Schema(), text, "bad.jsonl");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.what();
    EXPECT_NE(e.message().find("bad.jsonl"), std::string::npos) << e.what();
    if (!needle.empty()) {
      EXPECT_NE(e.message().find(needle), std::string::npos) << e.what();
    }
  }
}

TEST(Jsonl, InsertRoundTrip) {
  Change c = Base(Op::kInsert);
  c.row = {"1", "hello", std::nullopt, "x"};
  std::string line;
  ExpectSame(c, RoundTrip(c, &line));
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_NE(line.find(R"("op":"I")"), std::string::npos);
  EXPECT_NE(line.find(R"("ts":"2026-11-26T17:48:08.123456Z")"), std::string::npos);
  EXPECT_NE(line.find(R"("note":"hello")"), std::string::npos);
  EXPECT_NE(line.find(R"("body":null)"), std::string::npos);
  EXPECT_EQ(line.find("\"old\""), std::string::npos);
  EXPECT_EQ(line.find("\"unchanged\""), std::string::npos);
}

TEST(Jsonl, UpdateWithOldAndUnchangedRoundTrip) {
  Change c = Base(Op::kUpdate);
  c.row = {"2", "new", std::nullopt, std::nullopt};
  c.old = {"1", std::nullopt, std::nullopt, std::nullopt};
  c.has_old = true;
  c.unchanged = {2, 3};
  std::string line;
  ExpectSame(c, RoundTrip(c, &line));
  // Unchanged columns are listed by name and left out of "row".
  EXPECT_NE(line.find(R"("unchanged":["body","we\"ird col\\"])"), std::string::npos) << line;
  EXPECT_EQ(line.find(R"("body":null)"), line.rfind(R"("body":null)"));  // only in "old"
}

TEST(Jsonl, UpdateWithoutOldRoundTrip) {
  Change c = Base(Op::kUpdate);
  c.row = {"1", "n", "b", "w"};
  Change got = RoundTrip(c);
  ExpectSame(c, got);
  EXPECT_FALSE(got.has_old);
  EXPECT_TRUE(got.old.empty());
}

TEST(Jsonl, DeleteRoundTrip) {
  Change c = Base(Op::kDelete);
  c.old = {"1", std::nullopt, std::nullopt, std::nullopt};
  c.has_old = true;
  std::string line;
  Change got = RoundTrip(c, &line);
  ExpectSame(c, got);
  EXPECT_TRUE(got.row.empty());
  EXPECT_EQ(line.find("\"row\""), std::string::npos);
}

TEST(Jsonl, DeleteWithFullOldRowRoundTrip) {
  Change c = Base(Op::kDelete);
  c.old = {"1", "a", "b", std::nullopt};
  c.has_old = true;
  c.old_kind = 'O';
  Change got = RoundTrip(c);
  ExpectSame(c, got);
  EXPECT_EQ(got.old_kind, 'O');
}

TEST(Jsonl, OldKeyHoldsOnlyKeyColumns) {
  Change c = Base(Op::kDelete);
  c.old = {"1", std::nullopt, std::nullopt, std::nullopt};
  c.has_old = true;
  c.old_kind = 'K';
  std::string line;
  Change got = RoundTrip(c, &line);
  EXPECT_EQ(got.old_kind, 'K');
  EXPECT_EQ(got.old, c.old);
  EXPECT_NE(line.find("\"old\":{\"id\":\"1\"}"), std::string::npos) << line;
}

TEST(Jsonl, TruncateRoundTrip) {
  Change c = Base(Op::kTruncate);
  std::string line;
  Change got = RoundTrip(c, &line);
  ExpectSame(c, got);
  EXPECT_TRUE(got.row.empty());
  EXPECT_FALSE(got.has_old);
  EXPECT_EQ(line.find("\"row\""), std::string::npos);
}

TEST(Jsonl, SnapshotRoundTrip) {
  Change c = Base(Op::kSnapshot);
  c.end_lsn = Lsn();
  c.row = {"1", "a", "b", "c"};
  std::string line;
  ExpectSame(c, RoundTrip(c, &line));
  EXPECT_NE(line.find(R"("op":"R")"), std::string::npos);
}

TEST(Jsonl, EndLsnPresentAndAbsent) {
  Change with = Base(Op::kInsert);
  with.row = {"1", std::nullopt, std::nullopt, std::nullopt};
  std::string line;
  Change got = RoundTrip(with, &line);
  EXPECT_EQ(got.end_lsn, Lsn(0x16B374D900ull));
  EXPECT_NE(line.find(R"("end_lsn":)" + std::to_string(0x16B374D900ull)), std::string::npos);

  Change without = with;
  without.end_lsn = Lsn();
  got = RoundTrip(without, &line);
  EXPECT_FALSE(got.end_lsn.IsValid());
  EXPECT_EQ(line.find("end_lsn"), std::string::npos);
  EXPECT_EQ(got.lsn, with.lsn);
}

TEST(Jsonl, LargeNumbersRoundTrip) {
  Change c = Base(Op::kInsert);
  c.lsn = Lsn(UINT64_MAX - 1);
  c.end_lsn = Lsn(UINT64_MAX);
  c.seq = UINT32_MAX;
  c.xid = UINT32_MAX;
  c.row = {"1", std::nullopt, std::nullopt, std::nullopt};
  ExpectSame(c, RoundTrip(c));
}

TEST(Jsonl, AwkwardValuesRoundTrip) {
  std::string control;
  for (int ch = 1; ch < 0x20; ++ch) control += static_cast<char>(ch);
  control += '\x7f';
  const std::vector<std::string> values = {
      "say \"hi\"",
      R"(C:\path\to\file \\ and \n literally)",
      "line1\nline2\r\nline3",
      "tab\there",
      control,
      std::string("nul\0inside", 10),
      "héllo wörld — 日本語 🎉 \u2028",
      R"({"a":[1,"b\"c",null],"d":{"e":"\u00e9"}})",
      "",
      " ",
      "null",
      "\\u0041",
      std::string(100000, 'z'),
  };
  for (const auto& v : values) {
    Change c = Base(Op::kInsert);
    c.row = {"1", v, "", std::nullopt};
    std::string line;
    Change got = RoundTrip(c, &line);
    ExpectSame(c, got);
    // The encoded line is one line however many newlines the value holds.
    EXPECT_EQ(line.find('\n'), line.size() - 1);
  }
}

TEST(Jsonl, EmptyStringIsNotNull) {
  Change c = Base(Op::kInsert);
  c.row = {"1", "", std::nullopt, ""};
  Change got = RoundTrip(c);
  ASSERT_EQ(got.row.size(), 4u);
  ASSERT_TRUE(got.row[1].has_value());
  EXPECT_EQ(*got.row[1], "");
  EXPECT_FALSE(got.row[2].has_value());
  ASSERT_TRUE(got.row[3].has_value());
}

TEST(Jsonl, ControlCharactersAreEscaped) {
  std::string out;
  AppendJsonString(std::string("a\"b\\c\n\r\t\x01\x1f", 10), out);
  EXPECT_EQ(out, R"("a\"b\\c\n\r\t\u0001\u001f")");
  out.clear();
  AppendJsonString("plain é", out);
  EXPECT_EQ(out, "\"plain é\"");
}

TEST(Jsonl, ManyLinesLongThenShort) {
  // The decoder reuses one padded buffer: a short line after a long one must not see leftovers.
  std::vector<Change> in;
  for (int i = 0; i < 20; ++i) {
    Change c = Base(i % 2 ? Op::kUpdate : Op::kInsert);
    c.seq = static_cast<uint32_t>(i);
    c.row = {std::to_string(i), std::string(static_cast<size_t>((20 - i) * 500), 'a' + i % 26),
             std::nullopt, "v"};
    in.push_back(c);
  }
  Change t = Base(Op::kTruncate);
  t.end_lsn = Lsn();
  in.push_back(t);
  std::string text;
  for (const auto& c : in) EncodeJsonLine(Schema(), c, text);
  auto out = DecodeJsonLines(Schema(), text, "many.jsonl");
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSame(in[i], out[i]);
  }
}

TEST(Jsonl, EmptyTextIsNoChanges) {
  EXPECT_TRUE(DecodeJsonLines(Schema(), "", "empty.jsonl").empty());
}

TEST(Jsonl, DecodesHandWrittenLineWithKeysInAnyOrder) {
  std::string text =
      R"({"row":{"note":"n","id":"5"},"ts":"1970-01-01T00:00:00.000001Z","xid":9,"seq":1,)"
      R"("lsn":77,"op":"U","unchanged":["body"]})"
      "\n";
  auto out = DecodeJsonLines(Schema(), text, "x");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].op, Op::kUpdate);
  EXPECT_EQ(out[0].lsn, Lsn(77));
  EXPECT_FALSE(out[0].end_lsn.IsValid());
  EXPECT_EQ(out[0].ts, 1);
  EXPECT_EQ(out[0].row, (std::vector<Datum>{"5", "n", std::nullopt, std::nullopt}));
  EXPECT_EQ(out[0].unchanged, std::vector<uint32_t>({2}));
}

TEST(Jsonl, OneChangeReusedAcrossLinesHoldsExactlyEachLine) {
  // A bulk reader reuses one Change: nothing of a line may leak into the next.
  std::vector<Change> want;
  Change a = Base(Op::kUpdate);
  a.row = {"1", "long enough to live on the heap, not in the small buffer", "b", std::nullopt};
  a.has_old = true;
  a.old = {"0", std::nullopt, std::nullopt, std::nullopt};
  want.push_back(a);
  Change b = Base(Op::kUpdate);
  b.lsn = Lsn(5);
  b.row = {"2", std::nullopt, std::nullopt, ""};
  b.unchanged = {1, 2};
  want.push_back(b);
  Change c = Base(Op::kSnapshot);
  c.row = {"3", "x", std::nullopt, "y"};
  want.push_back(c);
  Change d = Base(Op::kDelete);
  d.has_old = true;
  d.old = {"4", std::nullopt, std::nullopt, std::nullopt};
  want.push_back(d);
  std::string text;
  for (const auto& w : want) EncodeJsonLine(Schema(), w, text);
  MemoryReader source(text);
  JsonLinesReader reader(Schema(), source, "reuse.jsonl");
  Change got;
  for (const auto& w : want) {
    ASSERT_TRUE(reader.Next(got));
    ExpectSame(w, got);
    EXPECT_EQ(got.old_kind, 'K');
  }
  EXPECT_FALSE(reader.Next(got));
}

TEST(Jsonl, MalformedJsonThrows) {
  ExpectStagingError("{\"op\":\"I\",\"lsn\":1,\n");
  ExpectStagingError("not json at all\n");
  ExpectStagingError("{\"op\":\"I\",\"lsn\":\"one\"}\n");
  ExpectStagingError("{\"op\":\"I\",\"row\":{\"id\":1}}\n");  // a value must be a string
  ExpectStagingError("\n");
}

TEST(Jsonl, TrailingGarbageAfterTheObjectThrows) {
  ExpectStagingError(R"({"op":"T","lsn":1,"seq":0,"xid":1,"ts":"1970-01-01T00:00:00.000000Z"} x)"
                     "\n");
}

TEST(Jsonl, UnknownOpThrows) {
  ExpectStagingError(R"({"op":"X","lsn":1,"seq":0,"xid":1,"ts":"1970-01-01T00:00:00.000000Z"})"
                     "\n",
                     "unknown op 'X'");
  ExpectStagingError(R"({"op":"II","lsn":1,"seq":0,"xid":1,"ts":"1970-01-01T00:00:00.000000Z"})"
                     "\n",
                     "unknown op");
}

TEST(Jsonl, UnknownColumnThrows) {
  ExpectStagingError(R"({"op":"I","lsn":1,"seq":0,"xid":1,"ts":"1970-01-01T00:00:00.000000Z",)"
                     R"("row":{"id":"1","nope":"x"}})"
                     "\n",
                     "nope");
  ExpectStagingError(R"({"op":"D","lsn":1,"seq":0,"xid":1,"ts":"1970-01-01T00:00:00.000000Z",)"
                     R"("old":{"ID":"1"}})"
                     "\n",
                     "ID");
  ExpectStagingError(R"({"op":"U","lsn":1,"seq":0,"xid":1,"ts":"1970-01-01T00:00:00.000000Z",)"
                     R"("row":{"id":"1"},"unchanged":["nope"]})"
                     "\n");
}

TEST(Jsonl, BadTimestampThrows) {
  ExpectStagingError(R"({"op":"T","lsn":1,"seq":0,"xid":1,"ts":"2026-11-26 17:48:08"})"
                     "\n",
                     "bad ts");
}

TEST(Jsonl, MissingFinalNewlineThrows) {
  Change c = Base(Op::kTruncate);
  std::string text;
  EncodeJsonLine(Schema(), c, text);
  EncodeJsonLine(Schema(), c, text);
  text.pop_back();
  ExpectStagingError(text, "line 2");
}

TEST(Jsonl, ErrorNamesTheLineNumber) {
  Change c = Base(Op::kTruncate);
  std::string text;
  EncodeJsonLine(Schema(), c, text);
  EncodeJsonLine(Schema(), c, text);
  text += "{broken\n";
  ExpectStagingError(text, "line 3");
}

TEST(UtcMicros, FormatKnownValues) {
  EXPECT_EQ(FormatUtcMicros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatUtcMicros(1795715288123456), "2026-11-26T17:48:08.123456Z");
  EXPECT_EQ(FormatUtcMicros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatUtcMicros(-2203894799500000), "1900-02-28T23:00:00.500000Z");
  EXPECT_EQ(FormatUtcMicros(951782400000000), "2000-02-29T00:00:00.000000Z");
}

TEST(UtcMicros, ParseKnownValues) {
  int64_t v = 123;
  ASSERT_TRUE(ParseUtcMicros("1970-01-01T00:00:00.000000Z", v));
  EXPECT_EQ(v, 0);
  ASSERT_TRUE(ParseUtcMicros("2026-11-26T17:48:08.123456Z", v));
  EXPECT_EQ(v, 1795715288123456);
  ASSERT_TRUE(ParseUtcMicros("1969-12-31T23:59:59.999999Z", v));
  EXPECT_EQ(v, -1);
}

TEST(UtcMicros, RoundTrip) {
  const int64_t values[] = {0,
                            1,
                            -1,
                            999999,
                            -1000000,
                            86399999999,
                            -86400000000,
                            951782400000000,
                            -2203894799500000,
                            1795715288123456,
                            -62135596800000000,   // 0001-01-01
                            253402300799999999};  // 9999-12-31T23:59:59.999999
  for (int64_t us : values) {
    std::string text = FormatUtcMicros(us);
    int64_t back = 0;
    ASSERT_TRUE(ParseUtcMicros(text, back)) << text;
    EXPECT_EQ(back, us) << text;
  }
}

TEST(UtcMicros, ParseRejectsOtherShapes) {
  int64_t v = 0;
  EXPECT_FALSE(ParseUtcMicros("", v));
  EXPECT_FALSE(ParseUtcMicros("2026-11-26T17:48:08Z", v));
  EXPECT_FALSE(ParseUtcMicros("2026-11-26T17:48:08.123456", v));
  EXPECT_FALSE(ParseUtcMicros("2026-11-26 17:48:08.123456Z", v));
  EXPECT_FALSE(ParseUtcMicros("2026-11-26T17:48:08.12345xZ", v));
  EXPECT_FALSE(ParseUtcMicros("20a6-11-26T17:48:08.123456Z", v));
  EXPECT_FALSE(ParseUtcMicros("2026-11-26T17:48:08.123456+", v));
}

}  // namespace
}  // namespace wharf::staging

namespace wharf::staging {
namespace {

// Lines exactly as EncodeJsonLine writes them are decoded by matching bytes;
// any other spelling of the same JSON goes through the JSON parser. Both must
// give the same change, for every op and awkward value; and a canonical-looking
// line that is not valid JSON must still be refused.
TEST(Jsonl, CanonicalLinesDecodeAsTheJsonParserDecodesThem) {
  std::vector<core::Datum> values = {std::nullopt, "", "plain", "quote \" and \\ backslash",
                                     "tab\tnew\nline\rcr", std::string("nul\0byte", 8), "\x01\x1f",
                                     "é ü 漢字 😀", "null", "{\"json\": [1, 2]}", std::string(5000, 'x')};
  std::vector<core::Change> changes;
  for (core::Op op : {core::Op::kInsert, core::Op::kUpdate, core::Op::kSnapshot, core::Op::kDelete,
                      core::Op::kTruncate}) {
    for (size_t i = 0; i < values.size(); ++i) {
      core::Change c = test::SampleChange(op);
      if (op != core::Op::kDelete && op != core::Op::kTruncate) c.row.resize(4);  // D and T stage none
      for (size_t k = 0; k < c.row.size(); ++k) c.row[k] = values[(i + k) % values.size()];
      c.end_lsn = i % 2 ? Lsn(900 + i) : Lsn();
      c.seq = static_cast<uint32_t>(i);
      changes.push_back(c);
    }
  }
  for (const auto& c : changes) {
    std::string line;
    EncodeJsonLine(test::SampleSchema(), c, line);
    // The same JSON with a space after the first colon: not byte-canonical.
    std::string spaced = line;
    spaced.insert(spaced.find(':') + 1, " ");
    auto fast = DecodeJsonLines(test::SampleSchema(), line, "fast.jsonl");
    auto slow = DecodeJsonLines(test::SampleSchema(), spaced, "slow.jsonl");
    ASSERT_EQ(fast.size(), 1u);
    ASSERT_EQ(slow.size(), 1u);
    SCOPED_TRACE(line);
    test::ExpectSameChange(c, fast[0]);
    test::ExpectSameChange(slow[0], fast[0]);
  }
  // Canonical in shape but not JSON: a raw control character, a bad escape, a
  // number with a leading zero, an unknown op. The parser refuses each.
  std::string good;
  EncodeJsonLine(test::SampleSchema(), changes[2], good);
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"plain", "pla\x01n"}, {"plain", "pl\\qin"}, {"\"lsn\":", "\"lsn\":0"}, {"\"op\":\"I\"", "\"op\":\"X\""}}) {
    std::string bad = good;
    size_t at = bad.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bad.replace(at, from.size(), to);
    ExpectStagingError(bad);
  }
}

}  // namespace
}  // namespace wharf::staging

namespace wharf::staging {
namespace {

// The word-at-a-time scan stops exactly where the byte-at-a-time one does.
TEST(Jsonl, PlainPrefixFindsTheFirstByteToEscape) {
  for (int stop : {0x22, 0x5c, 0x00, 0x01, 0x09, 0x1f}) {  // quote, backslash, controls
    for (size_t len = 0; len < 20; ++len) {
      for (size_t at = 0; at <= len; ++at) {
        std::string s(len, 'a');
        // Bytes around the stop that are close to the tested values but plain.
        for (size_t k = 0; k < len; ++k) s[k] = "a\x20\x7f\x80\xff!#[]"[k % 9];
        if (at < len) s[at] = static_cast<char>(stop);
        size_t want = 0;
        while (want < len && !JsonMustEscape(static_cast<unsigned char>(s[want]))) ++want;
        EXPECT_EQ(JsonPlainPrefix(s.data(), s.size()), want) << "stop " << stop << " len " << len << " at " << at;
      }
    }
  }
}

}  // namespace
}  // namespace wharf::staging
