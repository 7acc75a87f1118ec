// Full load: parallel key-range copy, consistency with a concurrent workload,
// resuming after a crash, tables added while streaming, resync.
#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <thread>

#include "harness.hpp"

namespace wharf::test {
namespace {

class FullLoad : public WharfTest {
 protected:
  nlohmann::json Status() {
    auto r = Wharf({"status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto start = r.output.find('{');
    return nlohmann::json::parse(r.output.substr(start));
  }
  nlohmann::json TableStatus(const std::string& table) {
    auto status = Status();  // kept alive: the loop walks inside it
    for (const auto& t : status["sources"][0]["tables"])
      if (t["table"] == table) return t;
    return nullptr;
  }
  // 300,000 rows in public.big, owned and copied by the role wharf_slow
  // (whose DSN it returns), slower than they load, as most tables copy on
  // few cores: a row-level security policy, forced on the owner, sleeps now
  // and then, and PostgreSQL sorts each key page before its first row. With
  // batch_bytes 8MB a batch is a key page of 100,000 rows.
  std::string SlowBigTable() {
    const std::string dsn = LimitedRole("wharf_slow");
    PgRun("CREATE TABLE big (id bigint PRIMARY KEY, v text, n int);"
          "INSERT INTO big SELECT g, 'value ' || g, g % 1000 FROM generate_series(1, 300000) g;"
          "CREATE FUNCTION slow_ok(i bigint) RETURNS boolean LANGUAGE plpgsql AS $$"
          " BEGIN IF i % 10000 = 0 THEN PERFORM pg_sleep(0.01); END IF; RETURN true; END $$;"
          "ALTER TABLE big OWNER TO wharf_slow; ALTER TABLE big ENABLE ROW LEVEL SECURITY;"
          "ALTER TABLE big FORCE ROW LEVEL SECURITY; CREATE POLICY slow ON big USING (slow_ok(id));");
    return dsn;
  }
  // A new role `role` with what wharf needs of a source and no more (LOGIN,
  // REPLICATION, CREATE on the test's database: not a superuser); its DSN.
  std::string LimitedRole(const std::string& role) {
    PgRun("DROP ROLE IF EXISTS " + role + "; CREATE ROLE " + role + " LOGIN REPLICATION;"
          "GRANT CREATE ON DATABASE " + db_ + " TO " + role + ";");
    std::string dsn = dsn_;
    dsn.replace(dsn.find("postgres@"), 9, role + "@");
    return dsn;
  }
};

// A workload that keeps inserting, updating, deleting and re-inserting rows.
class Workload {
 public:
  explicit Workload(const std::string& dsn) : thread_([this, dsn] {
      PgSession s(dsn);
      for (int i = 0; !stop_; ++i) {
        int k = 1 + (i * 7919) % 200000;
        s.Query("BEGIN; UPDATE big SET v = v + 1, note = 'upd' WHERE id = " + std::to_string(k) + ";"
                "DELETE FROM big WHERE id = " + std::to_string(k + 1) + ";"
                "INSERT INTO big VALUES (" + std::to_string(k + 1) + ", -1, 'reinserted') ON CONFLICT (id) DO NOTHING;"
                "INSERT INTO big VALUES (" + std::to_string(1000000 + i) + ", 0, 'new');"
                "DELETE FROM big WHERE id = " + std::to_string(k + 2) + "; COMMIT;");
        ++count_;
      }
    }) {}
  ~Workload() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int count() const { return count_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> count_{0};
  std::thread thread_;
};

TEST_F(FullLoad, ParallelRangesStayConsistentUnderConcurrentWrites) {
  PgRun("CREATE TABLE big (id bigint PRIMARY KEY, v int, note text);"
        "INSERT INTO big SELECT g, g, 'seed' FROM generate_series(1, 600000) g;"
        "CREATE TABLE small (id int PRIMARY KEY, s text);"
        "INSERT INTO small SELECT g, 's' || g FROM generate_series(1, 1000) g;"
        "ANALYZE big; ANALYZE small;");
  full_load_yaml_ += "  workers: 3\n";
  WriteConfig("  - name: src\n    dsn: " + dsn_ + "\n");
  Workload workload(dsn_);
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  workload.Stop();
  EXPECT_GT(workload.count(), 0);
  ASSERT_EQ(RunOnce().exit_code, 0);
  auto st = TableStatus("public.big");
  EXPECT_EQ(st["phase"], "ready");
  // The 600,000-row table was split into several key ranges copied at once.
  auto state = nlohmann::json::parse(std::ifstream(work_ / "stage/src/state/capture.json"));
  for (const auto& t : state["tables"])
    if (t["table"] == "public.big") {
      EXPECT_GE(t["ranges"].size(), 2u);
    }
  EXPECT_EQ(Duck("SELECT count(*) - count(DISTINCT id) FROM public.big")[0][0], "0");
  ExpectValidateEqual();
}

TEST_F(FullLoad, ResumesAfterCrashWithoutCopyingAgain) {
  PgRun("CREATE TABLE big (id bigint PRIMARY KEY, v int, note text);"
        "INSERT INTO big SELECT g, g, repeat('x', 50) FROM generate_series(1, 300000) g;"
        "CREATE TABLE a_small (id int PRIMARY KEY);"
        "INSERT INTO a_small SELECT generate_series(1, 100);"
        "ANALYZE;");
  // One worker: a_small is copied first, then big, killed after 150,000 rows.
  full_load_yaml_ += "  workers: 1\n";
  WriteConfig("  - name: src\n    dsn: " + dsn_ + "\n");
  auto crashed = Wharf({"run", "--once"}, {"WHARF_FAULT=snapshot.mid_copy:150200"});
  ASSERT_EQ(crashed.exit_code, 137) << crashed.output;
  auto before = nlohmann::json::parse(std::ifstream(work_ / "stage/src/state/capture.json"));
  uint64_t copied_before = 0;
  for (const auto& t : before["tables"]) {
    if (t["table"] == "public.a_small") {
      EXPECT_EQ(t["phase"], "catchup");
    }
    if (t["table"] == "public.big") {
      EXPECT_EQ(t["phase"], "copying");
      copied_before = t["rows_copied"].get<uint64_t>();
    }
  }
  EXPECT_GE(copied_before, 100000u);  // at least one page of 100,000 rows was staged
  PgRun("UPDATE big SET note = 'after crash' WHERE id IN (5, 299999); DELETE FROM big WHERE id = 7;");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("resuming after the last staged key"), std::string::npos) << r.output;
  auto st = TableStatus("public.big");
  EXPECT_EQ(st["phase"], "ready");
  EXPECT_EQ(st["copy_method"], "watermark");
  // Rows staged in both runs add up to the table once: what the first run
  // staged was not copied again (rows_copied counts staged rows across runs).
  EXPECT_GE(st["rows_copied"].get<uint64_t>(), 299999u);
  EXPECT_LE(st["rows_copied"].get<uint64_t>(), 300000u);
  EXPECT_EQ(TableStatus("public.a_small")["rows_copied"], 100);
  EXPECT_EQ(Duck("SELECT note FROM public.big WHERE id = 299999")[0][0], "after crash");
  ExpectValidateEqual();
}

TEST_F(FullLoad, KeylessTableKilledAfterItsBatchStartsOverWithoutDoubling) {
  // A key-less table has no key to resume after: a crash between its batch's
  // manifest and the saved progress must not stage its rows a second time on
  // top of the first (a multiset would double).
  PgRun("CREATE TABLE bag (v int, note text) ; ALTER TABLE bag REPLICA IDENTITY FULL;"
        "INSERT INTO bag SELECT g % 50, 'n' FROM generate_series(1, 5000) g;");
  full_load_yaml_ += "  workers: 1\n";
  WriteConfig("  - name: src\n    dsn: " + dsn_ + "\n");
  // Manifest 1 is the truncate batch, manifest 2 the table's rows.
  auto crashed = Wharf({"run", "--once"}, {"WHARF_FAULT=staging.after_manifest:2"});
  ASSERT_EQ(crashed.exit_code, 137) << crashed.output;
  PgRun("INSERT INTO bag VALUES (1, 'n'); DELETE FROM bag WHERE ctid = (SELECT min(ctid) FROM bag WHERE v = 2);");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) FROM public.bag")[0][0], "5000");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.bag WHERE v = 1")[0][0], "101");
  ExpectValidateEqual();
}

// A first-load batch with a row group per DuckDB thread loads through the
// parallel INSERT (wharf_fresh_rows): every row once, NULLs and rejects as on
// the one-thread path. `wharf run` hands the rows over in memory
// (staging::FreshCache); the test below loads them from the file.
TEST_F(FullLoad, LargeFreshBatchLoadsOnSeveralThreads) {
  PgRun("CREATE TABLE wide (id bigint PRIMARY KEY, qty int, name text, price numeric(12,2),"
        " at timestamptz, ok boolean, day date, code varchar(30));"
        "INSERT INTO wide SELECT g, g % 1000, CASE WHEN g % 9 = 0 THEN NULL ELSE 'name ' || g END,"
        " (g % 100000) / 100.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',"
        " g % 2 = 0, CASE WHEN g % 10 = 0 THEN NULL ELSE date '2020-01-01' + g % 4000 END,"
        " CASE WHEN g % 7 = 0 THEN NULL ELSE 'C-' || g END FROM generate_series(1, 60000) g;"
        "CREATE TABLE bad (id int PRIMARY KEY, n numeric);"
        "INSERT INTO bad SELECT g, CASE WHEN g % 1000 = 0 THEN 'NaN' ELSE g::numeric END"
        " FROM generate_series(1, 45000) g;");
  // 16384-row groups under a small memory_limit: 60,000 rows make two threads.
  target_yaml_ += "  memory_limit: 64MB\n";
  full_load_yaml_ = "  batch_bytes: 256MB\n";
  WriteDefaultConfig();
  auto r = Wharf({"--log-level", "debug", "run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Taken from memory once committed, or streamed while copied (the count
  // is then the expected one): in memory either way, never from the file.
  EXPECT_NE(r.output.find("fresh rows into public.wide on 2 DuckDB threads"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("fresh rows into public.bad on 2 DuckDB threads"), std::string::npos)
      << r.output;
  EXPECT_TRUE(r.output.find("the 60000 rows of") != std::string::npos &&
              r.output.find("wide/", r.output.find("the 60000 rows of")) != std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("the 45000 rows of"), std::string::npos) << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(DISTINCT id), count(name), count(day) FROM public.wide")[0],
            (std::vector<std::optional<std::string>>{"60000", "60000", "53334", "54000"}));
  EXPECT_EQ(Duck("SELECT count(*) FROM _wharf.rejects WHERE table_name = 'public.bad' AND raw_text = 'NaN'")[0][0],
            "45");
  ExpectValidateEqual();
}

// `wharf run` appends a batch of a large table while its rows are still
// being copied (Loader::ApplyAhead), and commits it with the batch's
// manifest: the loader, idle when a batch's first row comes, takes its stream.
TEST_F(FullLoad, RunAppendsBatchesWhileTheyAreCopied) {
  const std::string slow = SlowBigTable();
  target_yaml_ += "  memory_limit: 64MB\n";
  full_load_yaml_ = "  batch_bytes: 8MB\n";
  WriteConfig("  - name: src\n    dsn: " + slow + "\n");
  auto r = Wharf({"--log-level", "debug", "run", "--once"});
  PgRun("DROP OWNED BY wharf_slow CASCADE");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("appended as they were copied"), std::string::npos) << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(DISTINCT id), sum(n) FROM public.big")[0],
            (std::vector<std::optional<std::string>>{"300000", "300000", "149850000"}));
}

// Killed in the middle of a batch the loader is appending as it is copied:
// the warehouse keeps only the batches committed before, whole, and the
// restart finishes with every row once.
TEST_F(FullLoad, KilledWhileABatchIsStreamedKeepsNothingOfIt) {
  const std::string slow = SlowBigTable();
  target_yaml_ += "  memory_limit: 64MB\n";
  full_load_yaml_ = "  batch_bytes: 8MB\n";
  WriteConfig("  - name: src\n    dsn: " + slow + "\n");
  auto crashed = Wharf({"--log-level", "debug", "run", "--once"}, {"WHARF_FAULT=snapshot.mid_copy:250000"});
  ASSERT_EQ(crashed.exit_code, 137) << crashed.output;
  EXPECT_NE(crashed.output.find("appended as they were copied"), std::string::npos) << crashed.output;
  auto applied = Duck("SELECT max(batch_seq) FROM _wharf.state")[0][0];
  ASSERT_TRUE(applied.has_value());
  // Batch 1 empties the table; each later one holds 100,000 rows. The batch
  // of rows 200,001.. was open in the warehouse when the process died.
  const int64_t batches = std::stoll(*applied);
  EXPECT_LE(batches, 3);
  EXPECT_EQ(Duck("SELECT count(*) FROM public.big")[0][0], std::to_string((batches - 1) * 100000));
  auto r = Wharf({"--log-level", "debug", "run", "--once"});
  PgRun("DROP OWNED BY wharf_slow CASCADE");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(DISTINCT id), sum(n) FROM public.big")[0],
            (std::vector<std::optional<std::string>>{"300000", "300000", "149850000"}));
}

// A damaged file of a large fresh batch, on the parallel path: the batch fails
// whole, naming the file; restored, it loads.
TEST_F(FullLoad, DamagedLargeFreshFileIsRefusedWithNothingApplied) {
  PgRun("CREATE TABLE wide (id bigint PRIMARY KEY, name text, at timestamptz);"
        "INSERT INTO wide SELECT g, 'name ' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'"
        " FROM generate_series(1, 60000) g;");
  target_yaml_ += "  memory_limit: 64MB\n";
  full_load_yaml_ = "  batch_bytes: 256MB\n";
  WriteDefaultConfig();
  auto r = Wharf({"capture", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto files = StagedFiles();
  ASSERT_FALSE(files.empty());
  const auto& [seq, file] = files.back();
  ASSERT_TRUE(file.fresh);
  ASSERT_EQ(file.rows, 60000u);
  const auto victim = work_ / "stage" / file.path;
  const std::string good = ReadFile(victim);
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x20;
  for (const std::string& damaged : {flipped, good.substr(0, good.size() / 2)}) {
    WriteFile(victim, damaged);
    r = Wharf({"--log-level", "debug", "load", "--once"});
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(file.path), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("corrupt or truncated"), std::string::npos) << r.output;
    EXPECT_EQ(Duck("SELECT count(*) FROM _wharf.state WHERE batch_seq >= " + std::to_string(seq))[0][0], "0");
  }
  WriteFile(victim, good);
  r = Wharf({"--log-level", "debug", "load", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("60000 fresh rows into public.wide on 2 DuckDB threads"), std::string::npos)
      << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(DISTINCT id) FROM public.wide")[0],
            (std::vector<std::optional<std::string>>{"60000", "60000"}));
  ExpectValidateEqual();
}

TEST_F(FullLoad, TableAddedWhileStreamingIsCopied) {
  PgRun("CREATE TABLE first (id int PRIMARY KEY, v text); INSERT INTO first VALUES (1, 'a');");
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return ManifestCount() >= 1; }, std::chrono::seconds(30))) << run->Output();
  PgRun("CREATE TABLE later (id int PRIMARY KEY, v text);"
        "INSERT INTO later SELECT g, 'l' || g FROM generate_series(1, 25000) g;"
        "INSERT INTO first VALUES (2, 'b');");
  // Changes to the new table while it is being copied.
  std::thread writer([&] {
    PgSession s(dsn_);
    for (int i = 0; i < 200; ++i)
      s.Query("UPDATE later SET v = 'w" + std::to_string(i) + "' WHERE id = " + std::to_string(1 + i * 97) +
              "; DELETE FROM later WHERE id = " + std::to_string(2 + i * 97));
  });
  writer.join();
  ASSERT_TRUE(WaitFor([&] {
    auto t = TableStatus("public.later");
    return !t.is_null() && t["phase"] == "ready";
  }, std::chrono::seconds(60))) << run->Output();
  run->Signal(SIGINT);
  ASSERT_EQ(run->Wait(), 0) << run->Output();
  ASSERT_EQ(RunOnce().exit_code, 0);
  EXPECT_EQ(Duck("SELECT count(*) FROM public.later")[0][0], Pg("SELECT count(*) FROM later")[0][0]);
  ExpectValidateEqual();
}

TEST_F(FullLoad, ResyncCopiesOneTableAgain) {
  PgRun("CREATE TABLE t1 (id int PRIMARY KEY, v text); INSERT INTO t1 SELECT g, 'x' FROM generate_series(1, 5000) g;"
        "CREATE TABLE t2 (id int PRIMARY KEY, v text); INSERT INTO t2 SELECT g, 'y' FROM generate_series(1, 50) g;");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  // The warehouse drifts (someone edited it by hand).
  DuckExec(warehouse_, "DELETE FROM public.t1 WHERE id < 100; UPDATE public.t1 SET v = 'bad' WHERE id = 500;"
                       "INSERT INTO public.t1 VALUES (99999, 'ghost', 0, now());");
  ASSERT_EQ(Wharf({"validate"}).exit_code, 1);
  auto rs = Wharf({"resync", "--table", "public.t1"});
  ASSERT_EQ(rs.exit_code, 0) << rs.output;
  PgRun("UPDATE t2 SET v = 'z' WHERE id = 1;");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT v FROM public.t2 WHERE id = 1")[0][0], "z");
  ExpectValidateEqual();
  auto bad = Wharf({"resync", "--table", "public.nope"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

TEST_F(FullLoad, PartitionAttachedWithRowsAndHandPublishedTableAreCopied) {
  PgRun("CREATE SCHEMA other;"
        "CREATE TABLE sales (id int, region text, amount int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);"
        "CREATE TABLE sales_eu PARTITION OF sales FOR VALUES IN ('eu');"
        "INSERT INTO sales SELECT g, 'eu', g FROM generate_series(1, 100) g;"
        "CREATE TABLE other.extra (id int PRIMARY KEY, v text); INSERT INTO other.extra VALUES (1, 'e');");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  EXPECT_EQ(Duck("SELECT count(*) FROM public.sales")[0][0], "100");
  // A partition filled before it is attached: its rows never pass through the
  // stream. And a table added to the publication by hand.
  PgRun("CREATE TABLE sales_us (LIKE sales); INSERT INTO sales_us SELECT g, 'us', g FROM generate_series(1, 50) g;"
        "ALTER TABLE sales ATTACH PARTITION sales_us FOR VALUES IN ('us');"
        "ALTER PUBLICATION wharf_src ADD TABLE other.extra;");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(*) FILTER (WHERE region = 'us') FROM public.sales")[0],
            (std::vector<std::optional<std::string>>{"150", "50"}));
  EXPECT_EQ(Duck("SELECT v FROM other.extra WHERE id = 1")[0][0], "e");
  ExpectValidateEqual();
}

TEST_F(FullLoad, TableTheRoleCannotReadIsErroredWhileOthersLoad) {
  const std::string limited = LimitedRole("wharf_limited");
  PgRun("CREATE TABLE open_t (id int PRIMARY KEY, v text); INSERT INTO open_t VALUES (1, 'a');"
        "CREATE TABLE secret (id int PRIMARY KEY, v text); INSERT INTO secret VALUES (1, 's');"
        "ALTER TABLE open_t OWNER TO wharf_limited; ALTER TABLE secret OWNER TO wharf_limited;"
        "REVOKE SELECT ON secret FROM wharf_limited;");
  WriteConfig("  - name: src\n    dsn: " + limited + "\n");
  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto secret = TableStatus("public.secret");
  EXPECT_EQ(secret["phase"], "errored");
  EXPECT_NE(secret["error"].get<std::string>().find("permission denied"), std::string::npos) << secret;
  EXPECT_NE(secret["error"].get<std::string>().find("wharf resync --table public.secret"), std::string::npos);
  EXPECT_EQ(TableStatus("public.open_t")["phase"], "ready");
  EXPECT_EQ(Duck("SELECT v FROM public.open_t")[0][0], "a");
  // Fixed: a resync copies it.
  PgRun("GRANT SELECT ON secret TO wharf_limited");
  ASSERT_EQ(Wharf({"resync", "--table", "public.secret"}).exit_code, 0);
  ASSERT_EQ(RunOnce().exit_code, 0);
  EXPECT_EQ(TableStatus("public.secret")["phase"], "ready");
  EXPECT_EQ(Duck("SELECT v FROM public.secret")[0][0], "s");
  PgRun("DROP OWNED BY wharf_limited CASCADE");
}

}  // namespace
}  // namespace wharf::test
