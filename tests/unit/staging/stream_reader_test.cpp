// Tests of the streaming read path the loader uses for staged files of any size:
// LocalStore::OpenReader, incremental SHA-256, DecodingReader (none/gzip/zstd) and
// JsonLinesReader, with pieces as small as one byte so that every line, escape and
// compressed block is split at every possible position.
#include <gtest/gtest.h>

#include "unit/support/temp_dir.hpp"
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "core/relation.hpp"
#include "staging/codec.hpp"
#include "staging/jsonl.hpp"
#include "staging/local_store.hpp"

namespace wharf::staging {
namespace {

namespace fs = std::filesystem;
using core::Change;
using core::Datum;
using core::Op;

using test::TempDir;

std::string RandomText(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>('a' + rng() % 26);
  return out;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

// Compresses `data` into a store object and returns the stored bytes.
std::string Stored(LocalStore& store, const std::string& path, const std::string& data,
                   Compression c) {
  EncodingWriter w(store.OpenWriter(path), c);
  w.Write(data);
  w.Finish();
  return store.Read(path);
}

// Reads everything `reader` yields, `piece` bytes per call.
std::string Drain(ObjectReader& reader, size_t piece) {
  std::string out;
  std::string buf(piece, '\0');
  while (size_t n = reader.Read(buf.data(), buf.size())) {
    EXPECT_LE(n, piece);
    out.append(buf.data(), n);
  }
  EXPECT_EQ(reader.Read(buf.data(), buf.size()), 0u) << "a reader at its end stays at its end";
  return out;
}

// ---- LocalStore::OpenReader and Sha256

TEST(ObjectReader, LocalStoreStreamsAFileInPieces) {
  TempDir dir;
  LocalStore store(dir.path());
  std::string data = RandomBytes((3u << 20) + 5, 1);
  store.Put("a/b/file.bin", data);
  for (size_t piece : {size_t{1} << 20, size_t{4096}}) {
    auto reader = store.OpenReader("a/b/file.bin");
    EXPECT_TRUE(Drain(*reader, piece) == data) << piece;
  }
  store.Put("small", data.substr(0, 100000));
  auto reader = store.OpenReader("small");
  EXPECT_TRUE(Drain(*reader, 7) == data.substr(0, 100000));
}

TEST(ObjectReader, MissingObjectIsAStagingErrorNamingIt) {
  TempDir dir;
  LocalStore store(dir.path());
  try {
    store.OpenReader("src/data/nope.jsonl.zst");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    EXPECT_NE(e.message().find("nope.jsonl.zst"), std::string::npos) << e.what();
  }
}

TEST(ObjectReader, MemoryReaderHandsOutAtMostMaxRead) {
  std::string data = "0123456789";
  MemoryReader r(data, 3);
  char buf[8];
  EXPECT_EQ(r.Read(buf, sizeof buf), 3u);
  EXPECT_EQ(Drain(r, 8), "3456789");
}

TEST(Sha256, IncrementalEqualsWhole) {
  std::string data = RandomBytes(1000003, 2);
  for (size_t piece : {size_t{1}, size_t{63}, size_t{64}, size_t{65536}, data.size()}) {
    if (piece == 1 && data.size() > 5000) {
      Sha256 small;
      for (size_t i = 0; i < 5000; ++i) small.Update(std::string_view(data).substr(i, 1));
      EXPECT_EQ(small.HexDigest(), Sha256Hex(data.substr(0, 5000)));
      continue;
    }
    Sha256 sha;
    for (size_t i = 0; i < data.size(); i += piece) sha.Update(std::string_view(data).substr(i, piece));
    EXPECT_EQ(sha.HexDigest(), Sha256Hex(data)) << piece;
  }
  Sha256 empty;
  EXPECT_EQ(empty.HexDigest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Checksum, IncrementalEqualsWholeForEachAlgorithm) {
  std::string data = RandomBytes(1000003, 3);
  for (ChecksumAlgo algo : {ChecksumAlgo::kXxh128, ChecksumAlgo::kSha256}) {
    // Piece sizes around XXH3's 64-byte stripes, 240-byte short-input limit and 1 KiB blocks.
    for (size_t piece : {size_t{1}, size_t{63}, size_t{64}, size_t{240}, size_t{1025},
                         size_t{65536}, data.size()}) {
      std::string_view whole = piece == 1 ? std::string_view(data).substr(0, 5000) : data;
      Checksum sum(algo);
      for (size_t i = 0; i < whole.size(); i += piece) sum.Update(whole.substr(i, piece));
      EXPECT_EQ(sum.Finish(), ChecksumOf(whole, algo)) << ChecksumAlgoName(algo) << " " << piece;
    }
  }
  EXPECT_EQ(ChecksumOf(data, ChecksumAlgo::kSha256), "sha256:" + Sha256Hex(data));
  EXPECT_NE(ChecksumOf(data), ChecksumOf(data.substr(0, data.size() - 1)));
}

TEST(HashingReader, TalliesWithTheAlgorithmItIsGiven) {
  std::string data = RandomBytes(300000, 4);
  for (ChecksumAlgo algo : {ChecksumAlgo::kXxh128, ChecksumAlgo::kSha256}) {
    HashingReader reader(std::make_unique<MemoryReader>(data, 7000), algo);
    auto tally = reader.tally();
    EXPECT_TRUE(Drain(reader, 4096) == data);
    EXPECT_EQ(tally->bytes, data.size());
    EXPECT_EQ(tally->sum.Finish(), ChecksumOf(data, algo));
  }
}

// ---- DecodingReader

class DecodingReaderTest : public ::testing::TestWithParam<Compression> {
 protected:
  TempDir dir_;
};

TEST_P(DecodingReaderTest, RoundTripsWithAnyPieceSizes) {
  Compression c = GetParam();
  LocalStore store(dir_.path());
  std::string data = RandomText(200000, 3) + RandomBytes(300000, 4);
  std::string stored = Stored(store, "f", data, c);
  struct Sizes {
    size_t source_max_read, input_size, output_piece;
  };
  for (Sizes s : {Sizes{SIZE_MAX, 1 << 20, 1 << 20}, Sizes{SIZE_MAX, 1 << 20, 1},
                  Sizes{1, 1, 4096}, Sizes{13, 7, 3}, Sizes{SIZE_MAX, 64, 65536}}) {
    SCOPED_TRACE(testing::Message() << s.source_max_read << "/" << s.input_size << "/"
                                    << s.output_piece);
    if (s.output_piece < 4 && data.size() > 100000) {
      // One byte at a time through the whole stream is slow: a shorter one says the same.
      std::string small = data.substr(0, 20000);
      std::string small_stored = Stored(store, "g", small, c);
      DecodingReader r(std::make_unique<MemoryReader>(small_stored, s.source_max_read), c, "g",
                       s.input_size);
      EXPECT_TRUE(Drain(r, s.output_piece) == small);
      EXPECT_EQ(r.stored_bytes(), small_stored.size());
      continue;
    }
    DecodingReader r(std::make_unique<MemoryReader>(stored, s.source_max_read), c, "f",
                     s.input_size);
    EXPECT_TRUE(Drain(r, s.output_piece) == data);
    EXPECT_EQ(r.stored_bytes(), stored.size());
  }
}

TEST_P(DecodingReaderTest, ReadsFromTheStore) {
  Compression c = GetParam();
  LocalStore store(dir_.path());
  std::string data = RandomText((3u << 20) + 11, 5);
  Stored(store, "x/f", data, c);
  DecodingReader r(store.OpenReader("x/f"), c, "x/f");
  EXPECT_TRUE(Drain(r, 1 << 20) == data);
}

TEST_P(DecodingReaderTest, EmptyStream) {
  Compression c = GetParam();
  LocalStore store(dir_.path());
  std::string stored = Stored(store, "f", "", c);
  DecodingReader r(std::make_unique<MemoryReader>(stored, 1), c, "f", 1);
  EXPECT_EQ(Drain(r, 5), "");
}

INSTANTIATE_TEST_SUITE_P(All, DecodingReaderTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd),
                         [](const auto& info) { return CompressionName(info.param); });

void ExpectReaderThrows(const std::string& stored, Compression c, size_t max_read) {
  try {
    DecodingReader r(std::make_unique<MemoryReader>(stored, max_read), c, "damaged-file", 16);
    Drain(r, 1000);
    ADD_FAILURE() << "no error from " << CompressionName(c) << " for " << stored.size() << " bytes";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.what();
    EXPECT_NE(e.message().find("damaged-file"), std::string::npos) << e.what();
  }
}

class StreamDamageTest : public ::testing::TestWithParam<Compression> {};

TEST_P(StreamDamageTest, EveryTruncationThrows) {
  // A streamed file cut anywhere must fail at its end, however the pieces fall.
  Compression c = GetParam();
  TempDir dir;
  LocalStore store(dir.path());
  std::string stored = Stored(store, "f", RandomText(3000, 6) + std::string(3000, 'x'), c);
  for (size_t keep = 0; keep < stored.size(); ++keep) {
    SCOPED_TRACE(keep);
    ExpectReaderThrows(stored.substr(0, keep), c, keep % 2 ? 1 : SIZE_MAX);
  }
}

TEST_P(StreamDamageTest, BytesAfterTheStreamThrow) {
  Compression c = GetParam();
  TempDir dir;
  LocalStore store(dir.path());
  std::string stored = Stored(store, "f", RandomText(5000, 7), c);
  ExpectReaderThrows(stored + "x", c, SIZE_MAX);
  ExpectReaderThrows(stored + "garbage after the end", c, 3);
  ExpectReaderThrows(stored + stored.substr(0, stored.size() / 2), c, SIZE_MAX);
}

INSTANTIATE_TEST_SUITE_P(Compressed, StreamDamageTest,
                         ::testing::Values(Compression::kGzip, Compression::kZstd),
                         [](const auto& info) { return CompressionName(info.param); });

// ---- JsonLinesReader

core::RelationSchema Schema() {
  core::RelationSchema s;
  s.oid = 7;
  s.table = {"public", "docs"};
  s.columns = {{"id", 23, -1, true}, {"note", 25, -1, false}, {"body", 25, -1, false}};
  return s;
}

Change Make(Op op, uint32_t seq, std::vector<Datum> row, std::vector<Datum> old = {}) {
  Change c;
  c.op = op;
  c.lsn = Lsn(1000 + seq);
  c.seq = seq;
  c.xid = 5;
  c.ts = 1795715288123456;
  c.row = std::move(row);
  if (!old.empty()) {
    c.old = std::move(old);
    c.has_old = true;
    c.old_kind = c.old[1] ? 'O' : 'K';
  }
  return c;
}

void ExpectSame(const Change& want, const Change& got) {
  EXPECT_EQ(static_cast<char>(got.op), static_cast<char>(want.op));
  EXPECT_EQ(got.lsn, want.lsn);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.ts, want.ts);
  EXPECT_TRUE(got.row == want.row);
  EXPECT_EQ(got.has_old, want.has_old);
  EXPECT_TRUE(got.old == want.old);
  if (want.has_old) {
    EXPECT_EQ(got.old_kind, want.old_kind);
  }
  EXPECT_EQ(got.unchanged, want.unchanged);
}

// Changes with awkward values: escapes, multibyte UTF-8, empty strings, NULLs,
// and values longer than the read sizes used below.
std::vector<Change> Awkward() {
  std::vector<Change> in;
  in.push_back(Make(Op::kInsert, 0, {"1", "tab\there \"quoted\" back\\slash\nnew line", ""}));
  in.push_back(Make(Op::kInsert, 1, {"2", std::string("ctl \x01\x1f end"), std::nullopt}));
  in.push_back(Make(Op::kUpdate, 2, {"2", "héllo ☃ 😀", "x"}, {"2", "old", std::nullopt}));
  in.push_back(Make(Op::kInsert, 3, {"3", "n", RandomText(70000, 8)}));
  Change u = Make(Op::kUpdate, 4, {"3", "n2", std::nullopt}, {"3", std::nullopt, std::nullopt});
  u.unchanged = {2};
  in.push_back(u);
  in.push_back(Make(Op::kDelete, 5, {}, {"1", std::nullopt, std::nullopt}));
  in.push_back(Make(Op::kTruncate, 6, {}));
  in.push_back(Make(Op::kSnapshot, 7, {"9", "\\\\\\\"", std::string(5000, '\\')}));
  return in;
}

std::string Encode(const std::vector<Change>& in) {
  std::string text;
  for (const auto& c : in) EncodeJsonLine(Schema(), c, text);
  return text;
}

std::vector<Change> ReadAll(const std::string& text, size_t read_size, size_t source_max_read,
                            std::vector<size_t>* line_bytes = nullptr) {
  MemoryReader source(text, source_max_read);
  JsonLinesReader reader(Schema(), source, "t.jsonl", read_size);
  std::vector<Change> out;
  Change c;
  while (reader.Next(c)) {
    out.push_back(c);
    if (line_bytes) line_bytes->push_back(reader.line_bytes());
    EXPECT_EQ(reader.line_number(), out.size());
  }
  EXPECT_FALSE(reader.Next(c)) << "a reader at its end stays at its end";
  return out;
}

TEST(JsonLinesReader, SameChangesWhateverTheReadSizes) {
  auto in = Awkward();
  std::string text = Encode(in);
  for (size_t read_size : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{4096},
                           size_t{1} << 20}) {
    for (size_t max_read : {size_t{1}, size_t{5}, SIZE_MAX}) {
      if (read_size == 1 && max_read != 1) continue;  // same splits as max_read 1
      SCOPED_TRACE(testing::Message() << "read " << read_size << " source " << max_read);
      std::vector<size_t> bytes;
      auto out = ReadAll(text, read_size, max_read, &bytes);
      ASSERT_EQ(out.size(), in.size());
      size_t total = 0;
      for (size_t i = 0; i < in.size(); ++i) {
        SCOPED_TRACE(i);
        ExpectSame(in[i], out[i]);
        total += bytes[i];
      }
      EXPECT_EQ(total, text.size());
    }
  }
}

TEST(JsonLinesReader, LineMuchLargerThanTheReadSize) {
  // A 6 MB value read 4 KB at a time, then short lines: the buffer grows for the
  // long line and the short ones after it decode without leftovers.
  std::vector<Change> in;
  in.push_back(Make(Op::kInsert, 0, {"1", "a", RandomText(6u << 20, 9)}));
  for (uint32_t i = 1; i < 50; ++i)
    in.push_back(Make(Op::kInsert, i, {std::to_string(i), std::to_string(i * 7), "b"}));
  in.push_back(Make(Op::kInsert, 50, {"50", "z", RandomText(100000, 10) + "\n\"\\"}));
  std::string text = Encode(in);
  auto out = ReadAll(text, 4096, 1000);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSame(in[i], out[i]);
  }
}

TEST(JsonLinesReader, ThroughCompressionFromTheStore) {
  TempDir dir;
  LocalStore store(dir.path());
  auto in = Awkward();
  for (uint32_t i = 100; i < 3000; ++i)
    in.push_back(Make(Op::kInsert, i, {std::to_string(i), RandomText(i % 300, i), std::nullopt}));
  std::string text = Encode(in);
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    SCOPED_TRACE(CompressionName(c));
    Stored(store, "f", text, c);
    DecodingReader decoded(store.OpenReader("f"), c, "f", 333);
    JsonLinesReader reader(Schema(), decoded, "f", 1000);
    Change got;
    size_t n = 0;
    while (reader.Next(got)) {
      ASSERT_LT(n, in.size());
      ExpectSame(in[n], got);
      ++n;
    }
    EXPECT_EQ(n, in.size());
  }
}

TEST(JsonLinesReader, HandWrittenEscapesAcrossSplits) {
  // Escapes wharf's encoder never writes but JSON allows: \/ \b \f \uXXXX and a surrogate pair.
  std::string line =
      R"({"op":"I","lsn":1,"seq":0,"xid":1,"ts":"1970-01-01T00:00:00.000000Z",)"
      R"("row":{"id":"1","note":"a\/b\bc\fd\u00e9\u2603\ud83d\ude00\u0000z","body":null}})"
      "\n";
  for (size_t read_size : {size_t{1}, size_t{3}, size_t{1000}}) {
    auto out = ReadAll(line, read_size, SIZE_MAX);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].row[1], Datum(std::string("a/b\bc\fdé☃😀\0z", 18)));
    EXPECT_FALSE(out[0].row[2].has_value());
  }
}

void ExpectReadError(const std::string& text, size_t read_size, const std::string& needle) {
  try {
    ReadAll(text, read_size, SIZE_MAX);
    ADD_FAILURE() << "no error for " << text.substr(0, 200);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.what();
    EXPECT_NE(e.message().find("t.jsonl"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find(needle), std::string::npos) << e.what();
  }
}

TEST(JsonLinesReader, ErrorsNameTheLineAcrossSplits) {
  std::string good = Encode(Awkward());
  for (size_t read_size : {size_t{1}, size_t{100}, size_t{1} << 20}) {
    SCOPED_TRACE(read_size);
    ExpectReadError(good + "{\"op\":\"X\",\"lsn\":1}\n", read_size, "line 9 is malformed");
    ExpectReadError(good + "{\"op\":\"I\",\"row\":{\"id\":1}}\n", read_size, "not a string");
    ExpectReadError(good + "{\"op\":\"I\",\"row\":{\"id\":\"\\q\"}}\n", read_size, "bad escape");
    ExpectReadError(good + "{\"op\":\"I\",\"row\":{\"id\":\"\\udc00\"}}\n", read_size,
                    "bad escape");
    ExpectReadError(good + "{\"op\":\"I\",\"row\":{\"id\":\"\\ud800x\"}}\n", read_size,
                    "bad escape");
    ExpectReadError(good + "{\"op\":\"I\",\"row\":{\"nope\":\"1\"}}\n", read_size,
                    "column 'nope'");
    // The stream ends inside a line: truncated, not silently shorter.
    ExpectReadError(good.substr(0, good.size() - 1), read_size, "line 8 has no end");
    ExpectReadError(good + "{\"op\":\"I\"", read_size, "line 9 has no end");
  }
}

TEST(JsonLinesReader, DecodeJsonLinesStillDecodesWholeTexts) {
  auto in = Awkward();
  auto out = DecodeJsonLines(Schema(), Encode(in), "x");
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) ExpectSame(in[i], out[i]);
}

}  // namespace
}  // namespace wharf::staging
