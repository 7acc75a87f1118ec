// End-to-end: PostgreSQL -> wharf run -> DuckDB, checked value by value and
// with `wharf validate`.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <thread>

#include "harness.hpp"

namespace wharf::test {
namespace {

class Pipeline : public WharfTest {};

TEST_F(Pipeline, FullLoadCopiesEveryRowAndValidates) {
  PgRun("CREATE TABLE customers (id int PRIMARY KEY, name text, email varchar(80));"
        "INSERT INTO customers SELECT g, 'c' || g, 'c' || g || '@x.io' FROM generate_series(1, 2500) g;"
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);"
        "INSERT INTO notes VALUES (1, NULL), (2, ''), (3, 'tab\there'), (4, 'line\nbreak'), (5, 'quote''\"\\');");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM public.customers")[0],
            (std::vector<std::optional<std::string>>{"2500", "2500", "1", "2500"}));
  auto notes = Duck("SELECT id, body FROM public.notes ORDER BY id");
  ASSERT_EQ(notes.size(), 5u);
  EXPECT_FALSE(notes[0][1].has_value());
  EXPECT_EQ(Str(notes[1][1]), "");
  EXPECT_EQ(Str(notes[2][1]), "tab\there");
  EXPECT_EQ(Str(notes[3][1]), "line\nbreak");
  EXPECT_EQ(Str(notes[4][1]), "quote'\"\\");
  ExpectValidateEqual();
}

TEST_F(Pipeline, TransactionCommittingDuringSlotCreationIsNotLost) {
  PgRun("CREATE TABLE accounts (id int PRIMARY KEY, v text);"
        "INSERT INTO accounts SELECT g, 'seed' FROM generate_series(1, 100) g;");
  WriteDefaultConfig();
  // A transaction open while the slot is created: not in the exported
  // snapshot, so it must come through the stream, even when its commit record
  // is exactly the slot's consistent point.
  PgSession open_txn(dsn_);
  open_txn.Query("BEGIN; UPDATE accounts SET v = 'in-flight' WHERE id = 1;"
                 "INSERT INTO accounts VALUES (1000, 'in-flight');");
  Process run({"run", "--once", "-c", config_.string()}, work_ / "run.log");
  ASSERT_TRUE(WaitFor([&] {
    return Pg("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wharf_src'")[0][0] == "1";
  }, std::chrono::seconds(30)));
  // Transactions keep committing around the consistent point. Each sleeps
  // between its write and its commit, so the slot's last running-xacts record
  // tends to fall inside one, whose commit is then exactly the consistent point.
  std::atomic<bool> stop_writes{false};
  std::thread writer([&] {
    PgSession w(dsn_);
    for (int i = 0; !stop_writes && i < 5000; ++i)
      w.Query("BEGIN; UPDATE accounts SET v = 'w" + std::to_string(i) + "' WHERE id = " +
              std::to_string(2 + i % 99) + "; SELECT pg_sleep(0.01); COMMIT");
  });
  open_txn.Query("COMMIT");
  int code = run.Wait();
  stop_writes = true;
  writer.join();
  ASSERT_EQ(code, 0) << run.Output();
  ASSERT_EQ(RunOnce().exit_code, 0);
  EXPECT_EQ(Duck("SELECT v FROM public.accounts WHERE id IN (1, 1000) ORDER BY id"),
            (Rows{{"in-flight"}, {"in-flight"}}));
  ExpectValidateEqual();
}

TEST_F(Pipeline, StreamsInsertsUpdatesDeletesAndTruncate) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, label text, qty int);"
        "INSERT INTO items SELECT g, 'item' || g, g FROM generate_series(1, 100) g;"
        "CREATE TABLE lines (order_id int, line_no int, sku text, PRIMARY KEY (order_id, line_no));"
        "INSERT INTO lines VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c');"
        "CREATE TABLE scratch (id int PRIMARY KEY, v text);"
        "INSERT INTO scratch VALUES (1, 'x'), (2, 'y');");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);

  PgRun("INSERT INTO items VALUES (101, 'new', NULL), (102, NULL, 5);"
        "UPDATE items SET qty = qty * 10 WHERE id <= 10;"
        "UPDATE items SET label = NULL WHERE id = 11;"
        "DELETE FROM public.items WHERE id BETWEEN 20 AND 29;"
        "UPDATE items SET id = 1000 WHERE id = 50;"  // primary key change
        "BEGIN; INSERT INTO items VALUES (500, 'gone', 1); DELETE FROM public.items WHERE id = 500; COMMIT;"
        "BEGIN; DELETE FROM public.items WHERE id = 60; INSERT INTO items VALUES (60, 'reborn', 6); COMMIT;"
        "BEGIN; INSERT INTO items VALUES (700, 'v1', 1); UPDATE items SET label = 'v2' WHERE id = 700;"
        "       UPDATE items SET label = 'v3', qty = 3 WHERE id = 700; COMMIT;"
        "UPDATE lines SET sku = 'bb' WHERE order_id = 1 AND line_no = 2;"
        "DELETE FROM public.lines WHERE order_id = 2 AND line_no = 1;"
        "INSERT INTO lines VALUES (3, 1, NULL);"
        "UPDATE lines SET line_no = 9 WHERE order_id = 1 AND line_no = 1;"
        "TRUNCATE scratch; INSERT INTO scratch VALUES (3, 'after truncate');");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;

  EXPECT_EQ(Duck("SELECT count(*) FROM public.items")[0][0], "93");
  EXPECT_EQ(Duck("SELECT qty FROM public.items WHERE id = 7")[0][0], "70");
  EXPECT_FALSE(Duck("SELECT label FROM public.items WHERE id = 11")[0][0].has_value());
  EXPECT_EQ(Duck("SELECT count(*) FROM public.items WHERE id BETWEEN 20 AND 29 OR id IN (50, 500)")[0][0], "0");
  EXPECT_EQ(Duck("SELECT label, qty FROM public.items WHERE id = 1000")[0],
            (std::vector<std::optional<std::string>>{"item50", "50"}));
  EXPECT_EQ(Duck("SELECT label FROM public.items WHERE id = 60")[0][0], "reborn");
  EXPECT_EQ(Duck("SELECT label, qty FROM public.items WHERE id = 700")[0],
            (std::vector<std::optional<std::string>>{"v3", "3"}));
  EXPECT_EQ(Duck("SELECT order_id, line_no, sku FROM public.lines ORDER BY 1, 2"),
            (Rows{{"1", "2", "bb"}, {"1", "9", "a"}, {"3", "1", std::nullopt}}));
  EXPECT_EQ(Duck("SELECT id, v FROM public.scratch"), (Rows{{"3", "after truncate"}}));
  // _wharf_lsn is the commit LSN of the last change to the row.
  EXPECT_EQ(Duck("SELECT count(*) FROM public.items WHERE _wharf_lsn IS NULL OR _wharf_lsn <= 0")[0][0], "0");
  ExpectValidateEqual();
}

TEST_F(Pipeline, TypesLandWithEqualValuesFromFullLoadAndStream) {
  const std::string ddl =
      "CREATE TABLE typed (id int PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, num numeric(12,3),"
      " r real, d double precision, b boolean, t text, vc varchar(10), ch char(4), dt date,"
      " ts timestamp, tstz timestamptz, u uuid, js json, jb jsonb, by bytea)";
  const std::string values =
      "(%1, -32768, 2147483647, -9223372036854775808, -123456789.125, 3.4028235e38, 'NaN', true,"
      " 'héllo ☃', 'abc', 'ab', '0044-03-15 BC', '2024-02-29 23:59:59.999999',"
      " '1999-12-31 19:00:00-05', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": null, \"n\": 12345678901234567890}',"
      " '{\"k\": [1, null, \"x\"]}', '\\xdeadbeef00'),"
      "(%2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'null', NULL),"
      "(%3, 1, -1, 1, 0.001, '-Infinity', 'Infinity', false, '', '', '', 'infinity', '-infinity',"
      " 'infinity', '00000000-0000-0000-0000-000000000000', '[]', '{}', '\\x')";
  auto fill = [&](int a, int b, int c) {
    std::string s = values;
    s.replace(s.find("%1"), 2, std::to_string(a));
    s.replace(s.find("%2"), 2, std::to_string(b));
    s.replace(s.find("%3"), 2, std::to_string(c));
    return s;
  };
  PgRun(ddl + "; INSERT INTO typed VALUES " + fill(1, 2, 3));
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  PgRun("SET TimeZone = 'America/New_York'; INSERT INTO typed VALUES " + fill(11, 12, 13));
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;

  auto row = Duck(
      "SELECT i2, i4, i8, num, r, d, b, t, vc, ch, CAST(dt AS VARCHAR), CAST(ts AS VARCHAR),"
      " CAST(tstz AT TIME ZONE 'UTC' AS VARCHAR), CAST(u AS VARCHAR), CAST(js AS VARCHAR),"
      " CAST(jb AS VARCHAR), hex(\"by\") FROM public.typed WHERE id = 1")[0];
  std::vector<std::optional<std::string>> expected = {
      "-32768", "2147483647", "-9223372036854775808", "-123456789.125", "3.4028235e+38", "nan",
      "true", "héllo ☃", "abc", "ab  ", "0044-03-15 (BC)", "2024-02-29 23:59:59.999999",
      "2000-01-01 00:00:00", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      "{\"a\": null, \"n\": 12345678901234567890}", "{\"k\": [1, null, \"x\"]}", "DEADBEEF00"};
  EXPECT_EQ(row, expected);
  auto edge = Duck("SELECT r, d, b, t, ch, CAST(dt AS VARCHAR), CAST(ts AS VARCHAR), hex(\"by\"), CAST(jb AS VARCHAR)"
                   " FROM public.typed WHERE id = 3")[0];
  EXPECT_EQ(edge, (std::vector<std::optional<std::string>>{"-inf", "inf", "false", "", "    ",
                                                           "infinity", "-infinity", "", "{}"}));
  auto nulls = Duck("SELECT count(*) FROM public.typed WHERE id IN (2, 12) AND i2 IS NULL AND js IS NULL"
                    " AND CAST(jb AS VARCHAR) = 'null' AND \"by\" IS NULL");
  EXPECT_EQ(nulls[0][0], "2") << "SQL NULL and JSON null must stay distinct";
  // Streamed rows (written in another session time zone) equal the full-load rows.
  auto mismatches = Duck(
      "SELECT count(*) FROM public.typed a JOIN public.typed b ON b.id = a.id + 10 WHERE a.id <= 3 AND ("
      " a.i2 IS DISTINCT FROM b.i2 OR a.i4 IS DISTINCT FROM b.i4 OR a.i8 IS DISTINCT FROM b.i8 OR"
      " a.num IS DISTINCT FROM b.num OR a.r IS DISTINCT FROM b.r OR a.d IS DISTINCT FROM b.d OR"
      " a.b IS DISTINCT FROM b.b OR a.t IS DISTINCT FROM b.t OR a.vc IS DISTINCT FROM b.vc OR"
      " a.ch IS DISTINCT FROM b.ch OR a.dt IS DISTINCT FROM b.dt OR a.ts IS DISTINCT FROM b.ts OR"
      " a.tstz IS DISTINCT FROM b.tstz OR a.u IS DISTINCT FROM b.u OR CAST(a.js AS VARCHAR) IS DISTINCT FROM CAST(b.js AS VARCHAR) OR"
      " CAST(a.jb AS VARCHAR) IS DISTINCT FROM CAST(b.jb AS VARCHAR) OR a.\"by\" IS DISTINCT FROM b.\"by\")");
  EXPECT_EQ(mismatches[0][0], "0");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.typed")[0][0], "6");
  ExpectValidateEqual();
}

TEST_F(Pipeline, RestartAfterSigintLosesAndDoublesNothing) {
  PgRun("CREATE TABLE events (id bigserial PRIMARY KEY, n int, note text);"
        "INSERT INTO events (n, note) SELECT g, 'seed' FROM generate_series(1, 1000) g;");
  WriteDefaultConfig();
  Process run({"run", "-c", config_.string()}, work_ / "run1.log");
  // Writes while wharf streams.
  for (int i = 0; i < 30; ++i) {
    PgRun("INSERT INTO events (n, note) SELECT g, 'live' FROM generate_series(1, 50) g;"
          "UPDATE events SET n = n + 1 WHERE id % 7 = " + std::to_string(i % 7) + ";"
          "DELETE FROM public.events WHERE id % 97 = " + std::to_string(i) + ";");
  }
  // Wait until streamed batches (beyond the full load's) are staged: wharf is mid-stream.
  auto manifests = [&] {
    size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(work_ / "stage/src/manifests", ec);
         !ec && it != std::filesystem::directory_iterator(); ++it)
      ++n;
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return manifests() >= 3; }, std::chrono::seconds(30))) << run.Output();
  run.Signal(SIGINT);
  EXPECT_EQ(run.Wait(), 0) << run.Output();
  EXPECT_NE(run.Output().find("stopped cleanly"), std::string::npos) << run.Output();

  // More changes while wharf is down, then a restart catches up.
  PgRun("INSERT INTO events (n, note) SELECT g, 'offline' FROM generate_series(1, 300) g;"
        "UPDATE events SET note = 'touched' WHERE id % 5 = 0;");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) - count(DISTINCT id) FROM public.events")[0][0], "0");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.events")[0][0], Pg("SELECT count(*) FROM public.events")[0][0]);
  ExpectValidateEqual();
  // A further --once with nothing new changes nothing.
  ASSERT_EQ(RunOnce().exit_code, 0);
  ExpectValidateEqual();
}

TEST_F(Pipeline, TwoSourcesIntoOneWarehouse) {
  PgRun("CREATE TABLE accounts (id int PRIMARY KEY, owner text);"
        "INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 300) g;");
  std::string other = CreateDatabase("b");
  PgExec(other, "CREATE TABLE accounts (id int PRIMARY KEY, owner text);"
                "INSERT INTO accounts SELECT g, 'b' || g FROM generate_series(1, 200) g;");
  WriteConfig("  - name: alpha\n    dsn: " + dsn_ + "\n    target_schema: alpha\n"
              "  - name: beta\n    dsn: " + other + "\n    target_schema: beta\n");
  ASSERT_EQ(RunOnce().exit_code, 0);
  PgRun("UPDATE accounts SET owner = 'changed' WHERE id = 1");
  PgExec(other, "DELETE FROM accounts WHERE id > 150");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) FROM alpha.accounts")[0][0], "300");
  EXPECT_EQ(Duck("SELECT count(*) FROM beta.accounts")[0][0], "150");
  EXPECT_EQ(Duck("SELECT owner FROM alpha.accounts WHERE id = 1")[0][0], "changed");
  EXPECT_EQ(Duck("SELECT source FROM _wharf.state ORDER BY 1"), (Rows{{"alpha"}, {"beta"}}));
  ExpectValidateEqual();
}

TEST_F(Pipeline, TwoSourcesOntoOneTableAreRefused) {
  PgRun("CREATE TABLE accounts (id int PRIMARY KEY)");
  std::string other = CreateDatabase("b");
  PgExec(other, "CREATE TABLE accounts (id int PRIMARY KEY)");
  WriteConfig("  - name: alpha\n    dsn: " + dsn_ + "\n  - name: beta\n    dsn: " + other + "\n");
  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("public.accounts"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("target_schema"), std::string::npos) << r.output;
}

TEST_F(Pipeline, ValidateFindsPlantedDifferences) {
  PgRun("CREATE TABLE products (id int PRIMARY KEY, price numeric(10,2), name text);"
        "INSERT INTO products SELECT g, g * 1.25, 'p' || g FROM generate_series(1, 50) g;");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  ExpectValidateEqual();
  DuckExec(warehouse_, "UPDATE public.products SET price = 0 WHERE id = 7;"
                       "DELETE FROM public.products WHERE id = 9;"
                       "INSERT INTO public.products (id, price, name) VALUES (77, 1, 'ghost');");
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("different values: (id)=(7)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing in warehouse: (id)=(9)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not in source: (id)=(77)"), std::string::npos) << r.output;
  auto j = Wharf({"validate", "--json"});
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_NE(j.output.find("\"different\": 1"), std::string::npos) << j.output;
}

TEST_F(Pipeline, TableWithoutReplicaIdentityIsHeldWithTheFixWhileTheOthersLoad) {
  PgRun("CREATE TABLE keyed (id int PRIMARY KEY); INSERT INTO keyed VALUES (1);"
        "CREATE TABLE loose (a int, b text);");
  WriteDefaultConfig();
  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) FROM public.keyed")[0][0], "1");
  EXPECT_NE(r.output.find("ALTER TABLE \"public\".\"loose\" REPLICA IDENTITY FULL"), std::string::npos)
      << r.output;
  // It was never put into a publication, so the application's UPDATEs still work.
  PgRun("INSERT INTO loose VALUES (1, 'x'); UPDATE loose SET b = 'y'; DELETE FROM loose;");
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_publication_tables WHERE tablename = 'loose'")[0][0], "0");
  // Only held tables: nothing to replicate is an error with every fix.
  PgRun("DROP TABLE keyed");
  r = RunOnce();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("none of the 1 selected table(s) can be replicated"), std::string::npos) << r.output;
}

TEST_F(Pipeline, UnknownConfigKeyNamesLineAndSuggestion) {
  std::ofstream(config_) << "sources:\n  - name: src\n    dsn: " << dsn_
                         << "\nstaging:\n  compresion: zstd\n";
  auto r = Wharf({"run", "--once"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("wharf.yaml:5:3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("did you mean 'compression'"), std::string::npos) << r.output;
}

// bench/e2e_bench.sh measures freshness from the loader's debug line saying
// when each batch's DuckDB commit returned: one line per applied batch, in
// seq order, the last being the seq _wharf.state holds, at a time between
// the run's start and end (unix microseconds, the clock PostgreSQL uses).
TEST_F(Pipeline, DebugLogSaysWhenEachBatchCommitted) {
  PgRun("CREATE TABLE ticks (id int PRIMARY KEY, v text)");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  const std::string before_seq = Str(Duck("SELECT batch_seq FROM _wharf.state")[0][0]);
  for (int i = 1; i <= 3; ++i) PgRun("INSERT INTO ticks VALUES (" + std::to_string(i) + ", 'x')");
  auto micros = [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  };
  const int64_t start = micros();
  auto r = Wharf({"run", "--once", "--log-level", "debug"});
  const int64_t end = micros();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::regex line(R"(load src: batch (\d+) committed at (\d+) us \((\d+) transactions)");
  std::vector<uint64_t> seqs;
  uint64_t txns = 0;
  for (std::sregex_iterator it(r.output.begin(), r.output.end(), line), stop; it != stop; ++it) {
    seqs.push_back(std::stoull((*it)[1]));
    int64_t at = std::stoll((*it)[2]);
    EXPECT_GE(at, start) << r.output;
    EXPECT_LE(at, end) << r.output;
    txns += std::stoull((*it)[3]);
  }
  ASSERT_FALSE(seqs.empty()) << r.output;
  EXPECT_EQ(seqs.front(), std::stoull(before_seq) + 1) << r.output;
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1) << r.output;
  EXPECT_EQ(std::to_string(seqs.back()), Str(Duck("SELECT batch_seq FROM _wharf.state")[0][0]));
  EXPECT_EQ(txns, 3u) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) FROM public.ticks")[0][0], "3");
}

}  // namespace
}  // namespace wharf::test
