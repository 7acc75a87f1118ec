// Capture: streamed (in-progress) transactions, subtransaction aborts,
// partitions, identifiers and replica identities.
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace wharf::test {
namespace {

class Capture : public WharfTest {};

TEST_F(Capture, StreamedTransactionWithSavepointRollbacksLandsOnce) {
  PgRun("CREATE TABLE big (id int PRIMARY KEY, pad text)");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  // Each transaction exceeds logical_decoding_work_mem (64 kB in the test
  // cluster), so PostgreSQL streams it before it commits.
  PgRun("BEGIN;"
        "INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g;"
        "SAVEPOINT a;"
        "INSERT INTO big SELECT g, 'rolled back' FROM generate_series(5001, 6000) g;"
        "UPDATE big SET pad = 'rolled back' WHERE id <= 100;"
        "SAVEPOINT nested; DELETE FROM big WHERE id <= 50; RELEASE SAVEPOINT nested;"
        "ROLLBACK TO SAVEPOINT a;"
        "SAVEPOINT b; UPDATE big SET pad = 'kept' WHERE id <= 10; RELEASE SAVEPOINT b;"
        "DELETE FROM big WHERE id > 4990;"
        "COMMIT;"
        "BEGIN; INSERT INTO big SELECT g, repeat('y', 300) FROM generate_series(10001, 13000) g; ROLLBACK;"
        "INSERT INTO big VALUES (0, 'small');");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(*) FILTER (WHERE pad = 'kept'),"
                 " count(*) FILTER (WHERE pad = 'rolled back'), max(id) FROM public.big")[0],
            (std::vector<std::optional<std::string>>{"4991", "10", "0", "4990"}));
  // One source transaction is one batch: the 5,000-row transaction was not split.
  int batches_with_big_rows = 0;
  for (const auto& entry : std::filesystem::directory_iterator(work_ / "stage/src/manifests")) {
    std::ifstream in(entry.path());
    auto m = nlohmann::json::parse(in);
    for (const auto& f : m["files"])
      if (f["table"] == "public.big" && f["rows"].get<int>() > 1000) ++batches_with_big_rows;
  }
  EXPECT_EQ(batches_with_big_rows, 1);
  EXPECT_EQ(Duck("SELECT count(DISTINCT _wharf_lsn) FROM public.big WHERE id > 0")[0][0], "1");
  EXPECT_FALSE(std::filesystem::exists(work_ / "stage/src/spool") &&
               !std::filesystem::is_empty(work_ / "stage/src/spool"))
      << "the spool must be empty after the stream committed";
  ExpectValidateEqual();
}

TEST_F(Capture, InterleavedStreamedTransactions) {
  PgRun("CREATE TABLE t (id int PRIMARY KEY, who text, pad text)");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  PgSession a(dsn_), b(dsn_);
  a.Query("BEGIN; INSERT INTO t SELECT g, 'a', repeat('a', 100) FROM generate_series(1, 2000) g");
  b.Query("BEGIN; INSERT INTO t SELECT g, 'b', repeat('b', 100) FROM generate_series(2001, 4000) g");
  a.Query("INSERT INTO t SELECT g, 'a', repeat('a', 100) FROM generate_series(4001, 6000) g");
  b.Query("ROLLBACK");
  a.Query("COMMIT");
  ASSERT_EQ(RunOnce().exit_code, 0);
  EXPECT_EQ(Duck("SELECT count(*), count(*) FILTER (WHERE who = 'b') FROM public.t")[0],
            (std::vector<std::optional<std::string>>{"4000", "0"}));
  ExpectValidateEqual();
}

TEST_F(Capture, PartitionedTableLandsInItsRoot) {
  PgRun("CREATE TABLE measures (id int, region text, v numeric(8,2), PRIMARY KEY (id, region))"
        " PARTITION BY LIST (region);"
        "CREATE TABLE measures_eu PARTITION OF measures FOR VALUES IN ('eu');"
        "CREATE TABLE measures_us PARTITION OF measures FOR VALUES IN ('us');"
        "INSERT INTO measures SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g FROM generate_series(1, 100) g;");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  EXPECT_EQ(Duck("SELECT count(*) FROM public.measures")[0][0], "100");
  // A partition created after wharf started, and a row moved between partitions.
  PgRun("CREATE TABLE measures_ap PARTITION OF measures FOR VALUES IN ('ap');"
        "INSERT INTO measures VALUES (1000, 'ap', 1.5);"
        "UPDATE measures SET region = 'ap' WHERE id = 2 AND region = 'eu';"
        "UPDATE measures SET v = v + 1 WHERE region = 'us';");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) FROM public.measures")[0][0], "101");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.measures WHERE region = 'ap'")[0][0], "2");
  EXPECT_EQ(Duck("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'measures_%'")[0][0], "0")
      << "partitions must not land as tables of their own";
  ExpectValidateEqual();
}

TEST_F(Capture, QuotedUnicodeAndKeywordIdentifiers) {
  PgRun("CREATE SCHEMA \"Sales Dept\";"
        "CREATE TABLE \"Sales Dept\".\"Order Items\" (\"a\"\"b\" int, \"Name\" text, name text,"
        " \"select\" int, \"ünï\" text, PRIMARY KEY (\"a\"\"b\", name));"
        "INSERT INTO \"Sales Dept\".\"Order Items\" VALUES (1, 'Upper', 'lower', 7, 'ü');");
  WriteDefaultConfig("    tables: [\"Sales Dept.*\"]\n");
  ASSERT_EQ(RunOnce().exit_code, 0);
  PgRun("UPDATE \"Sales Dept\".\"Order Items\" SET \"Name\" = 'Upper2', \"select\" = 8 WHERE name = 'lower';"
        "INSERT INTO \"Sales Dept\".\"Order Items\" VALUES (2, 'X', 'x', 1, 'ÿ');"
        "UPDATE \"Sales Dept\".\"Order Items\" SET \"a\"\"b\" = 3 WHERE name = 'x';");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // DuckDB compares identifiers case-insensitively: "name" lands as name_2.
  EXPECT_EQ(Duck("SELECT \"a\"\"b\", \"Name\", name_2, \"select\", \"ünï\" FROM \"Sales Dept\".\"Order Items\" ORDER BY 1"),
            (Rows{{"1", "Upper2", "lower", "8", "ü"}, {"3", "X", "x", "1", "ÿ"}}));
  ExpectValidateEqual();
}

TEST_F(Capture, ReplicaIdentityUsingIndexCountsAsKey) {
  PgRun("CREATE TABLE accounts (id int NOT NULL, email text NOT NULL, balance int);"
        "CREATE UNIQUE INDEX accounts_email ON accounts (email);"
        "ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_email;"
        "INSERT INTO accounts SELECT g, 'u' || g || '@x', g FROM generate_series(1, 50) g;");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  PgRun("UPDATE accounts SET balance = -1 WHERE email = 'u1@x';"
        "UPDATE accounts SET email = 'moved@x' WHERE email = 'u2@x';"
        "DELETE FROM accounts WHERE email = 'u3@x';");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) FROM public.accounts")[0][0], "49");
  EXPECT_EQ(Duck("SELECT id FROM public.accounts WHERE email = 'moved@x'")[0][0], "2");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.accounts WHERE email = 'u2@x'")[0][0], "0");
  ExpectValidateEqual();
}

TEST_F(Capture, FiftyMegabyteValueAndSixteenHundredColumns) {
  std::string ddl = "CREATE TABLE wide (id int PRIMARY KEY";
  for (int i = 1; i < 1600; ++i) ddl += ", c" + std::to_string(i) + " int";
  PgRun(ddl + "); CREATE TABLE huge (id int PRIMARY KEY, body text);"
              "INSERT INTO wide (id, c1, c1599) VALUES (1, 1, 1599);"
              "INSERT INTO huge VALUES (1, 'small');");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  // 50 MB of text that does not compress to nothing: md5 blocks of a series.
  PgRun("INSERT INTO huge SELECT 2, string_agg(md5(g::text), '') FROM generate_series(1, 1562500) g;"
        "UPDATE wide SET c800 = 800, c1599 = -1 WHERE id = 1;"
        "INSERT INTO wide (id, c1000) VALUES (2, 1000);");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT length(body), md5(body) FROM public.huge WHERE id = 2")[0],
            Pg("SELECT length(body)::text, md5(body) FROM huge WHERE id = 2")[0]);
  EXPECT_EQ(Duck("SELECT c1, c800, c1599 FROM public.wide WHERE id = 1")[0],
            (std::vector<std::optional<std::string>>{"1", "800", "-1"}));
  EXPECT_EQ(Duck("SELECT count(*) FROM information_schema.columns WHERE table_name = 'wide'")[0][0],
            "1602");  // 1,600 source columns + _wharf_lsn + _wharf_synced_at
  ExpectValidateEqual();
}

}  // namespace
}  // namespace wharf::test
