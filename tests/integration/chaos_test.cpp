// Proof under fire (issue 7): pgbench writes to all four of its tables while
// wharf run is SIGKILLed and restarted at random moments, its walsender is
// terminated, pgbench_accounts is resynced under load, PostgreSQL restarts
// and a second wharf capture is started by mistake. At the end every table
// equals the source, pgbench_history (no key: REPLICA IDENTITY FULL, a
// multiset) with no duplicated row. And a warehouse outage under load: the
// PostgreSQL target stopped while capture keeps staging within its budget.
#include <signal.h>

#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "integration/harness.hpp"

namespace wharf::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string PgBin(const std::string& tool) {
  for (const char* v : {"18", "17", "16", "15"}) {
    std::string p = std::string("/usr/lib/postgresql/") + v + "/bin/" + tool;
    if (std::filesystem::exists(p)) return p;
  }
  return "/usr/lib/postgresql/15/bin/" + tool;
}

// pgbench in the background until stopped (it is restarted when a server
// restart ends it).
class Pgbench {
 public:
  Pgbench(const std::string& dsn, const std::filesystem::path& dir) : dsn_(dsn), dir_(dir) { Start(); }
  void KeepRunning() {
    if (!process_->Running()) Start();
  }
  void Stop() {
    if (process_ && process_->Running()) process_->Signal(SIGINT);
    if (process_) process_->Wait(60s);
  }
  ~Pgbench() { Stop(); }

 private:
  void Start() {
    // -R keeps the rate modest on 2 cores: wharf must keep up and have CPU to recover.
    process_ = std::make_unique<Process>(PgBin("pgbench"),
                                         std::vector<std::string>{"-n", "-c", "4", "-j", "2", "-T", "3600", "-R", "300",
                                                                  dsn_},
                                         dir_ / ("pgbench-" + std::to_string(starts_++) + ".log"));
  }
  std::string dsn_;
  std::filesystem::path dir_;
  int starts_ = 0;
  std::unique_ptr<Process> process_;
};

class Chaos : public WharfTest {};

TEST_F(Chaos, KillsReconnectsResyncRestartAndASecondCaptureLoseAndDoubleNothing) {
  UseOwnCluster();
  {
    Process init(PgBin("pgbench"), {"-i", "-s", "1", "-q", dsn_}, work_ / "pgbench-init.log");
    ASSERT_EQ(init.Wait(120s), 0) << init.Output();
  }
  PgRun("ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
  staging_yaml_ += "  retention: 0s\n";
  WriteDefaultConfig();
  Pgbench bench(dsn_, work_);
  std::mt19937 rng(std::random_device{}());
  auto between = [&](int lo_ms, int hi_ms) {
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(lo_ms, hi_ms)(rng));
  };
  int kills = 0, terminations = 0, starts = 0;
  auto start = [&] { return StartWharf({"run"}, "run-" + std::to_string(starts++) + ".log"); };
  auto run = start();
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 120s)) << run->Output();
  const int rounds = 24;
  for (int i = 0; i < rounds; ++i) {
    std::this_thread::sleep_for(between(300, 2500));
    bench.KeepRunning();
    if (i == 6 || i == 14) {
      // The walsender only: wharf reconnects by itself.
      PgRun("SELECT pg_terminate_backend(pid) FROM pg_stat_replication WHERE application_name LIKE 'wharf%'");
      ++terminations;
      continue;
    }
    if (i == 9) {
      ASSERT_EQ(Wharf({"resync", "--table", "public.pgbench_accounts"}).exit_code, 0);
      continue;
    }
    if (i == 12) {
      Cluster().Restart();
      continue;
    }
    if (i == 17) {
      auto second = Wharf({"capture"});
      EXPECT_EQ(second.exit_code, 2) << second.output;
      EXPECT_NE(second.output.find("held by pid"), std::string::npos) << second.output;
      continue;
    }
    run->Signal(SIGKILL);
    run->Wait(30s);
    ++kills;
    run = start();
  }
  // Kills also land in copies: at least 20 in all.
  while (kills < 20) {
    std::this_thread::sleep_for(between(300, 1500));
    run->Signal(SIGKILL);
    run->Wait(30s);
    ++kills;
    run = start();
  }
  bench.Stop();
  auto caught_up_from = Clock::now();
  std::string lsn = CurrentLsn();
  ASSERT_TRUE(WaitFor([&] { return ConfirmedPast(lsn); }, 300s)) << run->Output();
  double catch_up = std::chrono::duration<double>(Clock::now() - caught_up_from).count();
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(120s), 0) << run->Output();
  auto once = RunOnce();
  ASSERT_EQ(once.exit_code, 0) << once.output;
  auto v = Wharf({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.output;
  // History rows are only inserted: equal multisets mean none lost or doubled.
  EXPECT_EQ(Duck("SELECT count(*) FROM public.pgbench_history")[0][0],
            Pg("SELECT count(*) FROM pgbench_history")[0][0]);
  EXPECT_EQ(Duck("SELECT count(*) FROM (SELECT aid, tid, bid, delta, mtime FROM public.pgbench_history "
                 "GROUP BY ALL HAVING count(*) > 1)")[0][0],
            Pg("SELECT count(*) FROM (SELECT aid, tid, bid, delta, mtime FROM pgbench_history "
               "GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1) d")[0][0]);
  size_t reconnects = 0;
  for (int s = 0; s < starts; ++s) {
    std::string log = ReadFile(work_ / ("run-" + std::to_string(s) + ".log"));
    for (size_t p = log.find("reconnecting"); p != std::string::npos; p = log.find("reconnecting", p + 1)) ++reconnects;
  }
  std::cout << "chaos: " << kills << " SIGKILLs and restarts, " << terminations << " walsender terminations, "
            << reconnects << " reconnects, 1 PostgreSQL restart, 1 resync, 1 refused second capture; "
            << Str(Pg("SELECT count(*) FROM pgbench_history")[0][0]) << " history rows; caught up "
            << catch_up << " s after the workload stopped\n";
}

TEST_F(Chaos, APostgresWarehouseStoppedUnderLoadCatchesUpWithNothingLost) {
  PgCluster warehouse(work_ / "whpg");
  PgExec(warehouse.Dsn("postgres"), "CREATE DATABASE wh");
  target_yaml_ = "  type: postgres\n  dsn: " + warehouse.Dsn("wh") + "\n";
  staging_yaml_ += "  max_pending_bytes: 256KB\n";
  ShopWorkload shop(dsn_);
  shop.Create(300);
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 60s)) << run->Output();
  int r = 1;
  for (; r <= 3; ++r) shop.Round(r);
  warehouse.Stop();
  // Under load while it is away: capture stages until the budget, then pauses
  // (about 20 s of this workload; more on a loaded machine).
  auto until = Clock::now() + 60s;
  while (Clock::now() < until && run->Output().find("capture src: paused") == std::string::npos) shop.Round(r++);
  EXPECT_NE(run->Output().find("capture src: paused"), std::string::npos) << run->Output();
  ASSERT_TRUE(run->Running()) << run->Output();
  warehouse.Start();
  shop.Round(r++);
  std::string lsn = CurrentLsn();
  ASSERT_TRUE(WaitFor([&] { return ConfirmedPast(lsn); }, 120s)) << run->Output();
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(60s), 0) << run->Output();
  ASSERT_EQ(RunOnce().exit_code, 0);
  ExpectValidateEqual();
}

}  // namespace
}  // namespace wharf::test
