// "Never lose, never double": wharf is killed with SIGKILL at each named fault
// point (src/core/fault.hpp, WHARF_FAULT=<name>[:<n>]) while it loads a mixed
// workload, then restarted without the fault; the warehouse must equal the
// source with no duplicate keys and nothing lost.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

#include "harness.hpp"

namespace wharf::test {
namespace {

constexpr int kKilled = 128 + SIGKILL;  // the harness reports 128+signal

// Whether the fault point `name` exists in wharf's source tree.
bool SourceHasFaultPoint(const std::string& name) {
  std::string cmd = "grep -rqF 'FaultPoint(\"" + name + "\")' " + std::string(WHARF_SOURCE_DIR) + "/src";
  return std::system(cmd.c_str()) == 0;
}

class FaultTest : public WharfTest {
 protected:
  void SetUp() override {
    WharfTest::SetUp();
    // Small batches: a run stages many batches, so the n-th hit of a point
    // lands in the middle of the stream rather than at its end.
    batch_yaml_ = "{ max_bytes: 16KB, max_interval: 200ms }";
    full_load_yaml_ = "  batch_bytes: 16KB\n";
  }

  static std::vector<std::string> Fault(const std::string& spec) { return {"WHARF_FAULT=" + spec}; }

  // The process was killed by the fault point, not by anything else.
  static void ExpectKilledAt(const ProcessResult& r, const std::string& spec) {
    EXPECT_EQ(r.exit_code, kKilled) << "WHARF_FAULT=" << spec
                                    << " should have killed wharf (was the point reached?); output:\n"
                                    << r.output;
    EXPECT_NE(r.output.find("fault point reached"), std::string::npos) << r.output;
  }

  // Restarts without the fault until a run succeeds (at most `tries`), then
  // checks the warehouse against the source.
  void RecoverAndVerify(int tries = 2) {
    ProcessResult r;
    for (int i = 0; i < tries; ++i) {
      r = RunOnce();
      if (r.exit_code == 0) break;
      std::cerr << "note: restart " << i + 1 << " after the kill failed (exit " << r.exit_code
                << "), retrying; output:\n" << r.output << "\n";
    }
    ASSERT_EQ(r.exit_code, 0) << "restart without the fault failed:\n" << r.output;
    ExpectValidateEqual();
    ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
  }

  std::string LastStateSeq() {
    auto rows = Duck("SELECT CAST(batch_seq AS VARCHAR) FROM _wharf.state WHERE source = 'src'");
    return rows.empty() ? "none" : Str(rows[0][0]);
  }
};

// ---------------------------------------------------------------------------
// Every fault point, in three situations.

enum class Phase {
  kFullLoad,  // the first run (full load, then whatever streamed) dies
  kStream,    // a --once run that catches up on a backlog of changes dies
  kLive,      // a long-running `wharf run` dies while a workload writes
};

struct KillCase {
  std::string point;
  Phase phase;
  int n;  // die at the n-th time the point is reached
};

void PrintTo(const KillCase& c, std::ostream* os) {
  *os << c.point << ":" << c.n << (c.phase == Phase::kFullLoad ? " (full load)"
                                   : c.phase == Phase::kStream ? " (stream backlog)"
                                                               : " (live run)");
}

std::string CaseName(const ::testing::TestParamInfo<KillCase>& info) {
  std::string s = info.param.point;
  for (auto& c : s)
    if (c == '.') c = '_';
  switch (info.param.phase) {
    case Phase::kFullLoad: return s + "_FullLoad";
    case Phase::kStream: return s + "_Stream";
    case Phase::kLive: return s + "_Live";
  }
  return s;
}

class KillAtPoint : public FaultTest, public ::testing::WithParamInterface<KillCase> {};

TEST_P(KillAtPoint, RestartLosesAndDoublesNothing) {
  const KillCase& c = GetParam();
  const std::string spec = c.point + ":" + std::to_string(c.n);
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();

  int round = 0;
  if (c.phase == Phase::kFullLoad) {
    auto r = Wharf({"run", "--once"}, Fault(spec));
    ExpectKilledAt(r, spec);
    shop.Round(++round);  // changes while wharf is down
  } else if (c.phase == Phase::kStream) {
    ASSERT_EQ(RunOnce().exit_code, 0);
    shop.Round(++round);
    shop.BigTransaction(3000, 50);  // above logical_decoding_work_mem: streamed
    for (int i = 0; i < 2; ++i) shop.Round(++round);
    auto r = Wharf({"run", "--once"}, Fault(spec));
    ExpectKilledAt(r, spec);
    shop.Round(++round);
  } else {
    ASSERT_EQ(RunOnce().exit_code, 0);
    auto run = StartWharf({"run"}, "live.log", Fault(spec));
    // Write until the fault point kills wharf.
    std::atomic<bool> stop{false};
    std::atomic<int> rounds{0};
    std::thread writer([&] {
      try {
        for (int i = 1; !stop && i < 400; ++i) {
          if (i % 4 == 2) shop.BigTransaction(2000, 100 + i);  // streamed
          else shop.Round(100 + i);
          rounds = i;
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "workload: " << e.what();
      }
    });
    bool died = WaitFor([&] { return !run->Running(); }, std::chrono::seconds(40));
    stop = true;
    writer.join();
    ASSERT_TRUE(died) << "wharf run was not killed by " << spec << " within 40s (" << rounds
                      << " rounds written); output:\n" << run->Output();
    EXPECT_EQ(run->Wait(), kKilled) << run->Output();
    EXPECT_NE(run->Output().find("fault point reached"), std::string::npos) << run->Output();
    round = 100 + rounds;  // the writer used r = 101 .. 100 + rounds
    shop.Round(++round);   // and more while it is down
  }

  RecoverAndVerify();
  // The recovered pipeline keeps going: more changes, another run, still equal.
  shop.Round(++round + 1000);
  ASSERT_EQ(RunOnce().exit_code, 0);
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
  // A run with nothing new applies nothing.
  std::string seq = LastStateSeq();
  ASSERT_EQ(RunOnce().exit_code, 0);
  EXPECT_EQ(LastStateSeq(), seq);
  ExpectValidateEqual();
}

INSTANTIATE_TEST_SUITE_P(
    Points, KillAtPoint,
    ::testing::Values(
        // The full load: the process dies part way through staging or loading it.
        KillCase{"snapshot.mid_copy", Phase::kFullLoad, 1500},
        KillCase{"staging.after_data_file", Phase::kFullLoad, 3},
        KillCase{"staging.before_manifest", Phase::kFullLoad, 3},
        KillCase{"staging.after_manifest", Phase::kFullLoad, 3},
        KillCase{"load.mid_apply", Phase::kFullLoad, 4},
        KillCase{"load.before_commit", Phase::kFullLoad, 3},
        KillCase{"load.after_commit", Phase::kFullLoad, 3},
        // A backlog of streamed changes.
        KillCase{"staging.after_data_file", Phase::kStream, 4},
        KillCase{"staging.before_manifest", Phase::kStream, 3},
        KillCase{"staging.after_manifest", Phase::kStream, 3},
        KillCase{"capture.after_confirm", Phase::kStream, 3},
        KillCase{"capture.mid_transaction", Phase::kStream, 700},
        KillCase{"capture.mid_stream", Phase::kStream, 1500},
        KillCase{"load.mid_apply", Phase::kStream, 5},
        KillCase{"load.before_commit", Phase::kStream, 3},
        KillCase{"load.after_commit", Phase::kStream, 3},
        // A live workload while `wharf run` streams.
        KillCase{"staging.after_data_file", Phase::kLive, 12},
        KillCase{"staging.before_manifest", Phase::kLive, 6},
        KillCase{"staging.after_manifest", Phase::kLive, 6},
        KillCase{"capture.after_confirm", Phase::kLive, 6},
        KillCase{"capture.mid_transaction", Phase::kLive, 3000},
        KillCase{"capture.mid_stream", Phase::kLive, 3000},
        KillCase{"load.mid_apply", Phase::kLive, 12},
        KillCase{"load.before_commit", Phase::kLive, 6},
        KillCase{"load.after_commit", Phase::kLive, 6}),
    CaseName);

// ---------------------------------------------------------------------------
// A large transaction is one batch and one warehouse transaction: a kill in
// its middle leaves none of it visible, and the restart brings all of it once.

// The documented re-load (drop the slot, delete <source>/state) into a
// warehouse that holds an earlier load: killed before the new load's truncate
// batch is durable, the restart must still empty the tables first, or rows the
// source deleted meanwhile would stay.
TEST_F(FaultTest, AReloadKilledBeforeItsTruncateBatchIsDurableLeavesNoStaleRows) {
  ShopWorkload shop(dsn_);
  shop.Create(300);
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  PgRun("SELECT pg_drop_replication_slot('wharf_src')");
  std::filesystem::remove_all(work_ / "stage" / "src" / "state");
  PgRun("DELETE FROM orders WHERE id <= 40");  // never streamed: no slot
  auto r = Wharf({"run", "--once"}, Fault("staging.before_manifest:1"));
  ExpectKilledAt(r, "staging.before_manifest:1");
  RecoverAndVerify();
}

TEST_F(FaultTest, KillInTheMiddleOfA20000RowTransaction) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  shop.Round(1);
  ASSERT_EQ(RunOnce().exit_code, 0);
  auto before = Duck("SELECT count(*), sum(id) FROM public.orders");
  shop.BigTransaction(20000, 7);
  const std::string spec = "capture.mid_transaction:10000";
  ExpectKilledAt(Wharf({"run", "--once"}, Fault(spec)), spec);
  // Nothing of the half-captured transaction reached the warehouse.
  EXPECT_EQ(Duck("SELECT count(*), sum(id) FROM public.orders"), before);
  EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE note = 'big7'")[0][0], "0");
  shop.Round(2);
  RecoverAndVerify();
  EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE note LIKE 'big7%'")[0][0], "20000");
}

TEST_F(FaultTest, KillWhileApplyingA20000RowTransactionShowsNoneOfIt) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  auto orders = Duck("SELECT count(*), sum(id) FROM public.orders");
  auto lines = Duck("SELECT count(*), sum(order_id) FROM public.lines");
  shop.BigTransaction(20000, 8);
  // The transaction touches orders and lines: die after the first of them is
  // applied inside the warehouse transaction.
  const std::string spec = "load.mid_apply:1";
  ExpectKilledAt(Wharf({"run", "--once"}, Fault(spec)), spec);
  EXPECT_EQ(Duck("SELECT count(*), sum(id) FROM public.orders"), orders);
  EXPECT_EQ(Duck("SELECT count(*), sum(order_id) FROM public.lines"), lines);
  RecoverAndVerify();
  EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE note = 'big8'")[0][0], "20000");
}

// ---------------------------------------------------------------------------
// SIGKILL from outside at moments no fault point names (after 0, 1, 2, ...
// new batches were staged), each followed at once by a restart, which must
// succeed on its first try (the killed process's walsender may still hold the
// slot for a moment).

TEST_F(FaultTest, SigkillAtArbitraryMomentsThenImmediateRestart) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  int tag = 10;
  for (int cycle = 0; cycle < 4; ++cycle) {
    shop.BigTransaction(20000, tag++);
    shop.Round(tag++);
    shop.BigTransaction(5000, tag++);
    size_t staged = ManifestCount();
    auto run = StartWharf({"run", "--once"}, "run" + std::to_string(cycle) + ".log");
    WaitFor([&] { return !run->Running() || ManifestCount() >= staged + cycle; }, std::chrono::seconds(30),
            std::chrono::milliseconds(5));
    run->Signal(SIGKILL);
    run->Wait();
    auto r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << "immediate restart after SIGKILL (cycle " << cycle << ") failed:\n"
                              << r.output;
  }
  ExpectValidateEqual();
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
}

// ---------------------------------------------------------------------------
// The stages run as separate processes (`wharf capture`, `wharf load`), each
// killed and restarted on its own.

TEST_F(FaultTest, SeparateCaptureAndLoadProcessesKilledAndRestarted) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(Wharf({"capture", "--once"}).exit_code, 0);
  shop.Round(1);
  shop.BigTransaction(3000, 60);
  shop.Round(2);
  ExpectKilledAt(Wharf({"capture", "--once"}, Fault("staging.before_manifest:4")), "staging.before_manifest:4");
  ExpectKilledAt(Wharf({"load", "--once"}, Fault("load.before_commit:3")), "load.before_commit:3");
  ExpectKilledAt(Wharf({"capture", "--once"}, Fault("capture.mid_stream:100")), "capture.mid_stream:100");
  ExpectKilledAt(Wharf({"load", "--once"}, Fault("load.after_commit:1")), "load.after_commit:1");
  shop.Round(3);
  auto c = Wharf({"capture", "--once"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  auto l = Wharf({"load", "--once"});
  ASSERT_EQ(l.exit_code, 0) << l.output;
  ExpectValidateEqual();
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
}

// ---------------------------------------------------------------------------
// Streamed (in-progress) transactions: with logical_decoding_work_mem = 64kB
// any transaction above 64 kB is sent before its commit (protocol v2+,
// streaming on) and spooled by capture.

class StreamedTxnTest : public FaultTest {
 protected:
  void SetUp() override {
    FaultTest::SetUp();
    // Walsenders of this database decode with 64 kB of memory.
    PgExec(SharedCluster().Dsn("postgres"),
           "ALTER DATABASE " + db_ + " SET logical_decoding_work_mem = '64kB'");
  }

  // Large transactions interleaved with small ones, one rolled back, while
  // the big one is open: the decoder must stream the big ones.
  void InterleavedLargeTransactions(int tag) {
    std::string base = std::to_string(static_cast<long>(tag) * 100000);
    PgSession big(dsn_);
    PgSession aborted(dsn_);
    big.Query("BEGIN; INSERT INTO orders SELECT " + base + " + g, 1, g, 'streamed', NULL FROM generate_series(1, 4000) g");
    aborted.Query("BEGIN; INSERT INTO orders SELECT " + base + " + 50000 + g, 2, g, 'aborted', NULL FROM generate_series(1, 3000) g");
    PgRun("INSERT INTO scratch (v) VALUES ('small while big is open')");
    big.Query("UPDATE orders SET note = 'streamed-updated' WHERE id BETWEEN " + base + " + 1 AND " + base + " + 2000");
    PgRun("UPDATE orders SET note = 'small' WHERE id = 1");
    aborted.Query("ROLLBACK");
    big.Query("DELETE FROM orders WHERE id BETWEEN " + base + " + 3001 AND " + base + " + 3500");
    big.Query("INSERT INTO lines SELECT " + base + " + g, 1, 'streamed', g FROM generate_series(1, 2000) g");
    big.Query("COMMIT");
    PgRun("INSERT INTO scratch (v) VALUES ('small after big')");
  }

  void ExpectStreamedContent(int tag) {
    std::string base = std::to_string(static_cast<long>(tag) * 100000);
    EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE id > " + base + " AND id < " + base + " + 50000")[0][0],
              "3500");
    EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE note = 'aborted'")[0][0], "0");
  }
};

TEST_F(StreamedTxnTest, StreamedTransactionsLandOnceWithoutFaults) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  InterleavedLargeTransactions(3);
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectStreamedContent(3);
  ExpectValidateEqual();
  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
  // The 64 kB limit was in force: the decoder streamed or spilled the big transaction.
  auto stats = Pg("SELECT stream_txns, spill_txns FROM pg_stat_replication_slots WHERE slot_name = 'wharf_src'");
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_TRUE(Str(stats[0][0]) != "0" || Str(stats[0][1]) != "0")
      << "stream_txns=" << Str(stats[0][0]) << " spill_txns=" << Str(stats[0][1]);
}

TEST_F(StreamedTxnTest, KillMidTransactionOfAStreamedTransaction) {
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  InterleavedLargeTransactions(4);
  const std::string spec = "capture.mid_transaction:3000";
  ExpectKilledAt(Wharf({"run", "--once"}, Fault(spec)), spec);
  EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE note LIKE 'streamed%'")[0][0], "0")
      << "part of an uncommitted-at-kill transaction is visible";
  RecoverAndVerify();
  ExpectStreamedContent(4);
}

TEST_F(StreamedTxnTest, KillMidStreamThenRestart) {
  if (!SourceHasFaultPoint("capture.mid_stream")) {
    FAIL() << "fault point capture.mid_stream does not exist in src/ yet (streamed-transaction "
              "spooling); this test runs once it does";
  }
  ShopWorkload shop(dsn_);
  shop.Create();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  InterleavedLargeTransactions(5);
  for (const std::string spec : {"capture.mid_stream:1", "capture.mid_stream:3"}) {
    ExpectKilledAt(Wharf({"run", "--once"}, Fault(spec)), spec);
    EXPECT_EQ(Duck("SELECT count(*) FROM public.orders WHERE note LIKE 'streamed%'")[0][0], "0");
  }
  RecoverAndVerify();
  ExpectStreamedContent(5);
  // No stale spool is left behind to be replayed later.
  InterleavedLargeTransactions(6);
  RecoverAndVerify();
  ExpectStreamedContent(6);
}

}  // namespace
}  // namespace wharf::test
