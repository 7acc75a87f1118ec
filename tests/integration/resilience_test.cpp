// wharf against a source that misbehaves: dropped replication connections, a
// PostgreSQL restart, a dropped or invalidated slot, and an idle slot on a
// busy cluster (which must not pin WAL).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>

#include "harness.hpp"

namespace wharf::test {
namespace {

using namespace std::chrono_literals;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Writes ShopWorkload rounds in the background until stopped. Errors (the
// server restarting under it) are counted and the round is retried later.
class BackgroundWorkload {
 public:
  BackgroundWorkload(const std::string& dsn, int first_round) : shop_(dsn), next_(first_round) {
    thread_ = std::thread([this] {
      while (!stop_) {
        try {
          shop_.Round(next_);
          ++done_;
        } catch (const std::exception&) {
          ++errors_;
          std::this_thread::sleep_for(100ms);  // pacing while the server is away
        }
        ++next_;  // a failed round may have committed some of its transactions: never reuse r
        std::this_thread::sleep_for(20ms);  // pacing: leave CPU to wharf on this 2-core machine
      }
    });
  }
  ~BackgroundWorkload() { Stop(); }
  // Stops after the current round; returns the next unused round number.
  int Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return next_;
  }
  int done() const { return done_; }
  int errors() const { return errors_; }

 private:
  ShopWorkload shop_;
  std::atomic<int> next_;
  std::atomic<int> done_{0};
  std::atomic<int> errors_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class Resilience : public WharfTest {
 protected:
  // After a disruption: new changes are captured and confirmed by the running process.
  void ExpectStreamingContinues(Process& run) {
    PgRun("INSERT INTO scratch (v) VALUES ('after disruption')");
    std::string lsn = CurrentLsn();
    EXPECT_TRUE(WaitFor([&] { return ConfirmedPast(lsn); }, 30s, 200ms))
        << "wharf did not confirm " << lsn << " after the disruption; output:\n" << run.Output();
  }

  // Stop the workload and wharf (SIGINT: exit 0), catch up once, compare.
  void StopAndVerify(BackgroundWorkload& load, Process& run) {
    load.Stop();
    ASSERT_TRUE(run.Running()) << "wharf exited during the disruption:\n" << run.Output();
    run.Signal(SIGINT);
    EXPECT_EQ(run.Wait(60s), 0) << run.Output();
    auto r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ExpectValidateEqual();
    ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
  }
};

// ---------------------------------------------------------------------------
// Dropped connections.

TEST_F(Resilience, ReconnectsAfterReplicationConnectionIsTerminated) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 30s))
      << run->Output();
  // wharf's replication connection is named "wharf <source>".
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_stat_replication WHERE application_name LIKE 'wharf%'")[0][0], "1");
  BackgroundWorkload load(dsn_, 1);
  ASSERT_TRUE(WaitFor([&] { return load.done() >= 2 && ManifestCount() >= 3; }, 30s)) << run->Output();

  for (int i = 0; i < 2; ++i) {
    std::string old_pid = SlotPid();
    if (i == 0) {
      // The walsender only.
      EXPECT_EQ(Pg("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_replication"
                   " WHERE application_name LIKE 'wharf%'")[0][0], "1");
    } else {
      // Every connection wharf has open (the catalog connection too).
      EXPECT_NE(Pg("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                   " WHERE application_name LIKE 'wharf%'")[0][0], "0");
    }
    ASSERT_TRUE(WaitFor([&] {
      std::string pid = SlotPid();
      return !pid.empty() && pid != "<NULL>" && pid != old_pid;
    }, 30s)) << "wharf did not reconnect (round " << i << "); output:\n" << run->Output();
    ASSERT_TRUE(run->Running()) << run->Output();
    ExpectStreamingContinues(*run);
  }
  EXPECT_NE(run->Output().find("reconnecting"), std::string::npos) << run->Output();
  StopAndVerify(load, *run);
}

TEST_F(Resilience, ReconnectsAfterPostgresRestart) {
  UseOwnCluster();
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 30s))
      << run->Output();
  BackgroundWorkload load(dsn_, 1);
  ASSERT_TRUE(WaitFor([&] { return load.done() >= 2 && ManifestCount() >= 3; }, 30s)) << run->Output();

  std::string old_pid = SlotPid();
  Cluster().Restart();
  ASSERT_TRUE(WaitFor([&] {
    try {
      std::string pid = SlotPid();
      return !pid.empty() && pid != "<NULL>" && pid != old_pid;
    } catch (const std::exception&) {
      return false;
    }
  }, 40s, 250ms)) << "wharf did not reconnect after the restart; output:\n" << run->Output();
  ASSERT_TRUE(run->Running()) << run->Output();
  int done = load.done();
  ASSERT_TRUE(WaitFor([&] { return load.done() >= done + 2; }, 30s)) << "workload stalled";
  ExpectStreamingContinues(*run);
  StopAndVerify(load, *run);
}

// A transaction big enough to be streamed stays open across a dropped
// connection and a SIGKILL of wharf, while small transactions commit around
// it (so the confirmed position passes its first change). When it finally
// commits it must arrive whole, exactly once.
TEST_F(Resilience, OpenStreamedTransactionSurvivesDisconnectAndKill) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run1.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 30s))
      << run->Output();
  ASSERT_TRUE(WaitFor([&] { return ConfirmedPast(CurrentLsn()); }, 30s)) << run->Output();

  const std::filesystem::path spool = work_ / "stage" / "src" / "spool";
  auto spooled = [&] {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(spool, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
      if (it->is_regular_file()) return true;  // created at the first streamed change (buffered: maybe empty)
    return false;
  };
  PgSession big(dsn_);
  big.Query("BEGIN; INSERT INTO orders SELECT 7700000 + g, 7, g, 'open-big', NULL FROM generate_series(1, 4000) g");
  EXPECT_TRUE(WaitFor(spooled, 30s)) << "the open transaction was not streamed to wharf's spool (" << spool
                                     << "); output:\n" << run->Output();
  shop.Round(1);
  std::string after_small = CurrentLsn();
  EXPECT_TRUE(WaitFor([&] { return ConfirmedPast(after_small); }, 30s)) << run->Output();

  // Drop the replication connection while the transaction is open.
  std::string old_pid = SlotPid();
  Pg("SELECT pg_terminate_backend(pid) FROM pg_stat_replication WHERE application_name LIKE 'wharf%'");
  ASSERT_TRUE(WaitFor([&] {
    std::string pid = SlotPid();
    return !pid.empty() && pid != "<NULL>" && pid != old_pid;
  }, 30s)) << run->Output();
  big.Query("UPDATE orders SET note = 'open-big-updated' WHERE id BETWEEN 7700001 AND 7701000");
  big.Query("INSERT INTO orders SELECT 7710000 + g, 7, g, 'open-big-2', NULL FROM generate_series(1, 3000) g");
  shop.Round(2);
  std::string after_small2 = CurrentLsn();
  EXPECT_TRUE(WaitFor([&] { return ConfirmedPast(after_small2); }, 30s)) << run->Output();

  // Kill wharf outright while the transaction is still open; start it again.
  run->Signal(SIGKILL);
  EXPECT_EQ(run->Wait(), 128 + SIGKILL);
  auto run2 = StartWharf({"run"}, "run2.log");
  big.Query("DELETE FROM orders WHERE id BETWEEN 7700001 AND 7700100");
  big.Query("COMMIT");
  shop.Round(3);
  std::string end = CurrentLsn();
  EXPECT_TRUE(WaitFor([&] { return ConfirmedPast(end); }, 30s)) << run2->Output();
  run2->Signal(SIGINT);
  EXPECT_EQ(run2->Wait(60s), 0) << run2->Output();

  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE id > 7700000")[0][0], "6900");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE note LIKE 'open-big-updated%'")[0][0], "900");
  ExpectValidateEqual();
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
}

// ---------------------------------------------------------------------------
// The slot is gone or unusable: wharf must stop and say how to resynchronise,
// never carry on as if nothing had been missed.

TEST_F(Resilience, DroppedSlotFailsLoudlyAndResyncRecovers) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  shop.Round(1);
  ASSERT_EQ(RunOnce().exit_code, 0);
  auto state = Duck("SELECT batch_seq, lsn FROM _wharf.state");
  PgRun("SELECT pg_drop_replication_slot('wharf_src')");
  shop.Round(2);  // changes the warehouse can no longer get from a slot

  auto r = RunOnce();
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("wharf_src"), std::string::npos) << r.output;
  std::string out = Lower(r.output);
  EXPECT_TRUE(out.find("gone") != std::string::npos || out.find("dropped") != std::string::npos ||
              out.find("does not exist") != std::string::npos)
      << "the message should say the slot is gone:\n" << r.output;
  EXPECT_NE(out.find("resynchroni"), std::string::npos) << "the message should say how to resynchronise:\n"
                                                        << r.output;
  // It did not quietly create a new slot and continue from there.
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wharf_src'")[0][0], "0");
  EXPECT_EQ(Duck("SELECT batch_seq, lsn FROM _wharf.state"), state);
  // And it keeps refusing.
  EXPECT_NE(RunOnce().exit_code, 0);

  // Following the message (delete the capture state) resynchronises.
  std::filesystem::remove_all(work_ / "stage" / "src" / "state");
  shop.Round(3);
  auto again = RunOnce();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  ExpectValidateEqual();
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
}

TEST_F(Resilience, SlotDroppedUnderARunningWharfStopsIt) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 30s))
      << run->Output();
  // Past the full load (whose connection also holds the slot): streaming.
  ASSERT_TRUE(WaitFor([&] { return run->Output().find("streaming from") != std::string::npos; }, 30s))
      << run->Output();
  shop.Round(1);
  std::string lsn = CurrentLsn();
  ASSERT_TRUE(WaitFor([&] { return ConfirmedPast(lsn); }, 30s)) << run->Output();
  // Terminate its walsender and drop the slot before wharf reconnects to it
  // (it waits 500 ms before its first reconnect).
  ASSERT_TRUE(WaitFor([&] {
    try {
      PgRun("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
            " WHERE slot_name = 'wharf_src' AND active_pid IS NOT NULL");
      PgRun("SELECT pg_drop_replication_slot('wharf_src') FROM pg_replication_slots"
            " WHERE slot_name = 'wharf_src' AND NOT active");
    } catch (const std::exception&) {
      // wharf took the slot again in between: try again
    }
    return Pg("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wharf_src'")[0][0] == "0";
  }, 30s, 20ms)) << run->Output();
  shop.Round(2);
  ASSERT_TRUE(WaitFor([&] { return !run->Running(); }, 40s))
      << "wharf kept running without its slot; output:\n" << run->Output();
  EXPECT_NE(run->Wait(), 0) << run->Output();
  std::string out = Lower(run->Output());
  EXPECT_NE(out.find("wharf_src"), std::string::npos) << run->Output();
  EXPECT_NE(out.find("resynchroni"), std::string::npos) << run->Output();
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wharf_src'")[0][0], "0")
      << "wharf created a new slot and carried on";
}

TEST_F(Resilience, InvalidatedSlotFailsLoudlyAndResyncRecovers) {
  UseOwnCluster();
  const std::string admin = Cluster().Dsn("postgres");
  PgExec(admin, "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
  PgExec(admin, "SELECT pg_reload_conf()");
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  shop.Round(1);

  // wharf is stopped; the cluster writes far more WAL than the slot may keep.
  PgExec(admin, "CREATE TABLE junk (b text)");
  auto slot_status = [&] {
    return Str(Pg("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'wharf_src'")[0][0]);
  };
  ASSERT_TRUE(WaitFor([&] {
    PgExec(admin, "INSERT INTO junk SELECT repeat(md5(g::text), 32) FROM generate_series(1, 20000) g");
    PgExec(admin, "DELETE FROM junk");
    PgExec(admin, "SELECT pg_switch_wal()");
    PgExec(admin, "CHECKPOINT");
    PgExec(admin, "CHECKPOINT");
    return slot_status() == "lost";
  }, 45s, 10ms)) << "the slot was not invalidated; wal_status = " << slot_status();

  auto r = RunOnce();
  EXPECT_NE(r.exit_code, 0) << r.output;
  std::string out = Lower(r.output);
  EXPECT_NE(out.find("lost"), std::string::npos) << r.output;
  EXPECT_NE(out.find("resynchroni"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("wharf_src"), std::string::npos) << r.output;

  // Following the message: drop the slot, delete the capture state, start again.
  PgRun("SELECT pg_drop_replication_slot('wharf_src')");
  std::filesystem::remove_all(work_ / "stage" / "src" / "state");
  auto again = RunOnce();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  ExpectValidateEqual();
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
}

// ---------------------------------------------------------------------------
// An idle slot on a busy cluster: WAL written elsewhere (another database, an
// unpublished table of the same database) must not stay pinned by wharf.

TEST_F(Resilience, IdleSlotDoesNotPinWal) {
  ShopWorkload shop(dsn_);
  shop.Create(200);
  PgRun("CREATE TABLE unpublished (id bigserial PRIMARY KEY, b text)");
  std::string other = CreateDatabase("busy");
  PgExec(other, "CREATE TABLE busy (id bigserial PRIMARY KEY, b text)");
  WriteDefaultConfig("    tables: [\"public.orders\", \"public.lines\", \"public.scratch\"]\n");
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 30s))
      << run->Output();
  ASSERT_TRUE(WaitFor([&] { return ConfirmedPast(CurrentLsn()); }, 30s)) << run->Output();

  // About 48 MB of WAL, none of it for a published table.
  const std::string start = CurrentLsn();
  for (int i = 0; i < 4; ++i) {
    PgExec(other, "INSERT INTO busy (b) SELECT repeat(md5(g::text), 32) FROM generate_series(1, 5000) g");
    PgRun("INSERT INTO unpublished (b) SELECT repeat(md5(g::text), 32) FROM generate_series(1, 5000) g");
    PgExec(other, "DELETE FROM busy");
    PgRun("DELETE FROM unpublished");
  }
  const std::string after = CurrentLsn();
  auto written = std::stoll(Str(Pg("SELECT pg_wal_lsn_diff('" + after + "', '" + start + "')")[0][0]));
  ASSERT_GT(written, 16ll << 20);

  EXPECT_TRUE(WaitFor([&] { return ConfirmedPast(after); }, 30s, 250ms))
      << "the idle slot's confirmed_flush_lsn stayed behind " << after << ": "
      << Str(Pg("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'wharf_src'")[0][0])
      << "; output:\n" << run->Output();
  // restart_lsn follows once a running-xacts record (written at checkpoints)
  // passes the confirmed position: the retained WAL shrinks to a bounded amount.
  auto retained = [&] {
    return std::stoll(Str(Pg("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) FROM "
                             "pg_replication_slots WHERE slot_name = 'wharf_src'")[0][0]));
  };
  EXPECT_TRUE(WaitFor([&] {
    PgRun("CHECKPOINT");
    return retained() < (8ll << 20);
  }, 30s, 500ms)) << "the slot still retains " << retained() << " bytes of WAL (" << written
                  << " written while idle)";
  EXPECT_TRUE(run->Running()) << run->Output();
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(60s), 0) << run->Output();
}

}  // namespace
}  // namespace wharf::test
