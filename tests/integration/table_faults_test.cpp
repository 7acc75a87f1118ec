// A table that cannot be replicated stops only itself: a new table without a
// usable replica identity is held out of the publication while the others
// stream, listed in status and _wharf.table_errors, and copied once fixed; a
// key the warehouse type cannot hold stops its table rather than merging
// rows. Every test runs on both targets.
#include <signal.h>

#include "integration/both_targets.hpp"

namespace wharf::test {
namespace {

using namespace std::chrono_literals;

class TableFaults : public BothTargets {
 protected:
  std::string HeldReason(const std::string& table) {
    auto r = W("SELECT reason FROM _wharf.table_errors WHERE table_name = '" + table + "'");
    return r.empty() ? "" : Str(r[0][0]);
  }
};

TEST_P(TableFaults, ANewTableWithoutIdentityIsHeldWhileTheOthersStreamAndIsCopiedOnceFixed) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text);"
        "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 100) g;");
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 60s)) << run->Output();

  // The application creates a key-less table and keeps using it: PostgreSQL
  // must not refuse its UPDATEs (it would, were the table published).
  PgRun("CREATE TABLE nokey (a int, b text);"
        "INSERT INTO nokey SELECT g, 'b' || g FROM generate_series(1, 50) g;");
  ASSERT_TRUE(WaitFor([&] { return run->Output().find("table public.nokey is not replicated") != std::string::npos; },
                      60s))
      << run->Output();
  PgRun("UPDATE nokey SET b = 'changed' WHERE a <= 10; DELETE FROM nokey WHERE a > 45;");
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_publication_tables WHERE tablename = 'nokey'")[0][0], "0");
  // The other tables keep streaming.
  PgRun("INSERT INTO items VALUES (1001, 'while held')");
  std::string lsn = CurrentLsn();
  EXPECT_TRUE(WaitFor([&] { return ConfirmedPast(lsn); }, 30s)) << run->Output();
  ASSERT_TRUE(run->Running()) << run->Output();
  auto held = TableStatus("public.nokey");
  EXPECT_EQ(held["phase"], "held") << held.dump();
  EXPECT_NE(held["error"].get<std::string>().find("REPLICA IDENTITY FULL"), std::string::npos) << held.dump();
  // Named once in the log, not at every look.
  std::string out = run->Output();
  size_t first = out.find("table public.nokey is not replicated");
  EXPECT_EQ(out.find("table public.nokey is not replicated", first + 1), std::string::npos) << out;
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(60s), 0) << run->Output();
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE id = 1001")[0][0], "1");
  EXPECT_NE(HeldReason("nokey").find("not replicated"), std::string::npos) << HeldReason("nokey");
  // A restart while it is still held works as well.
  Once();

  // Fixed: picked up by itself, with a fresh copy.
  PgRun("ALTER TABLE nokey REPLICA IDENTITY FULL; UPDATE nokey SET b = 'after fix' WHERE a = 20;");
  Once();
  EXPECT_EQ(W("SELECT count(*) FROM public.nokey")[0][0], "45");
  EXPECT_EQ(W("SELECT count(*) FROM public.nokey WHERE b = 'changed'")[0][0], "10");
  EXPECT_EQ(W("SELECT b FROM public.nokey WHERE a = 20")[0][0], "after fix");
  EXPECT_EQ(HeldReason("nokey"), "");
  EXPECT_EQ(TableStatus("public.nokey")["phase"], "ready");
  PgRun("DELETE FROM nokey WHERE a = 1; INSERT INTO nokey VALUES (1, 'back');");
  Once();
  ExpectValidateEqual();
}

TEST_P(TableFaults, AKeyTheWarehouseCannotHoldStopsItsTableInsteadOfMergingRows) {
  // numeric without a typmod maps to DECIMAL(38,9) on DuckDB: ten fractional
  // digits do not fit. PostgreSQL keeps the source's own type, which does.
  PgRun("CREATE TABLE prices (k numeric PRIMARY KEY, v text);"
        "INSERT INTO prices VALUES (1.5, 'a'), (2.25, 'b');"
        "CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items VALUES (1, 'x');");
  WriteDefaultConfig();
  Once();
  PgRun("INSERT INTO prices VALUES (3.0000000001, 'c'), (3.0000000002, 'd');");
  PgRun("UPDATE prices SET v = 'c2' WHERE k = 3.0000000001; INSERT INTO items VALUES (2, 'y');");
  Once();
  EXPECT_EQ(W("SELECT count(*) FROM public.items")[0][0], "2");  // the other table loads on
  if (IsPostgres()) {
    EXPECT_EQ(W("SELECT count(*) FROM public.prices")[0][0], "4");
    EXPECT_EQ(HeldReason("prices"), "");
    ExpectValidateEqual();
  } else {
    std::string reason = HeldReason("prices");
    EXPECT_NE(reason.find("key column k holds 3.0000000001"), std::string::npos) << reason;
    EXPECT_NE(reason.find("target.numeric: string"), std::string::npos) << reason;
    EXPECT_EQ(TableStatus("public.prices")["phase"], "errored");
    // Nothing merged: no NULL key, the rows before the stop intact.
    EXPECT_EQ(W("SELECT count(*) FROM public.prices WHERE k IS NULL")[0][0], "0");
    EXPECT_EQ(W("SELECT count(*) FROM public.prices")[0][0], "2");
    // The fix the message names, then a resync: every row exact.
    target_yaml_ += "  numeric: string\n";
    WriteDefaultConfig();
    ASSERT_EQ(Wharf({"resync", "--table", "public.prices"}).exit_code, 0);
    Once();
    EXPECT_EQ(W("SELECT count(*) FROM public.prices")[0][0], "4");
    EXPECT_EQ(W("SELECT v FROM public.prices WHERE k = '3.0000000001'")[0][0], "c2");
    EXPECT_EQ(HeldReason("prices"), "");
  }
}

TEST_P(TableFaults, AFirstLoadKeyTheWarehouseCannotHoldStopsItsTable) {
  PgRun("CREATE TABLE prices (k numeric PRIMARY KEY, v text);"
        "INSERT INTO prices VALUES (1.5, 'a'), (3.0000000001, 'c'), (3.0000000002, 'd');");
  WriteDefaultConfig();
  Once();
  if (IsPostgres()) {
    ExpectValidateEqual();
    return;
  }
  EXPECT_NE(HeldReason("prices").find("key column k"), std::string::npos) << HeldReason("prices");
  PgRun("UPDATE prices SET v = 'x' WHERE k > 3");
  Once();
  // Stopped: the update did not merge the two NULL-keyed copied rows into one.
  EXPECT_EQ(W("SELECT count(*) FROM public.prices")[0][0], "3");
}

TEST_P(TableFaults, AnUnchangedToastValueWithNoWarehouseRowStopsTheTableInsteadOfLoadingNull) {
  PgRun("CREATE TABLE docs (id int PRIMARY KEY, n int, big text);"
        "ALTER TABLE docs ALTER big SET STORAGE EXTERNAL;"
        "INSERT INTO docs SELECT g, 0, repeat(md5(g::text), 400) FROM generate_series(1, 3) g;"
        "CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);");
  WriteDefaultConfig();
  Once();
  // A row the warehouse should hold is gone (lost by hand here).
  if (IsPostgres()) PgExec(wh_dsn_, "DELETE FROM public.docs WHERE id = 2");
  else DuckExec(warehouse_, "DELETE FROM public.docs WHERE id = 2");
  PgRun("UPDATE docs SET n = 1 WHERE id IN (1, 2); INSERT INTO items VALUES (2);");
  Once();
  std::string reason = HeldReason("docs");
  EXPECT_NE(reason.find("no row to take it from"), std::string::npos) << reason;
  EXPECT_EQ(TableStatus("public.docs")["phase"], "errored");
  EXPECT_EQ(W("SELECT count(*) FROM public.docs WHERE big IS NULL")[0][0], "0");  // no NULL loaded
  EXPECT_EQ(W("SELECT count(*) FROM public.items")[0][0], "2");                    // the others go on
  // The fix the message names: a resync copies it whole again.
  ASSERT_EQ(Wharf({"resync", "--table", "public.docs"}).exit_code, 0);
  Once();
  EXPECT_EQ(HeldReason("docs"), "");
  ExpectValidateEqual();
}

INSTANTIATE_TEST_SUITE_P(Targets, TableFaults, ::testing::Values("duckdb", "postgres"), TargetName);

}  // namespace
}  // namespace wharf::test
