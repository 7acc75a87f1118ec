// Load modes through the real pipeline (PostgreSQL 15 -> wharf -> DuckDB or a
// PostgreSQL warehouse; every test on both targets, with SQL both dialects
// share): soft_delete, history and append tables after inserts, updates with
// unchanged TOAST values, deletes, re-inserts, key changes and truncates;
// per-table overrides; `wharf validate` per mode; and exactly-once after
// SIGKILL at the load's commit points. The mode rules at the Warehouse API
// level are in conformance_test.cpp (Api* tests).
#include <signal.h>

#include "harness.hpp"

namespace wharf::test {
namespace {

constexpr int kKilled = 128 + SIGKILL;

// A TOASTed value (stored out of line): pgoutput sends it as unchanged when
// an update leaves it alone.
const char* const kBig = "(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 200) g)";

class ModesTest : public WharfTest {
 protected:
  void Config(const std::string& target_yaml) {
    WriteConfig("  - name: src\n    dsn: " + dsn_ + "\n", target_yaml);
  }
  void CreateItems() {
    PgRun(
        "CREATE TABLE items (id int PRIMARY KEY, name text, body text);"
        "ALTER TABLE items ALTER COLUMN body SET STORAGE EXTERNAL;"
        "INSERT INTO items SELECT g, 'n' || g, NULL FROM generate_series(1, 5) g;"
        "UPDATE items SET body = " +
        std::string(kBig) + " WHERE id = 1;");
  }
  void Once() {
    auto r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  // One value from the warehouse (DuckDB, or the PostgreSQL warehouse at wh_dsn_).
  std::string One(const std::string& sql) {
    auto rows = wh_dsn_.empty() ? Duck(sql) : PgQuery(wh_dsn_, sql);
    EXPECT_EQ(rows.size(), 1u) << sql;
    return rows.empty() ? "" : Str(rows[0][0]);
  }
  std::string Big() { return Str(Pg(std::string("SELECT ") + kBig)[0][0]); }
  // Loads into `type` (duckdb, or postgres: a warehouse database beside the source's).
  void UseTarget(const std::string& type) {
    if (type != "postgres") return;
    wh_dsn_ = CreateDatabase("wh");
    target_yaml_ = "  type: postgres\n  dsn: " + wh_dsn_ + "\n";
  }
  Rows W(const std::string& sql) { return wh_dsn_.empty() ? Duck(sql) : PgQuery(wh_dsn_, sql); }
  void WExec(const std::string& sql) {
    if (wh_dsn_.empty()) DuckExec(warehouse_, sql);
    else PgExec(wh_dsn_, sql);
  }
  std::string wh_dsn_;  // set: the warehouse is this PostgreSQL database
};

// The tests below whose SQL both dialects share, on each target.
class ModesOnTarget : public ModesTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ModesTest::SetUp();
    UseTarget(GetParam());
  }
};

TEST_P(ModesOnTarget, SoftDeleteKeepsDeletedRowsFlagged) {
  CreateItems();
  Config("  mode: soft_delete\n");
  Once();
  EXPECT_EQ(One("SELECT count(*) FROM public.items WHERE NOT _wharf_deleted"), "5");

  PgRun("UPDATE items SET name = 'renamed' WHERE id = 1");  // body unchanged (TOAST)
  PgRun("UPDATE items SET name = 'last' WHERE id = 2");
  PgRun("UPDATE items SET name = 'between' WHERE id = 5");
  PgRun("DELETE FROM items WHERE id = 2");
  PgRun("DELETE FROM items WHERE id = 3");
  PgRun("INSERT INTO items VALUES (3, 'again', 'b')");  // revives the key
  PgRun(
      "BEGIN; INSERT INTO items VALUES (9, 'brief', NULL); DELETE FROM items WHERE id = 9; COMMIT");
  Once();
  EXPECT_EQ(One("SELECT CAST(name || '|' || body = 'renamed|' || " + std::string("'") + Big() +
                "' AS VARCHAR) FROM public.items WHERE id = 1"),
            "true");
  // The deleted row keeps its last values, flagged, with the delete's LSN.
  EXPECT_EQ(One("SELECT name || '|' || CAST(_wharf_deleted AS VARCHAR) FROM public.items WHERE id = 2"),
            "last|true");
  // Its LSN is the delete's: after the update of key 5 (which followed its last update),
  // before the re-insert of key 3 that followed the delete.
  EXPECT_EQ(One("SELECT CAST((SELECT _wharf_lsn FROM public.items WHERE id = 5) < _wharf_lsn AND "
                "_wharf_lsn < (SELECT _wharf_lsn FROM public.items WHERE id = 3) AS VARCHAR) FROM public.items "
                "WHERE id = 2"),
            "true");
  EXPECT_EQ(One("SELECT name || '|' || CAST(_wharf_deleted AS VARCHAR) FROM public.items WHERE id = 3"),
            "again|false");
  EXPECT_EQ(One("SELECT name || '|' || CAST(_wharf_deleted AS VARCHAR) FROM public.items WHERE id = 9"),
            "brief|true");
  EXPECT_EQ(One("SELECT count(*) FROM public.items"), "6");  // no key twice
  ExpectValidateEqual();

  PgRun("TRUNCATE items");
  PgRun("INSERT INTO items VALUES (10, 'after', NULL)");
  Once();
  EXPECT_EQ(One("SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM public.items WHERE "
                "NOT _wharf_deleted"),
            "10");
  EXPECT_EQ(One("SELECT count(*) FROM public.items WHERE _wharf_deleted"), "6");
  ExpectValidateEqual();
}

TEST_P(ModesOnTarget, HistoryKeepsEveryVersion) {
  CreateItems();
  Config("  mode: history\n");
  Once();
  // Copied rows are versions too (op R), valid from the snapshot's time.
  EXPECT_EQ(
      One("SELECT count(*) FROM public.items WHERE _wharf_op = 'R' AND _wharf_valid_to IS NULL "
          "AND _wharf_valid_from IS NOT NULL"),
      "5");

  PgRun("UPDATE items SET name = 'v2' WHERE id = 1");  // body unchanged (TOAST)
  PgRun(
      "BEGIN; UPDATE items SET name = 'v3' WHERE id = 1; UPDATE items SET name = 'v4' WHERE id = "
      "1; COMMIT");
  PgRun("DELETE FROM items WHERE id = 2");
  PgRun("UPDATE items SET id = 30 WHERE id = 3");  // key change
  PgRun("INSERT INTO items VALUES (6, 'new', NULL)");
  Once();

  // Key 1: R, v2, v3, v4 in (lsn, seq) order, each ending where the next begins.
  auto v = W(
      "SELECT name, _wharf_op, CAST(_wharf_valid_from AS VARCHAR), CAST(_wharf_valid_to AS "
      "VARCHAR), "
      "CAST(body = (SELECT body FROM public.items WHERE id = 1 AND _wharf_op = 'R') AS VARCHAR) "
      "FROM public.items WHERE id = 1 ORDER BY _wharf_lsn, _wharf_seq");
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(Str(v[0][0]) + Str(v[1][0]) + Str(v[2][0]) + Str(v[3][0]), "n1v2v3v4");
  EXPECT_EQ(Str(v[0][1]) + Str(v[1][1]) + Str(v[2][1]) + Str(v[3][1]), "RUUU");
  for (size_t i = 0; i + 1 < v.size(); ++i) EXPECT_EQ(v[i][3], v[i + 1][2]) << "version " << i;
  EXPECT_FALSE(v[3][3].has_value());
  EXPECT_EQ(v[2][2], v[3][2]);  // one transaction: one commit time, ordered by seq
  for (const auto& row : v) EXPECT_EQ(Str(row[4]), "true");  // the TOASTed body carried along
  EXPECT_EQ(One("SELECT length(body) FROM public.items WHERE id = 1 AND _wharf_valid_to IS NULL"),
            "6400");

  // Key 2: its version ended, a tombstone (op D) with its last values, no current version.
  EXPECT_EQ(One("SELECT string_agg(_wharf_op || ':' || name, ',' ORDER BY _wharf_lsn) FROM "
                "public.items WHERE id = 2"),
            "R:n2,D:n2");
  EXPECT_EQ(One("SELECT count(*) FROM public.items WHERE id = 2 AND _wharf_valid_to IS NULL"), "0");
  EXPECT_EQ(One("SELECT count(*) FROM public.items WHERE _wharf_op = 'D' AND _wharf_valid_to <> "
                "_wharf_valid_from"),
            "0");
  // Key change: 3 ends with a tombstone, 30 starts with the update.
  EXPECT_EQ(One("SELECT string_agg(_wharf_op, '' ORDER BY _wharf_lsn, _wharf_op DESC) FROM "
                "public.items WHERE id = 3"),
            "RD");
  EXPECT_EQ(One("SELECT _wharf_op || ':' || name FROM public.items WHERE id = 30"), "U:n3");
  ExpectValidateEqual();

  PgRun("TRUNCATE items");
  PgRun("INSERT INTO items VALUES (7, 'fresh', NULL)");
  Once();
  EXPECT_EQ(One("SELECT string_agg(CAST(id AS VARCHAR), ',') FROM public.items WHERE "
                "_wharf_valid_to IS NULL"),
            "7");
  EXPECT_EQ(One("SELECT count(*) FROM public.items WHERE _wharf_op = 'T'"),
            "5");  // one per current version
  ExpectValidateEqual();
  // A replay of everything staged changes nothing: batches are applied once.
  std::string before = One("SELECT count(*) FROM public.items");
  Once();
  EXPECT_EQ(One("SELECT count(*) FROM public.items"), before);
}

TEST_P(ModesOnTarget, AppendKeepsTheChangeLog) {
  CreateItems();
  Config("  mode: append\n");
  Once();
  PgRun("UPDATE items SET name = 'u' WHERE id = 1");  // body unchanged: NULL and named
  PgRun("DELETE FROM items WHERE id = 2");
  PgRun("UPDATE items SET id = 40 WHERE id = 4");
  PgRun("TRUNCATE items");
  Once();
  // The copy starts with a T (the table is emptied before a copy), then its rows as R.
  EXPECT_EQ(One("SELECT string_agg(_wharf_op, '' ORDER BY _wharf_lsn, _wharf_op = 'R', _wharf_seq, "
                "_wharf_op) "
                "FROM public.items"),
            "TRRRRRUDDUT");
  EXPECT_EQ(One("SELECT CAST(_wharf_unchanged AS VARCHAR) || '|' || coalesce(body, '~') FROM "
                "public.items "
                "WHERE _wharf_op = 'U' AND id = 1"),
            "[\"body\"]|~");
  EXPECT_EQ(One("SELECT CAST(id AS VARCHAR) || coalesce(name, '~') FROM public.items WHERE "
                "_wharf_op = 'D' AND id = 2"),
            "2~");  // the old key
  EXPECT_EQ(One("SELECT count(*) FROM public.items WHERE _wharf_op = 'T' AND id IS NULL AND "
                "_wharf_ts IS NOT NULL"),
            "2");
  // validate says why it does not compare a change log, and passes.
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("append mode"), std::string::npos) << r.output;
}

TEST_P(ModesOnTarget, PerTableOverrides) {
  PgRun(
      "CREATE TABLE plain (id int PRIMARY KEY, v text); CREATE TABLE hist (id int PRIMARY KEY, v "
      "text);"
      "CREATE TABLE log_a (v text); ALTER TABLE log_a REPLICA IDENTITY FULL;"
      "INSERT INTO plain VALUES (1, 'a'); INSERT INTO hist VALUES (1, 'a'); INSERT INTO log_a "
      "VALUES ('a');");
  // Misspelt entry: refused at start, naming the nearest table.
  Config("  tables:\n    public.hsit: {mode: history}\n");
  auto bad = RunOnce();
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("did you mean 'public.hist'"), std::string::npos) << bad.output;

  Config(
      "  mode: mirror\n  tables:\n    public.hist: {mode: history}\n    \"public.log_*\": {mode: "
      "append}\n");
  Once();
  PgRun("UPDATE plain SET v = 'b'; UPDATE hist SET v = 'b'; UPDATE log_a SET v = 'b';");
  Once();
  EXPECT_EQ(One("SELECT count(*) FROM public.plain"), "1");
  EXPECT_EQ(One("SELECT count(*) FROM public.hist"), "2");
  EXPECT_EQ(One("SELECT string_agg(_wharf_op || v, ',' ORDER BY _wharf_lsn) FROM public.log_a"),
            "Ra,Ub");
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.columns WHERE table_name = 'plain' AND "
                "column_name LIKE '_wharf_%'"),
            "2");
  // Changing a table's mode in place is refused with what to do.
  Config("  mode: mirror\n  tables:\n    \"public.log_*\": {mode: append}\n");
  PgRun("UPDATE hist SET v = 'c'");
  auto r = RunOnce();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("was created in history mode"), std::string::npos) << r.output;
}

TEST_P(ModesOnTarget, ResyncCopiesAgainInHistoryAndSoftDelete) {
  PgRun(
      "CREATE TABLE h (id int PRIMARY KEY, v text); INSERT INTO h SELECT g, 'x' FROM "
      "generate_series(1, 100) g;"
      "CREATE TABLE s (id int PRIMARY KEY, v text); INSERT INTO s SELECT g, 'x' FROM "
      "generate_series(1, 100) g;");
  Config("  mode: history\n  tables:\n    public.s: {mode: soft_delete}\n");
  Once();
  PgRun("DELETE FROM h WHERE id <= 10; DELETE FROM s WHERE id <= 10;");
  Once();
  // The warehouse drifts (edited by hand); a resync copies both tables again.
  WExec("UPDATE public.h SET v = 'bad' WHERE id = 50 AND _wharf_valid_to IS NULL;"
        "UPDATE public.s SET v = 'bad' WHERE id = 50;");
  EXPECT_EQ(Wharf({"validate"}).exit_code, 1);
  for (const char* t : {"public.h", "public.s"}) {
    auto rs = Wharf({"resync", "--table", t});
    ASSERT_EQ(rs.exit_code, 0) << rs.output;
  }
  Once();
  ExpectValidateEqual();
  // history: the copy ended the 90 current versions (T tombstones) and opened
  // 90 new ones (R); the old versions stay.
  EXPECT_EQ(One("SELECT count(*) FROM public.h WHERE _wharf_op = 'T'"), "90");
  EXPECT_EQ(One("SELECT count(*) FROM public.h WHERE _wharf_op = 'R'"), "190");
  EXPECT_EQ(One("SELECT count(*) FROM public.h WHERE _wharf_valid_to IS NULL"), "90");
  EXPECT_EQ(One("SELECT v FROM public.h WHERE id = 50 AND _wharf_valid_to IS NULL"), "x");
  // soft_delete: every key ever seen stays; the deleted ones stay deleted.
  EXPECT_EQ(One("SELECT count(*) FROM public.s"), "100");
  EXPECT_EQ(One("SELECT count(*) FROM public.s WHERE _wharf_deleted"), "10");
  EXPECT_EQ(One("SELECT max(id) FROM public.s WHERE _wharf_deleted"), "10");
}

// Killed at the load's commit points, then restarted: every change lands once; on each
// target (SQL below is what DuckDB and PostgreSQL share).
class ModesFaultTest
    : public ModesTest,
      public ::testing::WithParamInterface<std::tuple<std::string, std::string, std::string>> {
 protected:
  void SetUp() override {
    ModesTest::SetUp();
    batch_yaml_ = "{ max_bytes: 16KB, max_interval: 200ms }";
    full_load_yaml_ = "  batch_bytes: 16KB\n";
    UseTarget(std::get<2>(GetParam()));
  }
};

TEST_P(ModesFaultTest, KilledAndRestartedLoadsEveryChangeOnce) {
  const auto& [mode, point, target] = GetParam();
  ShopWorkload shop(dsn_);
  shop.Create(500);
  Config("  mode: " + mode + "\n");
  Once();
  for (int r = 1; r <= 3; ++r) shop.Round(r);
  auto killed = Wharf({"run", "--once"}, {"WHARF_FAULT=" + point + ":2"});
  EXPECT_EQ(killed.exit_code, kKilled) << killed.output;
  shop.Round(4);
  Once();
  Once();  // and a run with nothing new changes nothing
  // No change applied twice: (lsn, seq, op, key) is unique.
  for (const auto& [table, key] :
       std::vector<std::pair<std::string, std::string>>{{"public.orders", "id"},
                                                        {"public.lines", "order_id, line_no"},
                                                        {"public.scratch", "id"}}) {
    const std::string change =
        mode == "soft_delete"
            ? ""
            : ", _wharf_lsn, _wharf_seq, _wharf_op";  // soft_delete: one row per key
    EXPECT_EQ(One("SELECT count(*) FROM (SELECT " + key + change + " FROM " + table + " GROUP BY " + key +
                  change + " HAVING count(*) > 1) x"),
              "0")
        << table;
  }
  if (mode == "soft_delete") {
    ExpectValidateEqual();
    EXPECT_GT(std::stoi(One("SELECT count(*) FROM public.orders WHERE _wharf_deleted")), 0);
  } else if (mode == "history") {
    ExpectValidateEqual();
    // One current version per key.
    EXPECT_EQ(
        One("SELECT count(*) FROM (SELECT id FROM public.orders WHERE _wharf_valid_to IS NULL "
            "GROUP BY id HAVING count(*) > 1) x"),
        "0");
    // Versions of a key chain: each ends where the next begins.
    EXPECT_EQ(
        One("SELECT count(*) FROM (SELECT _wharf_op, _wharf_valid_to, lead(_wharf_valid_from) OVER "
            "(PARTITION BY id ORDER BY _wharf_lsn, _wharf_seq) AS nxt FROM public.orders) x "
            "WHERE nxt IS NOT NULL AND _wharf_op NOT IN ('D', 'T') AND _wharf_valid_to IS DISTINCT "
            "FROM nxt"),
        "0");
    EXPECT_GT(
        std::stoi(One("SELECT count(*) FROM public.orders WHERE _wharf_valid_to IS NOT NULL")), 0);
  } else {
    // Every copied and every inserted order is in the log exactly once.
    EXPECT_EQ(One("SELECT count(*) FROM public.orders WHERE _wharf_op = 'R'"), "500");
    EXPECT_EQ(One("SELECT count(*) FROM public.orders WHERE _wharf_op = 'I'"),
              "808");  // 4 rounds x (200 + 2)
    auto r = Wharf({"validate"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, ModesOnTarget, ::testing::Values("duckdb", "postgres"),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Modes, ModesFaultTest,
                         ::testing::Combine(::testing::Values("soft_delete", "history", "append"),
                                            ::testing::Values("load.before_commit",
                                                              "load.after_commit",
                                                              "load.mid_apply"),
                                            ::testing::Values("duckdb", "postgres")),
                         [](const auto& info) {
                           std::string n = std::get<0>(info.param) + "_" + std::get<1>(info.param) + "_" +
                                           std::get<2>(info.param);
                           for (auto& c : n)
                             if (c == '.') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace wharf::test
