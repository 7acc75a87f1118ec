// One writer per source and staging prefix: a second wharf process on the same
// staging exits at once naming the holder and removes nothing; on S3 the
// lease is a conditional-PUT object (checked through the strict proxy, which
// enforces If-None-Match / If-Match as AWS does), renewed by its holder and
// taken over only when expired or when its holder process is gone.
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/error.hpp"
#include "integration/harness.hpp"
#include "integration/s3_harness.hpp"
#include "staging/lease.hpp"
#include "staging/object_store.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Leases : public S3WharfTest {
 protected:
  void TearDown() override {
    unsetenv("WHARF_LEASE_TTL_S");
    S3WharfTest::TearDown();
  }
  // Each of `commands` started while `holder` runs exits 2 within seconds,
  // naming the holder's pid.
  void ExpectRefused(Process& holder, const std::vector<std::vector<std::string>>& commands) {
    for (const auto& cmd : commands) {
      auto t0 = std::chrono::steady_clock::now();
      auto r = Wharf(cmd);
      auto took = std::chrono::steady_clock::now() - t0;
      EXPECT_EQ(r.exit_code, 2) << cmd[0] << ":\n" << r.output;
      EXPECT_NE(r.output.find("held by pid " + std::to_string(holder.pid())), std::string::npos)
          << cmd[0] << ":\n" << r.output;
      EXPECT_NE(r.output.find("nothing was changed"), std::string::npos) << r.output;
      EXPECT_LT(took, 15s) << cmd[0] << " did not exit at once";
      ASSERT_TRUE(holder.Running()) << holder.Output();
    }
  }
  // Every file every committed manifest names is still there.
  void ExpectNoStagedFileMissing() {
    for (const auto& [seq, f] : StagedFiles()) {
      EXPECT_TRUE(fs::exists(work_ / "stage" / f.path)) << "batch " << seq << " lost " << f.path;
    }
  }
};

TEST_F(Leases, ASecondProcessOnLocalStagingExitsNamingTheHolderAndRemovesNothing) {
  ShopWorkload shop(dsn_);
  shop.Create(500);
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 60s)) << run->Output();
  // Changes keep arriving while the others try, so the holder has batches
  // open that a second process's start-up recovery would have deleted.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int r = 1; !stop; ++r) {
      shop.Round(r);
      std::this_thread::sleep_for(50ms);
    }
  });
  ExpectRefused(*run, {{"capture", "--once"}, {"capture"}, {"load", "--once"}, {"run", "--once"}});
  stop = true;
  writer.join();
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(60s), 0) << run->Output();
  ExpectNoStagedFileMissing();
  // The lease is free again once its holder exited.
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
  ExpectValidateEqual();
}

TEST_F(Leases, SplitCaptureAndLoadEachHoldTheirOwnRole) {
  ShopWorkload shop(dsn_);
  shop.Create(200);
  WriteDefaultConfig();
  auto capture = StartWharf({"capture"}, "capture.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 60s)) << capture->Output();
  auto load = StartWharf({"load"}, "load.log");
  shop.Round(1);
  ASSERT_TRUE(WaitFor([&] { return ManifestCount() >= 2; }, 60s)) << capture->Output();
  ExpectRefused(*capture, {{"capture", "--once"}});
  ExpectRefused(*load, {{"load", "--once"}});
  // wharf run needs both roles: the capture lease is the first it asks for.
  ExpectRefused(*capture, {{"run", "--once"}});
  capture->Signal(SIGINT);
  EXPECT_EQ(capture->Wait(60s), 0) << capture->Output();
  load->Signal(SIGINT);
  EXPECT_EQ(load->Wait(60s), 0) << load->Output();
  ASSERT_EQ(RunOnce().exit_code, 0);
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
}

TEST_F(Leases, S3LeaseRefusesASecondProcessAndIsTakenOverAtOnceAfterItsHolderIsKilled) {
  S3Server server(work_ / "s3", {"wharf"});
  StrictProxy proxy(work_ / "proxy", server);
  UseS3Endpoint(proxy.Endpoint(), "lease");
  ShopWorkload shop(dsn_);
  shop.Create(300);
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 60s)) << run->Output();
  shop.Round(1);
  ExpectRefused(*run, {{"capture", "--once"}, {"load", "--once"}});
  auto refused = Wharf({"capture", "--once"});
  EXPECT_NE(refused.output.find("its lease expires"), std::string::npos) << refused.output;
  run->Signal(SIGKILL);
  run->Wait(30s);
  shop.Round(2);
  // Same host, holder gone: no need to wait for the lease to expire.
  auto t0 = std::chrono::steady_clock::now();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("that process no longer exists"), std::string::npos) << r.output;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 60s);
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
  ExpectValidateEqual();
  // The proxy refused the losers' conditional PUTs and no signature.
  std::string log = proxy.Log();
  EXPECT_NE(log.find("PRECONDITION PUT"), std::string::npos) << log;
  EXPECT_EQ(log.find("REFUSED"), std::string::npos) << log;
  // A clean exit released the lease.
  EXPECT_FALSE(Bucket("lease")->Exists(staging::LeasePath("src", staging::LeaseRole::kCapture)));
}

TEST_F(Leases, S3LeaseOfAnotherHostIsRenewedByItsHolderAndTakenOnlyOnceExpired) {
  S3Server server(work_ / "s3", {"wharf"});
  StrictProxy proxy(work_ / "proxy", server);
  UseS3Endpoint(proxy.Endpoint(), "ttl");
  setenv("WHARF_LEASE_TTL_S", "3", 1);
  auto store = Bucket("ttl");
  const std::string path = staging::LeasePath("src", staging::LeaseRole::kCapture);
  auto me = [] { return staging::LeaseRecord::Mine(staging::LeaseRole::kCapture); };

  // A lease written by a process on another host, never renewed.
  staging::LeaseRecord other{"db-elsewhere", 4242, "tok-elsewhere", "capture", "2026-01-01T00:00:00Z"};
  store->Put(path, other.ToJson());
  try {
    store->TakeLease(path, me());
    FAIL() << "a live lease of another host was taken over";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBusy);
    EXPECT_NE(e.message().find("pid 4242 on host db-elsewhere"), std::string::npos) << e.message();
  }
  std::unique_ptr<staging::Lease> held;
  ASSERT_TRUE(WaitFor(
      [&] {
        try {
          held = store->TakeLease(path, me());
          return true;
        } catch (const Error&) {
          return false;
        }
      },
      10s, 250ms));

  // Its holder renews it: after twice the ttl it is still refused to others.
  std::this_thread::sleep_for(6500ms);
  EXPECT_FALSE(held->Lost());
  staging::LeaseRecord rival = me();
  rival.host = "db-rival";
  EXPECT_THROW(store->TakeLease(path, rival), Error);

  // Taken over behind its back: the holder's next renewal finds out.
  store->Put(path, rival.ToJson());
  EXPECT_TRUE(WaitFor([&] { return held->Lost(); }, 5s, 100ms));
  held.reset();
  EXPECT_TRUE(store->Exists(path)) << "a lost lease must not delete its successor's record";
  EXPECT_EQ(proxy.Log().find("REFUSED"), std::string::npos) << proxy.Log();
}

}  // namespace
}  // namespace wharf::test
