// Tests of staged-file compression, checksums and the local-directory object store.
#include <gtest/gtest.h>
#include <zstd.h>

#include "unit/support/temp_dir.hpp"
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "staging/codec.hpp"
#include "staging/local_store.hpp"

namespace wharf::staging {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

std::string TextLike(size_t n) {
  std::string out;
  int i = 0;
  while (out.size() < n) {
    out += R"({"op":"I","lsn":)" + std::to_string(1000 + i) + R"(,"row":{"id":")" +
           std::to_string(i) + R"(","note":"some repetitive text"}})" + "\n";
    ++i;
  }
  out.resize(n);
  return out;
}

struct Written {
  std::string path;
  uint64_t stored_bytes;
  uint64_t raw_bytes;
  std::string checksum;
};

// Writes `data` in chunks of `chunk` bytes through an EncodingWriter.
Written WriteThrough(LocalStore& store, const std::string& path, const std::string& data,
                     Compression compression, size_t chunk = 4096) {
  EncodingWriter w(store.OpenWriter(path), compression);
  for (size_t i = 0; i < data.size(); i += chunk) w.Write(std::string_view(data).substr(i, chunk));
  w.Finish();
  return {path, w.stored_bytes(), w.raw_bytes(), w.checksum()};
}

class CodecTest : public ::testing::TestWithParam<Compression> {
 protected:
  TempDir dir_;
};

void CheckRoundTrip(const TempDir& dir, Compression c, const std::string& data, size_t chunk) {
  LocalStore store(dir.path());
  std::string path = "src/data/t/file.jsonl" + CompressionExtension(c);
  Written w = WriteThrough(store, path, data, c, chunk);
  ASSERT_TRUE(store.Exists(path));
  std::string stored = store.Read(path);
  EXPECT_EQ(w.stored_bytes, stored.size());
  EXPECT_EQ(w.stored_bytes, fs::file_size(dir.path() / path));
  EXPECT_EQ(w.raw_bytes, data.size());
  EXPECT_EQ(w.checksum, ChecksumOf(stored, ChecksumAlgo::kXxh128));
  EXPECT_EQ(w.checksum.size(), 7u + 32u) << w.checksum;
  EXPECT_EQ(w.checksum.substr(0, 7), "xxh128:");
  std::string back = Decompress(stored, c, path);
  EXPECT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data) << "decompressed content differs";
  if (c == Compression::kNone) {
    EXPECT_TRUE(stored == data);
  }
}

TEST_P(CodecTest, SmallRoundTrip) { CheckRoundTrip(dir_, GetParam(), "hello\nworld\n", 3); }

TEST_P(CodecTest, EmptyRoundTrip) { CheckRoundTrip(dir_, GetParam(), "", 1); }

TEST_P(CodecTest, LargeCompressibleRoundTrip) {
  // Over 1 MiB, so the writer's 1 MiB buffer is flushed more than once.
  CheckRoundTrip(dir_, GetParam(), TextLike((3u << 20) + 12345), 100000);
}

TEST_P(CodecTest, LargeIncompressibleRoundTrip) {
  CheckRoundTrip(dir_, GetParam(), RandomBytes((2u << 20) + 777, 1), 65536);
}

TEST_P(CodecTest, OneLargeWriteRoundTrip) {
  CheckRoundTrip(dir_, GetParam(), RandomBytes((5u << 20) + 1, 2), (5u << 20) + 1);
}

INSTANTIATE_TEST_SUITE_P(All, CodecTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd),
                         [](const auto& info) { return CompressionName(info.param); });

TEST(Codec, CompressionNames) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd})
    EXPECT_EQ(ParseCompression(CompressionName(c)), c);
  EXPECT_EQ(CompressionExtension(Compression::kNone), "");
  EXPECT_EQ(CompressionExtension(Compression::kGzip), ".gz");
  EXPECT_EQ(CompressionExtension(Compression::kZstd), ".zst");
  try {
    ParseCompression("lz4");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
  }
}

TEST(Codec, Sha256KnownValues) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

std::string Digits(size_t repeats) {
  std::string s;
  for (size_t i = 0; i < repeats; ++i) s += "0123456789";
  return s;
}

// XXH3-128 in canonical (big-endian) form; values checked with `xxhsum -H2` (xxHash 0.8.1).
TEST(Checksum, Xxh128KnownValues) {
  EXPECT_EQ(ChecksumOf(""), "xxh128:99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(ChecksumOf("abc"), "xxh128:06b05ab6733a618578af5f94892f3950");
  // 1 MB: XXH3's long-input path, streamed over many stripes and blocks.
  EXPECT_EQ(ChecksumOf(Digits(100000)), "xxh128:e409166af5d8c7c739e1c4f4008ba0e6");
}

TEST(Checksum, Sha256KnownValuesCarryTheirPrefix) {
  EXPECT_EQ(ChecksumOf("abc", ChecksumAlgo::kSha256),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ChecksumOf(Digits(100000), ChecksumAlgo::kSha256),
            "sha256:ec21d64624228af3ecd4bdaa8239e32ed943b01e26934cd5610fddb361426dc6");
}

TEST(Checksum, AlgorithmNamesRoundTripAndAnUnknownOneIsRefused) {
  for (ChecksumAlgo a : {ChecksumAlgo::kXxh128, ChecksumAlgo::kSha256}) {
    EXPECT_EQ(ChecksumAlgoOf(ChecksumOf("x", a), "f"), a);
    EXPECT_EQ(ChecksumOf("x", a).substr(0, 7), ChecksumAlgoName(a) + ":");
  }
  try {
    ChecksumAlgoOf("blake3:00ff", "store/main/data/f.jsonl");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    EXPECT_NE(e.message().find("store/main/data/f.jsonl"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("'blake3'"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("newer wharf"), std::string::npos) << e.what();
  }
}

TEST(Codec, CompressionActuallyCompresses) {
  TempDir dir;
  LocalStore store(dir.path());
  std::string data = TextLike(1 << 20);
  Written gz = WriteThrough(store, "a.gz", data, Compression::kGzip);
  Written zst = WriteThrough(store, "a.zst", data, Compression::kZstd);
  EXPECT_LT(gz.stored_bytes, data.size() / 4);
  EXPECT_LT(zst.stored_bytes, data.size() / 4);
  // Standard magic numbers, so the files can be read with gzip/zstd tools.
  std::string g = store.Read("a.gz"), z = store.Read("a.zst");
  EXPECT_EQ(static_cast<unsigned char>(g[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(g[1]), 0x8b);
  EXPECT_EQ(z.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
}

// Bulk effort (the first full load's files) is zstd's fast level: a valid
// frame that decodes to the same bytes, larger than level 1's.
TEST(Codec, BulkEffortIsAFasterZstdLevel) {
  TempDir dir;
  LocalStore store(dir.path());
  std::string data = TextLike(1 << 20);
  for (auto [path, effort] : {std::pair{"d.zst", Effort::kDefault}, std::pair{"b.zst", Effort::kBulk}}) {
    EncodingWriter w(store.OpenWriter(path), Compression::kZstd, effort);
    w.Write(data);
    w.Finish();
  }
  std::string d = store.Read("d.zst"), b = store.Read("b.zst");
  EXPECT_TRUE(Decompress(b, Compression::kZstd, "b.zst") == data);
  EXPECT_GT(b.size(), d.size());
  EXPECT_LT(b.size(), data.size() / 2);
}

// zstd files are a sequence of ~1 MB frames (EncodingWriter::CompressFrame):
// they read back whole, whatever the writes' sizes, and an empty file is one
// empty frame.
TEST(Codec, ZstdFilesOfManyFramesReadBackWhole) {
  TempDir dir;
  LocalStore store(dir.path());
  const std::string data = TextLike(3500000);
  {
    EncodingWriter w(store.OpenWriter("m.zst"), Compression::kZstd, Effort::kBulk);
    for (size_t i = 0; i < data.size(); i += 70001) w.Write(std::string_view(data).substr(i, 70001));
    w.Finish();
  }
  const std::string stored = store.Read("m.zst");
  size_t frames = 0;
  for (size_t at = 0; at < stored.size(); ++frames) {
    size_t n = ZSTD_findFrameCompressedSize(stored.data() + at, stored.size() - at);
    ASSERT_FALSE(ZSTD_isError(n));
    at += n;
  }
  EXPECT_GE(frames, 3u);
  EXPECT_TRUE(Decompress(stored, Compression::kZstd, "m.zst") == data);
  {
    EncodingWriter w(store.OpenWriter("e.zst"), Compression::kZstd);
    w.Finish();
  }
  EXPECT_EQ(Decompress(store.Read("e.zst"), Compression::kZstd, "e.zst"), "");
}

// Damaged bytes are caught by the checksum the manifest records, which the
// loader checks on every file it reads: that is the guarantee. Decompressing
// them must then fail loudly (kStaging), yield other content, or, where the
// flipped bit is one the format does not use (zstd frames carry no content
// checksum), yield the very same content; never anything else.
void ExpectDamageDetected(const std::string& original, const std::string& good_stored,
                          const std::string& damaged, Compression c) {
  EXPECT_NE(ChecksumOf(damaged), ChecksumOf(good_stored));
  try {
    std::string out = Decompress(damaged, c, "damaged-file");
    if (c != Compression::kZstd) {
      EXPECT_FALSE(out == original) << "damage went unnoticed by " << CompressionName(c);
    }
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.what();
    EXPECT_NE(e.message().find("damaged-file"), std::string::npos) << e.what();
  }
}

void ExpectDecompressThrows(const std::string& damaged, Compression c) {
  try {
    Decompress(damaged, c, "damaged-file");
    ADD_FAILURE() << "no error from " << CompressionName(c) << " for " << damaged.size()
                  << " damaged bytes";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.what();
    EXPECT_NE(e.message().find("damaged-file"), std::string::npos) << e.what();
  }
}

class DamageTest : public ::testing::TestWithParam<Compression> {};

TEST_P(DamageTest, TruncatedFileThrows) {
  Compression c = GetParam();
  TempDir dir;
  LocalStore store(dir.path());
  std::string data = TextLike(300000);
  WriteThrough(store, "f", data, c);
  std::string stored = store.Read("f");
  ASSERT_GT(stored.size(), 20u);
  for (size_t keep :
       {stored.size() - 1, stored.size() - 4, stored.size() / 2, size_t{10}, size_t{1}}) {
    SCOPED_TRACE(keep);
    ExpectDecompressThrows(stored.substr(0, keep), c);
  }
}

TEST_P(DamageTest, EmptyFileThrows) {
  if (GetParam() == Compression::kZstd) {
  }
  ExpectDecompressThrows("", GetParam());
}

TEST_P(DamageTest, BitFlipIsDetected) {
  Compression c = GetParam();
  TempDir dir;
  LocalStore store(dir.path());
  std::string data = TextLike(300000);
  WriteThrough(store, "f", data, c);
  std::string stored = store.Read("f");
  for (size_t pos : {size_t{20}, stored.size() / 3, stored.size() / 2, stored.size() - 12}) {
    for (int bit : {0, 3, 7}) {
      SCOPED_TRACE(testing::Message() << "pos " << pos << " bit " << bit);
      std::string damaged = stored;
      damaged[pos] = static_cast<char>(damaged[pos] ^ (1 << bit));
      ExpectDamageDetected(data, stored, damaged, c);
    }
  }
}

TEST_P(DamageTest, AppendedBytesThrow) {
  Compression c = GetParam();
  if (c == Compression::kGzip) {
  }
  TempDir dir;
  LocalStore store(dir.path());
  std::string data = TextLike(50000);
  WriteThrough(store, "f", data, c);
  std::string stored = store.Read("f");
  ExpectDecompressThrows(stored + "garbage after the end", c);
  ExpectDecompressThrows(stored + stored.substr(0, stored.size() / 2), c);
}

TEST_P(DamageTest, GarbageThrows) { ExpectDecompressThrows(RandomBytes(1000, 7), GetParam()); }

INSTANTIATE_TEST_SUITE_P(Compressed, DamageTest,
                         ::testing::Values(Compression::kGzip, Compression::kZstd),
                         [](const auto& info) { return CompressionName(info.param); });

TEST(Codec, GzipBitFlipThrows) {
  // gzip carries a CRC-32 of the content: any flip in the deflate data or trailer is an error.
  TempDir dir;
  LocalStore store(dir.path());
  std::string data = TextLike(200000);
  WriteThrough(store, "f.gz", data, Compression::kGzip);
  std::string stored = store.Read("f.gz");
  for (size_t pos : {stored.size() / 2, stored.size() - 8, stored.size() - 1}) {
    SCOPED_TRACE(pos);
    std::string damaged = stored;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x10);
    ExpectDecompressThrows(damaged, Compression::kGzip);
  }
}

TEST(Codec, NoneIsIdentity) {
  std::string bytes = RandomBytes(1000, 3);
  EXPECT_TRUE(Decompress(bytes, Compression::kNone, "f") == bytes);
  EXPECT_EQ(Decompress("", Compression::kNone, "f"), "");
}

TEST(Codec, UnfinishedWriterLeavesNoFile) {
  TempDir dir;
  LocalStore store(dir.path());
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    {
      EncodingWriter w(store.OpenWriter("d/unfinished"), c);
      w.Write(RandomBytes((2u << 20) + 5, 4));  // enough to reach the file before Finish()
    }
    EXPECT_FALSE(store.Exists("d/unfinished"));
    EXPECT_TRUE(store.List("").empty()) << store.List("")[0];
  }
}

TEST(LocalStore, UncommittedWriterLeavesNoFile) {
  TempDir dir;
  LocalStore store(dir.path());
  {
    auto w = store.OpenWriter("a/b/c.json");
    w->Write("data");
  }
  EXPECT_FALSE(store.Exists("a/b/c.json"));
  EXPECT_TRUE(store.List("").empty());
}

TEST(LocalStore, NothingVisibleBeforeCommit) {
  TempDir dir;
  LocalStore store(dir.path());
  auto w = store.OpenWriter("x/y.json");
  w->Write("{}");
  EXPECT_FALSE(store.Exists("x/y.json"));
  w->Commit();
  EXPECT_TRUE(store.Exists("x/y.json"));
  EXPECT_EQ(store.Read("x/y.json"), "{}");
  EXPECT_EQ(store.List(""), std::vector<std::string>({"x/y.json"}));
}

TEST(LocalStore, PutReplacesAtomically) {
  TempDir dir;
  LocalStore store(dir.path());
  store.Put("s/state/capture.json", "first");
  store.Put("s/state/capture.json", "second, longer");
  EXPECT_EQ(store.Read("s/state/capture.json"), "second, longer");
  EXPECT_EQ(store.List("s").size(), 1u);
}

TEST(LocalStore, ListIsRecursiveSortedAndRelativeToTheRoot) {
  TempDir dir;
  LocalStore store(dir.path());
  store.Put("main/data/public/t/2026/11/27/00000000000000000003.jsonl", "c");
  store.Put("main/data/public/t/2026/11/26/00000000000000000002.jsonl", "b");
  store.Put("main/data/public/a/2026/11/26/00000000000000000001.jsonl", "a");
  store.Put("main/manifests/00000000000000000001.json", "m");
  store.Put("other/manifests/00000000000000000001.json", "o");
  std::vector<std::string> want = {
      "main/data/public/a/2026/11/26/00000000000000000001.jsonl",
      "main/data/public/t/2026/11/26/00000000000000000002.jsonl",
      "main/data/public/t/2026/11/27/00000000000000000003.jsonl",
  };
  EXPECT_EQ(store.List("main/data/"), want);
  EXPECT_EQ(store.List("main/data"), want);
  EXPECT_EQ(store.List("main/manifests/"),
            std::vector<std::string>({"main/manifests/00000000000000000001.json"}));
  EXPECT_EQ(store.List("").size(), 5u);
  std::vector<std::string> all = store.List("");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_TRUE(store.List("missing/").empty());
  // Directories are not objects.
  for (const auto& p : store.List("")) EXPECT_TRUE(fs::is_regular_file(dir.path() / p)) << p;
}

TEST(LocalStore, RemoveAndExists) {
  TempDir dir;
  LocalStore store(dir.path());
  store.Put("a/one", "1");
  store.Put("a/two", "2");
  EXPECT_TRUE(store.Exists("a/one"));
  store.Remove("a/one");
  EXPECT_FALSE(store.Exists("a/one"));
  EXPECT_TRUE(store.Exists("a/two"));
  EXPECT_EQ(store.List("a"), std::vector<std::string>({"a/two"}));
  store.Remove("a/never-existed");  // not an error
  EXPECT_EQ(store.List("a").size(), 1u);
}

TEST(LocalStore, ReadOfAMissingFileThrowsStaging) {
  TempDir dir;
  LocalStore store(dir.path());
  try {
    store.Read("nope.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    EXPECT_NE(e.message().find("nope.json"), std::string::npos) << e.what();
  }
}

TEST(LocalStore, BinaryContentIsPreserved) {
  TempDir dir;
  LocalStore store(dir.path());
  std::string bytes = RandomBytes(200000, 9);
  store.Put("bin", bytes);
  EXPECT_TRUE(store.Read("bin") == bytes);
}

TEST(LocalStore, OpenObjectStoreResolvesRelativePaths) {
  TempDir dir;
  auto store = OpenObjectStore("file://./stage", dir.path().string());
  store->Put("x", "1");
  EXPECT_TRUE(fs::exists(dir.path() / "stage" / "x"));
  auto plain = OpenObjectStore((dir.path() / "plain").string(), "/nonexistent");
  plain->Put("y", "2");
  EXPECT_TRUE(fs::exists(dir.path() / "plain" / "y"));
  core::StagingConfig s3;
  s3.url = "s3://bucket/prefix";
  s3.s3.endpoint = "http://127.0.0.1:1";
  s3.s3.access_key_id = "AKID";
  s3.s3.secret_access_key = "not-shown";
  auto remote = OpenObjectStore(s3, dir.path().string());
  EXPECT_EQ(remote->Describe(), "s3://bucket/prefix");
}

}  // namespace
}  // namespace wharf::staging
