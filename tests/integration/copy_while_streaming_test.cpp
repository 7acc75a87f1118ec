// Copies made while the stream runs (`wharf resync` here) are exact whatever
// the application does meanwhile: a change inside the copy's window that
// leaves a TOAST value unchanged, a transaction whose commit is in the WAL
// but not yet visible (waiting for a synchronous standby), schema changes
// that land while the copy waits for the table. Every test runs on both
// targets and fails without the fix it covers.
#include <signal.h>

#include <thread>

#include "integration/both_targets.hpp"

namespace wharf::test {
namespace {

using namespace std::chrono_literals;

class CopyWhileStreaming : public BothTargets {
 protected:
  // wharf's copier waits for a lock on a table (its copy is between L and H).
  bool CopierWaitsForLock() {
    return Pg("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wharf copy src' "
              "AND wait_event_type = 'Lock'")[0][0] == "1";
  }
  std::string Activity() {
    std::string out;
    for (const auto& r : Pg("SELECT application_name, coalesce(wait_event_type, '-'), coalesce(wait_event, '-'), "
                            "left(query, 120) FROM pg_stat_activity WHERE datname = current_database()"))
      out += Str(r[0]) + " | " + Str(r[1]) + " | " + Str(r[2]) + " | " + Str(r[3]) + "\n";
    return out;
  }
  // Starts wharf run and requests a resync of `table` while it streams.
  std::unique_ptr<Process> RunAndResync(const std::string& table) {
    auto run = StartWharf({"run"}, "run.log");
    EXPECT_TRUE(WaitFor([&] { return SlotHeld(); }, 60s)) << run->Output();
    auto r = Wharf({"resync", "--table", table});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return run;
  }
  std::string ColumnCount(const std::string& table, const std::string& column) {
    return Str(W("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '" +
                 table + "' AND column_name = '" + column + "'")[0][0]);
  }
  // `app` takes `table`'s ACCESS EXCLUSIVE lock and holds it in an open
  // transaction; wharf run starts and a resync of the table is requested, so
  // the copy writes its L and then waits for the lock: what `app` commits next
  // lands inside the copy's window.
  std::unique_ptr<Process> CopyWaitingOnLock(PgSession& app, const std::string& table) {
    app.Query("BEGIN; LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
    auto run = RunAndResync("public." + table);
    EXPECT_TRUE(WaitFor([&] { return CopierWaitsForLock(); }, 60s)) << Activity() << run->Output();
    return run;
  }
  // Whether wharf confirms, within a minute, everything written so far.
  bool CaughtUp() {
    std::string lsn = CurrentLsn();
    return WaitFor([&] { return ConfirmedPast(lsn); }, 60s);
  }
  void StopAndCatchUp(Process& run) {
    run.Signal(SIGINT);
    EXPECT_EQ(run.Wait(90s), 0) << run.Output();
    Once();
  }
};

TEST_P(CopyWhileStreaming, UnchangedToastValuesChangedInsideTheWindowAreKept) {
  PgRun("CREATE TABLE docs (id int PRIMARY KEY, n int, big text);"
        "ALTER TABLE docs ALTER big SET STORAGE EXTERNAL;"
        "INSERT INTO docs SELECT g, 0, repeat(md5(g::text), 400) FROM generate_series(1, 2) g;");
  WriteDefaultConfig();
  Once();
  // The application holds the table, so the copy waits between its marks;
  // then it updates n of both rows without touching big, and commits.
  PgSession app(dsn_);
  auto run = CopyWaitingOnLock(app, "docs");
  ASSERT_FALSE(HasFailure());
  app.Query("UPDATE docs SET n = n + 1; COMMIT");
  ASSERT_TRUE(CaughtUp()) << run->Output();
  StopAndCatchUp(*run);
  EXPECT_EQ(W("SELECT count(*) FROM public.docs WHERE big IS NULL")[0][0], "0");
  EXPECT_EQ(W("SELECT sum(length(big)) FROM public.docs")[0][0], "25600");
  EXPECT_EQ(W("SELECT sum(n) FROM public.docs")[0][0], "2");
  ExpectValidateEqual();
}

TEST_P(CopyWhileStreaming, ACommitNotYetVisibleToTheCopysSnapshotIsNotOverwritten) {
  UseOwnCluster();
  PgRun("CREATE TABLE acct (id int PRIMARY KEY, v text);"
        "INSERT INTO acct SELECT g, 'v' || g FROM generate_series(1, 5) g;");
  // Only the application's session waits for the (missing) standby.
  PgRun("ALTER DATABASE " + db_ + " SET synchronous_commit = local");
  WriteDefaultConfig();
  Once();
  PgRun("ALTER SYSTEM SET synchronous_standby_names = 'ghost'");
  PgRun("SELECT pg_reload_conf()");
  PgSession app(dsn_);
  app.Query("SET synchronous_commit = on");
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 60s)) << run->Output();
  // Committed in the WAL (wharf streams it), invisible until the standby answers.
  std::thread waiter([&] { app.Query("DELETE FROM acct WHERE id = 2; UPDATE acct SET v = 'hidden' WHERE id = 3"); });
  ASSERT_TRUE(WaitFor([&] {
    return Pg("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")[0][0] == "1";
  }, 30s));
  ASSERT_TRUE(CaughtUp()) << run->Output();
  ASSERT_EQ(Wharf({"resync", "--table", "public.acct"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return run->Output().find("not yet visible to its snapshot") != std::string::npos; }, 60s))
      << run->Output();
  PgRun("ALTER SYSTEM RESET synchronous_standby_names");
  PgRun("SELECT pg_reload_conf()");
  waiter.join();
  ASSERT_TRUE(CaughtUp()) << run->Output();
  ASSERT_TRUE(WaitFor([&] { return Str(TableStatus("public.acct")["phase"]) != "copying"; }, 60s));
  StopAndCatchUp(*run);
  EXPECT_EQ(W("SELECT count(*) FROM public.acct WHERE id = 2")[0][0], "0");  // the delete stays
  EXPECT_EQ(W("SELECT v FROM public.acct WHERE id = 3")[0][0], "hidden");
  EXPECT_EQ(W("SELECT count(*) FROM public.acct")[0][0], "4");
  ExpectValidateEqual();
}

TEST_P(CopyWhileStreaming, SchemaChangesWhileTheCopyWaitsLandWithTheirRows) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, qty smallint, note text, gone text);"
        "INSERT INTO items SELECT g, g, 'n' || g, 'g' FROM generate_series(1, 300) g;");
  target_yaml_ += "  dropped_columns: drop\n";
  WriteDefaultConfig();
  Once();
  PgSession app(dsn_);
  auto run = CopyWaitingOnLock(app, "items");
  ASSERT_FALSE(HasFailure());
  app.Query("ALTER TABLE items ADD COLUMN added int DEFAULT 7;"
            "ALTER TABLE items ALTER COLUMN qty TYPE bigint;"
            "ALTER TABLE items RENAME COLUMN note TO remark;"
            "ALTER TABLE items DROP COLUMN gone;"
            "UPDATE items SET qty = 5000000000 WHERE id = 1; COMMIT");
  ASSERT_TRUE(CaughtUp()) << run->Output();
  StopAndCatchUp(*run);
  EXPECT_EQ(TableStatus("public.items")["load_error"], "");
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE added = 7")[0][0], "300");
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE remark LIKE 'n%'")[0][0], "300");
  EXPECT_EQ(W("SELECT qty FROM public.items WHERE id = 1")[0][0], "5000000000");
  EXPECT_EQ(ColumnCount("items", "gone"), "0");
  ExpectValidateEqual();
}

TEST_P(CopyWhileStreaming, AStopWhileTheCopyWaitsForAnApplicationsLockIsPromptAndTheCopyResumes) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text);"
        "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 50) g;");
  WriteDefaultConfig();
  Once();
  PgSession app(dsn_);
  auto run = CopyWaitingOnLock(app, "items");
  ASSERT_FALSE(HasFailure());
  auto t0 = std::chrono::steady_clock::now();
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(60s), 0) << run->Output();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 15s) << "the stop waited for the application's lock";
  app.Query("UPDATE items SET v = 'during' WHERE id = 3; COMMIT");
  // The interrupted copy resumes and ends; --once waits for it.
  Once();
  EXPECT_EQ(TableStatus("public.items")["phase"], "ready");
  EXPECT_EQ(W("SELECT v FROM public.items WHERE id = 3")[0][0], "during");
  ExpectValidateEqual();
}

INSTANTIATE_TEST_SUITE_P(Targets, CopyWhileStreaming, ::testing::Values("duckdb", "postgres"), TargetName);

}  // namespace
}  // namespace wharf::test
