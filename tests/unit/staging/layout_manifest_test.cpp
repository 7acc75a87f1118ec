// Tests of staged object paths (layout) and of batch manifests' JSON form.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/relation.hpp"
#include "staging/layout.hpp"
#include "staging/manifest.hpp"

namespace wharf::staging {
namespace {

TEST(Layout, EncodePathSegmentKeepsSafeCharacters) {
  EXPECT_EQ(EncodePathSegment("orders"), "orders");
  EXPECT_EQ(EncodePathSegment("Order_Items-2.v1"), "Order_Items-2.v1");
}

TEST(Layout, EncodePathSegmentEscapesEverythingElse) {
  EXPECT_EQ(EncodePathSegment("Order Items"), "Order%20Items");
  EXPECT_EQ(EncodePathSegment("a/b"), "a%2Fb");
  EXPECT_EQ(EncodePathSegment("a\"b"), "a%22b");
  EXPECT_EQ(EncodePathSegment("a%b"), "a%25b");
  EXPECT_EQ(EncodePathSegment("a\\b"), "a%5Cb");
  EXPECT_EQ(EncodePathSegment("é"), "%C3%A9");
  EXPECT_EQ(EncodePathSegment("日"), "%E6%97%A5");
}

TEST(Layout, EncodePathSegmentNeverStartsWithADot) {
  EXPECT_EQ(EncodePathSegment(".hidden"), "%2Ehidden");
  EXPECT_EQ(EncodePathSegment(".."), "%2E.");
  EXPECT_EQ(EncodePathSegment("."), "%2E");
  EXPECT_EQ(EncodePathSegment("a.b"), "a.b");
}

TEST(Layout, EncodePathSegmentIsInjective) {
  // Names that differ must map to different segments ('%' itself is escaped).
  EXPECT_NE(EncodePathSegment("a b"), EncodePathSegment("a%20b"));
  EXPECT_NE(EncodePathSegment("A"), EncodePathSegment("a"));
  EXPECT_NE(EncodePathSegment(".x"), EncodePathSegment("%2Ex"));
}

TEST(Layout, ManifestPathRoundTrip) {
  EXPECT_EQ(ManifestPrefix("main"), "main/manifests/");
  EXPECT_EQ(ManifestPath("main", 42), "main/manifests/00000000000000000042.json");
  for (uint64_t seq :
       {uint64_t{0}, uint64_t{1}, uint64_t{42}, uint64_t{1234567890123}, UINT64_MAX}) {
    std::string p = ManifestPath("main", seq);
    auto back = ManifestSeq(p);
    ASSERT_TRUE(back.has_value()) << p;
    EXPECT_EQ(*back, seq);
  }
  EXPECT_EQ(ManifestSeq("00000000000000000007.json"), std::optional<uint64_t>(7));
}

TEST(Layout, ManifestSeqRejectsOtherNames) {
  EXPECT_FALSE(ManifestSeq("main/manifests/42.json").has_value());
  EXPECT_FALSE(ManifestSeq("main/manifests/00000000000000000042.jsonx").has_value());
  EXPECT_FALSE(ManifestSeq("main/manifests/00000000000000000042.txt").has_value());
  EXPECT_FALSE(ManifestSeq("main/manifests/0000000000000000004a.json").has_value());
  EXPECT_FALSE(ManifestSeq("main/manifests/-0000000000000000042.json").has_value());
  EXPECT_FALSE(ManifestSeq("main/manifests/99999999999999999999.json").has_value());  // > 2^64
  EXPECT_FALSE(ManifestSeq("main/manifests/00000000000000000042.json.tmp-12-0").has_value());
  EXPECT_FALSE(ManifestSeq("main/manifests/").has_value());
  EXPECT_FALSE(ManifestSeq("").has_value());
}

TEST(Layout, DataPathShape) {
  // 2026-11-26T17:48:08.123456Z
  std::string p = DataPath("main", {"public", "Order Items"}, 1795715288123456, 42, 0, "jsonl.zst");
  EXPECT_EQ(p, "main/data/public/Order%20Items/2026/11/26/00000000000000000042.jsonl.zst");
  EXPECT_EQ(p.rfind(DataPrefix("main"), 0), 0u);
  std::string part = DataPath("main", {"sales", "t"}, 0, 7, 3, "jsonl");
  EXPECT_EQ(part, "main/data/sales/t/1970/01/01/00000000000000000007_3.jsonl");
  // Day boundary: the last microsecond of 2000-02-28 and the first of 2000-02-29.
  EXPECT_NE(DataPath("s", {"a", "b"}, 951782399999999, 1, 0, "jsonl").find("/2000/02/28/"),
            std::string::npos);
  EXPECT_NE(DataPath("s", {"a", "b"}, 951782400000000, 1, 0, "jsonl").find("/2000/02/29/"),
            std::string::npos);
}

TEST(Layout, DataPathBefore1970) {
  // Whole seconds before the epoch.
  EXPECT_NE(DataPath("s", {"a", "b"}, -86400000000, 1, 0, "jsonl").find("/1969/12/31/"),
            std::string::npos);
  EXPECT_NE(DataPath("s", {"a", "b"}, -1000000, 1, 0, "jsonl").find("/1969/12/31/"),
            std::string::npos);
}

TEST(Layout, DataPathBefore1970WithFractionalSecond) {
  // -1 us is 1969-12-31T23:59:59.999999Z, but the seconds are truncated toward zero.
  EXPECT_NE(DataPath("s", {"a", "b"}, -1, 1, 0, "jsonl").find("/1969/12/31/"), std::string::npos)
      << DataPath("s", {"a", "b"}, -1, 1, 0, "jsonl");
}

TEST(Layout, DataPathEncodesSchemaAndTable) {
  std::string p = DataPath("main", {"my/schema", ".t"}, 0, 1, 0, "jsonl");
  EXPECT_EQ(p, "main/data/my%2Fschema/%2Et/1970/01/01/00000000000000000001.jsonl");
}

TEST(Layout, DataFileSeq) {
  EXPECT_EQ(DataFileSeq(DataPath("main", {"public", "t"}, 0, 42, 0, "jsonl.zst")),
            std::optional<uint64_t>(42));
  EXPECT_EQ(DataFileSeq(DataPath("main", {"public", "t"}, 0, 42, 5, "jsonl.gz")),
            std::optional<uint64_t>(42));
  EXPECT_EQ(DataFileSeq(DataPath("main", {"public", "t"}, 0, UINT64_MAX, 1, "jsonl")),
            std::optional<uint64_t>(UINT64_MAX));
  EXPECT_EQ(DataFileSeq("00000000000000000009.jsonl"), std::optional<uint64_t>(9));
  EXPECT_FALSE(DataFileSeq("main/data/public/t/2026/11/26/notes.jsonl").has_value());
  EXPECT_FALSE(DataFileSeq("main/data/public/t/2026/11/26/").has_value());
  EXPECT_FALSE(DataFileSeq("").has_value());
}

TEST(Layout, StatePath) { EXPECT_EQ(StatePath("main", "capture"), "main/state/capture.json"); }

core::RelationSchema Relation() {
  core::RelationSchema r;
  r.oid = 16385;
  r.table = {"public", "Order \"Items\""};
  r.replica_identity = 'f';
  r.columns = {{"id", 20, -1, true}, {"amount", 1700, 655366, false}, {"note ü", 25, -1, false}};
  return r;
}

Manifest Sample() {
  Manifest m;
  m.source = "main";
  m.seq = 42;
  m.first_lsn = Lsn(0x16B374D848ull);
  m.last_lsn = Lsn(0x16B374E000ull);
  m.end_lsn = Lsn(0x16B374E100ull);
  m.transactions = 17;
  m.created_at = 1795715288123456;
  ManifestFile f;
  f.path = "main/data/public/x/2026/11/26/00000000000000000042.jsonl.zst";
  f.relation = Relation();
  f.rows = 100;
  f.bytes = 2048;
  f.checksum = "xxh128:" + std::string(32, 'a');
  f.ops = {{'I', 60}, {'U', 30}, {'D', 10}};
  f.compression = "zstd";
  m.files.push_back(f);
  ManifestFile g = f;
  g.path = "main/data/public/x/2026/11/26/00000000000000000042_1.jsonl";
  g.relation.columns.pop_back();
  g.relation.replica_identity = 'd';
  g.ops = {{'T', 1}};
  g.compression = "none";
  m.files.push_back(g);
  return m;
}

void ExpectSameManifest(const Manifest& a, const Manifest& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.first_lsn, b.first_lsn);
  EXPECT_EQ(a.last_lsn, b.last_lsn);
  EXPECT_EQ(a.end_lsn, b.end_lsn);
  EXPECT_EQ(a.transactions, b.transactions);
  EXPECT_EQ(a.created_at, b.created_at);
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    EXPECT_EQ(a.files[i].relation, b.files[i].relation);
    EXPECT_EQ(a.files[i].rows, b.files[i].rows);
    EXPECT_EQ(a.files[i].bytes, b.files[i].bytes);
    EXPECT_EQ(a.files[i].checksum, b.files[i].checksum);
    EXPECT_EQ(a.files[i].ops, b.files[i].ops);
    EXPECT_EQ(a.files[i].format, b.files[i].format);
    EXPECT_EQ(a.files[i].compression, b.files[i].compression);
  }
}

TEST(Manifest, JsonRoundTrip) {
  Manifest m = Sample();
  std::string text = m.ToJson();
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("\"end_lsn_text\": \"16/B374E100\""), std::string::npos) << text;
  Manifest back = Manifest::FromJson(text, "m.json");
  ExpectSameManifest(m, back);
  EXPECT_EQ(back.ToJson(), text);
  EXPECT_NE(text.find("\"checksum\": \"xxh128:" + std::string(32, 'a') + "\""), std::string::npos)
      << text;
  EXPECT_EQ(text.find("\"sha256\""), std::string::npos) << text;
}

// A manifest as wharf wrote it before xxh128: key "sha256", bare hex.
std::string OldStyleManifest(const std::string& checksum_key_and_value) {
  return R"({"version":1,"source":"s","seq":3,"first_lsn":1,"last_lsn":2,"end_lsn":3,)"
         R"("files":[{"path":"s/data/f.jsonl","rows":1,"bytes":2,)" +
         checksum_key_and_value +
         R"(,"ops":{"I":1},"relation":{"oid":1,"schema":"public","table":"t",)"
         R"("replica_identity":"d","columns":[]}}]})";
}

TEST(Manifest, OldSha256KeyReadsAsASha256Checksum) {
  const std::string hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  Manifest m = Manifest::FromJson(OldStyleManifest(R"("sha256":")" + hex + "\""), "m.json");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].checksum, "sha256:" + hex);
  // Written again, it says which algorithm it is in the current key.
  EXPECT_NE(m.ToJson().find("\"checksum\": \"sha256:" + hex + "\""), std::string::npos);
  EXPECT_EQ(Manifest::FromJson(m.ToJson(), "m.json").files[0].checksum, "sha256:" + hex);
}

TEST(Manifest, UnknownChecksumAlgorithmIsRefusedNamingTheFile) {
  try {
    Manifest::FromJson(OldStyleManifest(R"("checksum":"blake3:00ff")"), "store/s/manifests/3.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    EXPECT_NE(e.message().find("s/data/f.jsonl"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("store/s/manifests/3.json"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("'blake3'"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("newer wharf"), std::string::npos) << e.what();
  }
}

TEST(Manifest, EmptyManifestRoundTrip) {
  Manifest m;
  m.source = "s";
  Manifest back = Manifest::FromJson(m.ToJson(), "m.json");
  ExpectSameManifest(m, back);
}

TEST(Manifest, OptionalFieldsTakeDefaults) {
  std::string text = R"({"version":1,"source":"s","seq":3,"first_lsn":1,"last_lsn":2,
    "end_lsn":3,"files":[{"path":"p","rows":1,"bytes":2,"sha256":"h","ops":{"I":1},
    "relation":{"oid":1,"schema":"public","table":"t","replica_identity":"d","columns":[]}}]})";
  Manifest m = Manifest::FromJson(text, "m.json");
  EXPECT_EQ(m.transactions, 0u);
  EXPECT_EQ(m.created_at, 0);
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].format, "jsonl");
  EXPECT_EQ(m.files[0].compression, "none");
  EXPECT_EQ(m.files[0].ops.at('I'), 1u);
  EXPECT_EQ(m.files[0].checksum, "sha256:h");
}

void ExpectCorrupt(const std::string& text) {
  try {
    Manifest::FromJson(text, "store/main/manifests/x.json");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.what();
    EXPECT_NE(e.message().find("store/main/manifests/x.json"), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a wharf::Error: " << e.what() << " for: " << text;
  }
}

TEST(Manifest, CorruptTextThrowsStagingError) {
  std::string good = Sample().ToJson();
  ExpectCorrupt("");
  ExpectCorrupt("{");
  ExpectCorrupt("not json");
  ExpectCorrupt(good.substr(0, good.size() / 2));  // truncated
  ExpectCorrupt("[]");
  ExpectCorrupt(R"({"version":1})");  // fields missing
  ExpectCorrupt(R"({"version":1,"source":"s","seq":"x","first_lsn":1,"last_lsn":1,)"
                R"("end_lsn":1,"files":[]})");  // wrong type
  ExpectCorrupt(R"({"version":1,"source":"s","seq":1,"first_lsn":1,"last_lsn":1,)"
                R"("end_lsn":1,"files":[{"path":"p"}]})");  // file fields missing
}

TEST(Manifest, AFileWithNoChecksumIsCorrupt) { ExpectCorrupt(OldStyleManifest(R"("md5":"00")")); }

TEST(Manifest, OtherVersionThrowsStagingError) {
  std::string text = Sample().ToJson();
  auto pos = text.find("\"version\": 1");
  ASSERT_NE(pos, std::string::npos) << text;
  text.replace(pos, 12, "\"version\": 2");
  try {
    Manifest::FromJson(text, "m.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    EXPECT_NE(e.message().find("version 2"), std::string::npos) << e.what();
  }
}

TEST(Manifest, EmptyStringsWhereACharIsExpectedThrowStagingError) {
  std::string rel = R"("relation":{"oid":1,"schema":"public","table":"t","replica_identity":"",)"
                    R"("columns":[]})";
  std::string head = R"({"version":1,"source":"s","seq":1,"first_lsn":1,"last_lsn":1,)"
                     R"("end_lsn":1,"files":[{"path":"p","rows":1,"bytes":1,"sha256":"h",)";
  ExpectCorrupt(head + R"("ops":{},)" + rel + "}]}");
  ExpectCorrupt(head + R"("ops":{"":1},"relation":{"oid":1,"schema":"public","table":"t",)"
                       R"("replica_identity":"d","columns":[]}}]})");
}

}  // namespace
}  // namespace wharf::staging
