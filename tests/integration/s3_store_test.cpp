// The S3 ObjectStore against a real S3-compatible server (s3rver): objects,
// listings, multipart uploads, streaming reads, retries through a
// fault-injecting proxy, and the errors users meet.
#include <gtest/gtest.h>

#include <random>

#include "core/error.hpp"
#include "integration/s3_harness.hpp"
#include "staging/s3/s3_store.hpp"
#include "staging/staged_log.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;
using staging::s3::S3Store;
using staging::s3::Settings;

class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wharf-s3-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_ = std::make_unique<S3Server>(dir_, std::vector<std::string>{"wharf"});
  }
  void TearDown() override {
    server_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  Settings MakeSettings(const std::string& endpoint) {
    core::S3Config cfg;
    cfg.endpoint = endpoint;
    cfg.access_key_id = S3Server::kAccessKey;
    cfg.secret_access_key = S3Server::kSecretKey;
    auto s = staging::s3::ResolveSettings(cfg, staging::s3::ParseS3Url("s3://wharf/p"), [](const std::string&) {
      return std::string();
    });
    s.max_attempts = 4;
    return s;
  }
  std::unique_ptr<S3Store> Store(const std::string& url = "s3://wharf/p", std::optional<Settings> s = {}) {
    return std::make_unique<S3Store>(s ? *s : MakeSettings(server_->Endpoint()), staging::s3::ParseS3Url(url));
  }

  fs::path dir_;
  std::unique_ptr<S3Server> server_;
};

// Runs `fn`, expecting an Error of `kind` whose description holds each of `parts`.
template <typename Fn>
std::string ExpectError(Fn fn, ErrorKind kind, std::initializer_list<std::string> parts) {
  try {
    fn();
  } catch (const Error& e) {
    std::string m = e.Describe();
    EXPECT_EQ(e.kind(), kind) << m;
    for (const auto& p : parts) EXPECT_NE(m.find(p), std::string::npos) << "no '" << p << "' in: " << m;
    return m;
  }
  ADD_FAILURE() << "no error";
  return "";
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string ReadAll(staging::ObjectReader& r, size_t piece) {
  std::string out, buf(piece, '\0');
  while (size_t n = r.Read(buf.data(), buf.size())) out.append(buf.data(), n);
  return out;
}

TEST_F(S3StoreTest, PutReadListStartAfterExistsRemove) {
  auto store = Store();
  store->Put("src/manifests/00000000000000000002.json", "two");
  store->Put("src/manifests/00000000000000000001.json", "one");
  store->Put("src/manifests/00000000000000000010.json", "ten");
  store->Put("src/data/public/t/2026/11/26/1.jsonl.zst", std::string("\0bin\xff", 5));
  store->Put("other/x", "x");
  // Another prefix in the same bucket is invisible to this store.
  Store("s3://wharf/elsewhere")->Put("src/manifests/00000000000000000005.json", "no");

  EXPECT_EQ(store->Read("src/manifests/00000000000000000002.json"), "two");
  EXPECT_EQ(store->Read("src/data/public/t/2026/11/26/1.jsonl.zst"), std::string("\0bin\xff", 5));
  EXPECT_EQ(store->List("src/"),
            (std::vector<std::string>{"src/data/public/t/2026/11/26/1.jsonl.zst",
                                      "src/manifests/00000000000000000001.json",
                                      "src/manifests/00000000000000000002.json",
                                      "src/manifests/00000000000000000010.json"}));
  EXPECT_EQ(store->ListAfter("src/manifests/", "src/manifests/00000000000000000001.json"),
            (std::vector<std::string>{"src/manifests/00000000000000000002.json",
                                      "src/manifests/00000000000000000010.json"}));
  EXPECT_EQ(staging::ListManifests(*store, "src", 2), (std::vector<uint64_t>{10}));
  EXPECT_EQ(staging::ListManifests(*store, "src"), (std::vector<uint64_t>{1, 2, 10}));
  EXPECT_TRUE(store->Exists("other/x"));
  EXPECT_FALSE(store->Exists("other/y"));
  store->Remove("other/x");
  store->Remove("other/never-was");  // removing what is not there is fine
  EXPECT_FALSE(store->Exists("other/x"));
  EXPECT_EQ(store->Describe(), "s3://wharf/p");
  ExpectError([&] { store->Read("missing"); }, ErrorKind::kStaging, {"s3://wharf/p/missing"});
}

TEST_F(S3StoreTest, VirtualHostedAddressing) {
  // Through a pass-through proxy that logs each request's Host and path.
  FaultProxy proxy(dir_, server_->port(), 0, "503");
  auto s = MakeSettings("http://s3.localhost:" + std::to_string(proxy.port()));
  s.path_style = false;
  s.part_size = 5u << 20;
  auto store = Store("s3://wharf/v", s);
  std::string big = RandomBytes((5u << 20) + 99, 5);
  store->Put("a/one", "1");
  store->Put("a/big", big);
  EXPECT_EQ(store->List("a/"), (std::vector<std::string>{"a/big", "a/one"}));
  EXPECT_TRUE(store->Read("a/big") == big);
  std::string host = "wharf.s3.localhost:" + std::to_string(proxy.port());
  EXPECT_NE(proxy.Output().find("passed PUT " + host + "/v/a/one"), std::string::npos) << proxy.Output();
  EXPECT_NE(proxy.Output().find("passed GET " + host + "/?"), std::string::npos) << proxy.Output();
  EXPECT_EQ(proxy.Output().find("/wharf/"), std::string::npos) << proxy.Output();
  // The same objects through path-style requests.
  EXPECT_EQ(Store("s3://wharf/v")->Read("a/one"), "1");
}

TEST_F(S3StoreTest, ListingPaginates) {
  auto s = MakeSettings(server_->Endpoint());
  s.list_page = 3;
  auto store = Store("s3://wharf/p", s);
  std::vector<std::string> want;
  for (int i = 0; i < 11; ++i) {
    std::string path = "m/" + std::to_string(100 + i);
    store->Put(path, "x");
    want.push_back(path);
  }
  EXPECT_EQ(store->List("m/"), want);
  EXPECT_EQ(store->ListAfter("m/", "m/104"), std::vector<std::string>(want.begin() + 5, want.end()));
}

TEST_F(S3StoreTest, KeysWithSpecialCharacters) {
  auto store = Store("s3://wharf/deep/er");
  std::vector<std::string> keys = {"a b/c+d", "caf\xc3\xa9/%41=&?", "x/~tilde*star'quote"};
  for (const auto& k : keys) store->Put(k, k);
  for (const auto& k : keys) EXPECT_EQ(store->Read(k), k);
  auto listed = store->List("");
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(listed, keys);
}

TEST_F(S3StoreTest, MultipartObjectIsInvisibleUntilCommitAndReadsBackExactly) {
  auto s = MakeSettings(server_->Endpoint());
  s.part_size = 5u << 20;  // S3's minimum part size
  s.read_chunk = 1u << 20;
  auto store = Store("s3://wharf/p", s);
  std::string bytes = RandomBytes((12u << 20) + 12345, 7);
  auto w = store->OpenWriter("big/object.bin");
  // Uneven writes straddle part boundaries.
  for (size_t pos = 0, step = 777777; pos < bytes.size(); pos += step) {
    w->Write(std::string_view(bytes).substr(pos, step));
  }
  EXPECT_FALSE(store->Exists("big/object.bin"));
  EXPECT_TRUE(store->List("big/").empty());
  w->Commit();
  EXPECT_TRUE(store->Exists("big/object.bin"));
  // Streamed in 1 MiB ranged GETs, handed out in odd-sized pieces.
  auto r = store->OpenReader("big/object.bin");
  std::string back = ReadAll(*r, 100003);
  ASSERT_EQ(back.size(), bytes.size());
  EXPECT_TRUE(back == bytes);
  EXPECT_TRUE(store->Read("big/object.bin") == bytes);
}

TEST_F(S3StoreTest, ObjectOfExactlyOnePartAndEmptyObject) {
  auto s = MakeSettings(server_->Endpoint());
  s.part_size = 5u << 20;
  s.read_chunk = 5u << 20;
  auto store = Store("s3://wharf/p", s);
  std::string bytes = RandomBytes(5u << 20, 3);
  store->Put("one-part", bytes);
  auto r = store->OpenReader("one-part");
  EXPECT_TRUE(ReadAll(*r, 1 << 16) == bytes);
  store->Put("empty", "");
  EXPECT_TRUE(store->Exists("empty"));
  auto e = store->OpenReader("empty");
  char c;
  EXPECT_EQ(e->Read(&c, 1), 0u);
  EXPECT_EQ(store->Read("empty"), "");
}

TEST_F(S3StoreTest, UncommittedWritersLeaveNothing) {
  auto s = MakeSettings(server_->Endpoint());
  s.part_size = 5u << 20;
  auto store = Store("s3://wharf/p", s);
  {
    auto w = store->OpenWriter("small");
    w->Write("abc");
  }
  {
    auto w = store->OpenWriter("large");
    w->Write(RandomBytes((5u << 20) + 10, 1));  // one part uploaded
  }
  EXPECT_FALSE(store->Exists("small"));
  EXPECT_FALSE(store->Exists("large"));
  EXPECT_TRUE(store->List("").empty());
}

TEST_F(S3StoreTest, ReaderOfAMissingObjectSaysSo) {
  auto store = Store();
  ExpectError([&] { store->OpenReader("nope"); }, ErrorKind::kStaging, {"does not exist"});
}

TEST_F(S3StoreTest, RetriesThrough503SlowDownAndDroppedConnections) {
  for (std::string mode : {"503", "slowdown", "drop"}) {
    SCOPED_TRACE(mode);
    FaultProxy proxy(dir_, server_->port(), 3, mode);
    auto store = Store("s3://wharf/" + mode, MakeSettings(proxy.Endpoint()));
    store->Put("k", "v");  // the first three attempts fail, the fourth lands
    EXPECT_EQ(proxy.Failed(), 3);
    EXPECT_EQ(store->Read("k"), "v");
    EXPECT_EQ(store->List(""), std::vector<std::string>{"k"});
  }
}

TEST_F(S3StoreTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  FaultProxy proxy(dir_, server_->port(), 100, "503");
  auto s = MakeSettings(proxy.Endpoint());
  s.max_attempts = 3;
  auto store = Store("s3://wharf/p", s);
  ExpectError([&] { store->Put("k", "v"); }, ErrorKind::kStaging, {"after 3 attempts", "503"});
  EXPECT_EQ(proxy.Failed(), 3);
}

// s3rver checks the access key id but not SigV4 signatures themselves, so a
// wrong secret cannot be tested here: an unknown key id gets S3's 403.
// (Signing is checked against AWS's published examples in the unit tests.)
TEST_F(S3StoreTest, RefusedCredentialsSayToCheckThemAndTheClock) {
  auto s = MakeSettings(server_->Endpoint());
  s.credentials.access_key_id = "UNKNOWNKEY";
  s.credentials.secret_access_key = "refused-secret-Kx81";
  for (int op = 0; op < 2; ++op) {
    std::string m = ExpectError(
        [&] {
          if (op == 0) Store("s3://wharf/p", s)->Put("k", "v");
          else Store("s3://wharf/p", s)->List("");
        },
        ErrorKind::kConfig, {"access denied", "InvalidAccessKeyId", "AWS_SECRET_ACCESS_KEY", "clock"});
    EXPECT_EQ(m.find("refused-secret-Kx81"), std::string::npos) << m;
  }
}

TEST_F(S3StoreTest, MissingBucketSaysCreateIt) {
  auto store = Store("s3://no-such-bucket/p");
  ExpectError([&] { store->Put("k", "v"); }, ErrorKind::kConfig,
              {"bucket no-such-bucket does not exist", "aws s3 mb s3://no-such-bucket"});
  // Calls that accept a missing object still say the bucket is missing.
  ExpectError([&] { store->Remove("k"); }, ErrorKind::kConfig, {"bucket no-such-bucket does not exist"});
  ExpectError([&] { store->Read("k"); }, ErrorKind::kConfig, {"bucket no-such-bucket does not exist"});
}

TEST_F(S3StoreTest, UnreachableEndpointAndUnknownHost) {
  auto s = MakeSettings("http://127.0.0.1:" + std::to_string(FreePort()));
  s.max_attempts = 2;
  ExpectError([&] { Store("s3://wharf/p", s)->List(""); }, ErrorKind::kConnection,
              {"cannot reach the S3 endpoint after 2 attempts", "AWS_ENDPOINT_URL"});
  s = MakeSettings("http://no-such-host.invalid:9000");
  s.max_attempts = 1;
  ExpectError([&] { Store("s3://wharf/p", s)->List(""); }, ErrorKind::kConnection,
              {"cannot resolve host no-such-host.invalid"});
}

}  // namespace
}  // namespace wharf::test
