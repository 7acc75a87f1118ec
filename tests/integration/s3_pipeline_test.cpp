// The pipeline with S3 staging on a real S3-compatible server (s3rver):
// `wharf run --once` end to end, and a `wharf load` on its own woken by the
// server's upload notifications through wharf's /notify/s3 endpoint.
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>

#include "integration/harness.hpp"
#include "integration/s3_harness.hpp"
#include "staging/layout.hpp"
#include "staging/s3/s3_store.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;

class S3Pipeline : public S3WharfTest {
 protected:
  void UseS3(S3Server& server, const std::string& prefix, const std::string& more_staging = "") {
    server_ = &server;
    UseS3Endpoint(server.Endpoint(), prefix, more_staging);
  }
  // What the test sees in the bucket, through wharf's own store.
  std::vector<std::string> StagedManifests(const std::string& prefix) {
    return Bucket(prefix)->List("src/manifests/");
  }
  // SIGKILL at the n-th `point` (WHARF_FAULT=point:n) while streaming into S3, restart: nothing lost or doubled,
  // and no data object is left above the last manifest.
  void CrashAndRecover(const std::string& point_n) {
    S3Server server(work_ / "s3", {"wharf"});
    UseS3(server, "crash");
    ShopWorkload shop(dsn_);
    shop.Create(500);
    WriteDefaultConfig();
    ASSERT_EQ(RunOnce().exit_code, 0);
    shop.Round(1);
    shop.BigTransaction(3000, 50);  // streamed, spooled
    shop.Round(2);
    auto r = Wharf({"run", "--once"}, {"WHARF_FAULT=" + point_n});
    ASSERT_EQ(r.exit_code, 128 + SIGKILL) << r.output;
    ASSERT_NE(r.output.find("fault point reached"), std::string::npos) << r.output;
    shop.Round(3);
    r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
    ExpectValidateEqual();
    auto store = Bucket("crash");
    auto manifests = store->List("src/manifests/");
    ASSERT_FALSE(manifests.empty());
    uint64_t last = *staging::ManifestSeq(manifests.back());
    for (const auto& path : store->List("src/data/")) {
      auto seq = staging::DataFileSeq(path);
      ASSERT_TRUE(seq) << path;
      EXPECT_LE(*seq, last) << path << " outlived the crash";
    }
  }

  void ExpectNoSecret(const std::string& output) {
    EXPECT_EQ(output.find(S3Server::kSecretKey), std::string::npos) << output;
  }

  S3Server* server_ = nullptr;
};

TEST_F(S3Pipeline, RunOnceStagesInS3AndValidates) {
  S3Server server(work_ / "s3", {"wharf"});
  UseS3(server, "team/prod");
  ShopWorkload shop(dsn_);
  shop.Create(800);
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectNoSecret(r.output);
  shop.Round(1);
  shop.BigTransaction(3000, 50);
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectNoSecret(r.output);
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
  ExpectValidateEqual();

  // Everything staged went to the bucket, under the prefix; nothing local.
  auto manifests = StagedManifests("team/prod");
  EXPECT_GE(manifests.size(), 2u);
  EXPECT_FALSE(fs::exists(work_ / "stage"));
  auto status = Wharf({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  ExpectNoSecret(status.output);
}

TEST_F(S3Pipeline, SeparateLoaderWakesOnUploadNotification) {
  int wharf_port = FreePort();
  std::string notify = "http://127.0.0.1:" + std::to_string(wharf_port) + "/notify/s3";
  S3Server server(work_ / "s3", {"wharf"}, notify);
  // A poll interval far longer than the test: only a notification can wake the loader.
  UseS3(server, "shared", "  poll_interval: 10m\n");
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text);"
        "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 500) g;");
  WriteConfig("  - name: src\n    dsn: " + dsn_ + "\n",
              "server:\n  listen: 127.0.0.1:" + std::to_string(wharf_port) + "\n");

  auto load = StartWharf({"load", "--log-level", "debug"}, "load.log");
  ASSERT_TRUE(WaitFor([&] { return load->Output().find("server: listening on") != std::string::npos ||
                                   !load->Running(); },
                      std::chrono::seconds(30)));
  ASSERT_TRUE(load->Running()) << load->Output();

  // The endpoint's answers to what is not a notification, or not ours.
  httplib::Client http("127.0.0.1", wharf_port);
  auto bad = http.Post("/notify/s3", "this is not json", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("not a JSON object"), std::string::npos) << bad->body;
  auto other = http.Post("/notify/s3",
                         R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"wharf"},)"
                         R"("object":{"key":"elsewhere/src/manifests/00000000000000000001.json","size":1}}}]})",
                         "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_NE(other->body.find("\"relevant\":0"), std::string::npos) << other->body;

  // Capture on its own (as on another machine) stages the full load.
  auto capture = Wharf({"capture", "--once"});
  ASSERT_EQ(capture.exit_code, 0) << capture.output;
  auto captured = std::chrono::steady_clock::now();
  auto manifests = StagedManifests("shared");
  ASSERT_FALSE(manifests.empty());
  uint64_t last = std::stoull(fs::path(manifests.back()).stem().string());
  std::string done = "now at " + std::to_string(last);
  ASSERT_TRUE(WaitFor([&] { return load->Output().find(done) != std::string::npos; }, std::chrono::seconds(30)))
      << "loader not woken; load log:\n" << load->Output() << "\ns3 server:\n" << server.Output();
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - captured);
  EXPECT_LT(waited, std::chrono::seconds(30));
  std::cout << "loader applied batch " << last << " " << waited.count() << " ms after capture exited\n";
  EXPECT_NE(server.Output().find("s3_server notified ObjectCreated:Put wharf/shared/src/manifests/"),
            std::string::npos)
      << server.Output();
  // The wake-up came from a notification about a manifest under this store's prefix.
  EXPECT_NE(load->Output().find("event(s), 1 for this staging store"), std::string::npos) << load->Output();

  // More changes: the same way, without a restart.
  PgRun("UPDATE items SET v = 'changed' WHERE id <= 10; DELETE FROM items WHERE id > 490;");
  capture = Wharf({"capture", "--once"});
  ASSERT_EQ(capture.exit_code, 0) << capture.output;
  manifests = StagedManifests("shared");
  last = std::stoull(fs::path(manifests.back()).stem().string());
  done = "now at " + std::to_string(last);
  EXPECT_TRUE(WaitFor([&] { return load->Output().find(done) != std::string::npos; }, std::chrono::seconds(30)))
      << load->Output();

  load->Signal(SIGTERM);
  EXPECT_EQ(load->Wait(), 0) << load->Output();
  ExpectNoSecret(load->Output());
  ExpectNoSecret(capture.output);
  ExpectValidateEqual();
  EXPECT_EQ(Duck("SELECT count(*) FROM public.items WHERE v = 'changed'")[0][0], "10");
}

TEST_F(S3Pipeline, KilledAfterADataFileRecovers) { CrashAndRecover("staging.after_data_file:2"); }
TEST_F(S3Pipeline, KilledBeforeAManifestRecovers) { CrashAndRecover("staging.before_manifest:1"); }

}  // namespace
}  // namespace wharf::test
