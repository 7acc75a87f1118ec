// Schema evolution through the whole pipeline (PostgreSQL 15 -> wharf -> DuckDB, and -> a
// PostgreSQL warehouse): added, renamed and dropped columns, widening type changes, and a
// narrowing change that stops only its table until a resync. Every test runs on both targets.
#include <signal.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "both_targets.hpp"

namespace wharf::test {
namespace {

class Schema : public BothTargets {
 protected:
  // The warehouse's type of a column (DuckDB's data_type, PostgreSQL's format_type), or "" when
  // it has none.
  std::string ColumnType(const std::string& table, const std::string& column) {
    auto r = IsPostgres()
                 ? W("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                     "to_regclass('public." + table + "') AND attname = '" + column + "' AND NOT attisdropped")
                 : W("SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' "
                     "AND table_name = '" + table + "' AND column_name = '" + column + "'");
    return r.empty() ? "" : Str(r[0][0]);
  }
};

TEST_P(Schema, AddedColumnWithConstantDefaultAppearsWithoutAnyRowChange) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text);"
        "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 50) g;");
  WriteDefaultConfig();
  Once();
  // No row changes after the ALTERs: only the catalog tells.
  PgRun("ALTER TABLE items ADD COLUMN qty int DEFAULT 7;"
        "ALTER TABLE items ADD COLUMN label varchar(20) DEFAULT 'it''s new';"
        "ALTER TABLE items ADD COLUMN note text;");
  Once();
  EXPECT_EQ(ColumnType("items", "qty"), T("INTEGER", "integer"));
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE qty = 7 AND label = 'it''s new' AND note IS NULL")[0][0],
            "50");
  // The default filled the existing rows only: rows arrive with their own values.
  EXPECT_EQ(W("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND "
              "column_name IN ('qty', 'label') AND column_default IS NULL")[0][0], "2");
  ExpectValidateEqual();
}

TEST_P(Schema, CatalogWatcherStagesAChangeWhileStreaming) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text, w text);"
        "INSERT INTO items SELECT g, 'v' || g, 'w' FROM generate_series(1, 10) g;");
  WriteDefaultConfig();
  auto run = StartWharf({"run"}, "run.log");
  // Streaming, with the watcher's first look at the catalog recorded.
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(work_ / "stage/src/state/schemas.json"); },
                      std::chrono::seconds(60))) << run->Output();
  size_t before = ManifestCount();
  // No row change follows: only the running capture's catalog poll can see these.
  PgRun("ALTER TABLE items ADD COLUMN qty numeric(6,2) DEFAULT 2.5; ALTER TABLE items RENAME COLUMN w TO wide;");
  ASSERT_TRUE(WaitFor([&] { return ManifestCount() > before; }, std::chrono::seconds(30))) << run->Output();
  run->Signal(SIGTERM);
  ASSERT_EQ(run->Wait(), 0) << run->Output();
  EXPECT_EQ(ColumnType("items", "qty"), T("DECIMAL(6,2)", "numeric(6,2)"));
  EXPECT_EQ(ColumnType("items", "w"), "");
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE qty = 2.5 AND wide = 'w'")[0][0], "10");
  ExpectValidateEqual();
}

TEST_P(Schema, VolatileDefaultLeavesExistingRowsNullUntilResync) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text);"
        "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 20) g;");
  WriteDefaultConfig();
  Once();
  // PostgreSQL rewrites the table with a value per row; the WAL carries none of them.
  PgRun("ALTER TABLE items ADD COLUMN r float8 DEFAULT random();");
  Once();
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE r IS NULL")[0][0], "20");
  EXPECT_EQ(Wharf({"validate"}).exit_code, 1);
  ASSERT_EQ(Wharf({"resync", "--table", "public.items"}).exit_code, 0);
  Once();
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE r IS NULL")[0][0], "0");
  ExpectValidateEqual();
}

TEST_P(Schema, AddedColumnThenRows) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text);"
        "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 10) g;");
  WriteDefaultConfig();
  Once();
  PgRun("ALTER TABLE items ADD COLUMN qty int DEFAULT 1;"
        "INSERT INTO items VALUES (11, 'new', 5);"
        "UPDATE items SET qty = 9 WHERE id = 2;");
  Once();
  EXPECT_EQ(W("SELECT qty FROM public.items WHERE id = 11")[0][0], "5");
  EXPECT_EQ(W("SELECT qty FROM public.items WHERE id = 2")[0][0], "9");
  EXPECT_EQ(W("SELECT qty FROM public.items WHERE id = 3")[0][0], "1");
  ExpectValidateEqual();
  // After a delete in the same transaction: the warehouse table is rebuilt, default included.
  PgRun("BEGIN; DELETE FROM items WHERE id = 1; ALTER TABLE items ADD COLUMN tag text DEFAULT 'old';"
        "INSERT INTO items VALUES (12, 'newer', 6, 'new'); COMMIT;");
  Once();
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE tag = 'old'")[0][0], "10");
  EXPECT_EQ(W("SELECT tag FROM public.items WHERE id = 12")[0][0], "new");
  // The rebuilt table keeps every column and its record of attnums.
  std::vector<std::string> names;
  for (const auto& row : W("SELECT column_name FROM information_schema.columns WHERE table_name = 'items'"))
    names.push_back(Str(row[0]));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"_wharf_lsn", "_wharf_synced_at", "id", "qty", "tag", "v"}));
  EXPECT_EQ(W("SELECT attnum FROM _wharf.columns WHERE table_name = 'items' AND column_name = 'tag'")[0][0], "4");
  ExpectValidateEqual();
}

TEST_P(Schema, RenamedColumnKeepsReceivingValues) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text, w text);"
        "INSERT INTO items SELECT g, 'v' || g, 'w' || g FROM generate_series(1, 10) g;");
  WriteDefaultConfig();
  Once();
  // A rename with no row change after it (the catalog watcher), then one with rows.
  PgRun("ALTER TABLE items RENAME COLUMN w TO wide;");
  Once();
  EXPECT_EQ(ColumnType("items", "wide"), T("VARCHAR", "text"));
  EXPECT_EQ(ColumnType("items", "w"), "");
  PgRun("ALTER TABLE items RENAME COLUMN v TO title;"
        "INSERT INTO items VALUES (11, 'eleven', 'x');"
        "UPDATE items SET title = 'two' WHERE id = 2;");
  Once();
  EXPECT_EQ(ColumnType("items", "title"), T("VARCHAR", "text"));
  EXPECT_EQ(ColumnType("items", "v"), "");
  EXPECT_EQ(W("SELECT title || wide FROM public.items WHERE id = 11")[0][0], "elevenx");
  EXPECT_EQ(W("SELECT title FROM public.items WHERE id = 2")[0][0], "two");
  EXPECT_EQ(W("SELECT title FROM public.items WHERE id = 3")[0][0], "v3");
  ExpectValidateEqual();
}

TEST_P(Schema, DroppedColumnIsKeptByDefault) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text, gone text);"
        "INSERT INTO items SELECT g, 'v' || g, 'g' || g FROM generate_series(1, 10) g;");
  WriteDefaultConfig();
  Once();
  PgRun("ALTER TABLE items DROP COLUMN gone;"
        "INSERT INTO items VALUES (11, 'new');"
        "UPDATE items SET v = 'changed' WHERE id = 1;");
  Once();
  EXPECT_EQ(ColumnType("items", "gone"), T("VARCHAR", "text"));
  EXPECT_EQ(W("SELECT gone FROM public.items WHERE id = 5")[0][0], "g5");
  EXPECT_FALSE(W("SELECT gone FROM public.items WHERE id = 11")[0][0].has_value());
  EXPECT_FALSE(W("SELECT gone FROM public.items WHERE id = 1")[0][0].has_value());
  // A new column under the dropped one's name is a new column; the kept one moves aside.
  PgRun("ALTER TABLE items ADD COLUMN gone int; UPDATE items SET gone = id WHERE id = 2;");
  Once();
  EXPECT_EQ(ColumnType("items", "gone"), T("INTEGER", "integer"));
  EXPECT_EQ(W("SELECT gone FROM public.items WHERE id = 2")[0][0], "2");
  EXPECT_EQ(W("SELECT gone_dropped_3 FROM public.items WHERE id = 5")[0][0], "g5");
  ExpectValidateEqual();
}

TEST_P(Schema, DroppedColumnIsDroppedUnderDropPolicy) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text, gone text);"
        "INSERT INTO items SELECT g, 'v' || g, 'g' || g FROM generate_series(1, 10) g;");
  WriteConfig("  - name: src\n    dsn: " + dsn_ + "\n", "  dropped_columns: drop\n");
  Once();
  PgRun("ALTER TABLE items DROP COLUMN gone;");  // no row change: the catalog watcher
  Once();
  EXPECT_EQ(ColumnType("items", "gone"), "");
  PgRun("INSERT INTO items VALUES (11, 'new');");
  Once();
  EXPECT_EQ(W("SELECT count(*) FROM public.items")[0][0], "11");
  ExpectValidateEqual();
}

TEST_P(Schema, IntegerWideningOnKeyAndNonKeyColumns) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, n smallint, v text);"
        "INSERT INTO items SELECT g, g, 'v' FROM generate_series(1, 100) g;");
  WriteDefaultConfig();
  Once();
  // In one transaction with a delete and an update before the change: the warehouse table is
  // rebuilt inside the batch's transaction (DuckDB cannot ALTER after a DELETE there).
  PgRun("BEGIN; DELETE FROM items WHERE id = 1; UPDATE items SET v = 'u' WHERE id = 2;"
        "ALTER TABLE items ALTER COLUMN id TYPE bigint, ALTER COLUMN n TYPE int;"
        "INSERT INTO items VALUES (3000000000, 70000, 'big'); COMMIT;");
  Once();
  EXPECT_EQ(ColumnType("items", "id"), T("BIGINT", "bigint"));
  EXPECT_EQ(ColumnType("items", "n"), T("INTEGER", "integer"));
  EXPECT_EQ(W("SELECT n FROM public.items WHERE id = 3000000000")[0][0], "70000");
  EXPECT_EQ(W("SELECT count(*) FROM public.items")[0][0], "100");
  // And without rows changed first: a plain ALTER.
  PgRun("ALTER TABLE items ALTER COLUMN n TYPE bigint;");
  Once();
  EXPECT_EQ(ColumnType("items", "n"), T("BIGINT", "bigint"));
  PgRun("UPDATE items SET n = 5000000000 WHERE id = 5;");
  Once();
  ExpectValidateEqual();
}

TEST_P(Schema, VarcharAndNumericGrowth) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, s varchar(10), m numeric(10,2));"
        "INSERT INTO items SELECT g, 's' || g, g + 0.25 FROM generate_series(1, 20) g;");
  WriteDefaultConfig();
  Once();
  PgRun("ALTER TABLE items ALTER COLUMN s TYPE varchar(100);"
        "INSERT INTO items VALUES (21, repeat('x', 60), 1.5);");
  Once();
  EXPECT_EQ(ColumnType("items", "s"), T("VARCHAR", "character varying(100)"));
  PgRun("ALTER TABLE items ALTER COLUMN s TYPE text, ALTER COLUMN m TYPE numeric(12,4);");
  Once();
  EXPECT_EQ(ColumnType("items", "m"), T("DECIMAL(12,4)", "numeric(12,4)"));
  EXPECT_EQ(ColumnType("items", "s"), T("VARCHAR", "text"));
  PgRun("INSERT INTO items VALUES (22, repeat('y', 500), 12345678.1234);");
  Once();
  EXPECT_EQ(W("SELECT CAST(m AS VARCHAR) FROM public.items WHERE id = 22")[0][0], "12345678.1234");
  EXPECT_EQ(W("SELECT length(s) FROM public.items WHERE id = 22")[0][0], "500");
  ExpectValidateEqual();
}

TEST_P(Schema, ShorterDeclaredLengthKeepsTheWiderColumn) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, s varchar(100));"
        "INSERT INTO items SELECT g, 's' || g FROM generate_series(1, 10) g;");
  WriteDefaultConfig();
  Once();
  // Every value of varchar(10) fits varchar(100): nothing to stop, nothing to alter.
  PgRun("ALTER TABLE items ALTER COLUMN s TYPE varchar(10); INSERT INTO items VALUES (11, 'short');");
  Once();
  EXPECT_EQ(ColumnType("items", "s"), T("VARCHAR", "character varying(100)"));
  EXPECT_EQ(W("SELECT s FROM public.items WHERE id = 11")[0][0], "short");
  // Growing again from the shorter length, still within the column: kept as it is.
  PgRun("ALTER TABLE items ALTER COLUMN s TYPE varchar(50); INSERT INTO items VALUES (12, repeat('z', 50));");
  Once();
  EXPECT_EQ(ColumnType("items", "s"), T("VARCHAR", "character varying(100)"));
  EXPECT_EQ(TableStatus("public.items")["load_error"], "");
  ExpectValidateEqual();
}

TEST_P(Schema, TypesWithoutANativeMappingWidenToTextAndStopOnOtherChanges) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, a inet, b inet);"
        "INSERT INTO items SELECT g, ('10.0.0.' || g)::inet, ('10.1.0.' || g)::inet FROM generate_series(1, 10) g;");
  WriteDefaultConfig();
  Once();
  PgRun("ALTER TABLE items ALTER COLUMN a TYPE text; INSERT INTO items VALUES (11, 'not an address', '10.2.0.1');");
  Once();
  EXPECT_EQ(ColumnType("items", "a"), T("VARCHAR", "text"));
  EXPECT_EQ(W("SELECT a FROM public.items WHERE id = 11")[0][0], "not an address");
  // The source's cast rewrote old values ('10.0.0.1' became '10.0.0.1/32'), which the WAL does not
  // carry. PostgreSQL's warehouse column is altered with the same cast; DuckDB kept the old text
  // (one VARCHAR both times): a resync copies the rewritten values (ARCHITECTURE, USING rewrites).
  EXPECT_EQ(W("SELECT a FROM public.items WHERE id = 1")[0][0], T("10.0.0.1", "10.0.0.1/32"));
  if (!IsPostgres()) {
    EXPECT_EQ(Wharf({"validate"}).exit_code, 1);
    ASSERT_EQ(Wharf({"resync", "--table", "public.items"}).exit_code, 0);
    Once();
  }
  ExpectValidateEqual();
  // inet -> cidr: one VARCHAR in DuckDB (only the record changes); two types in PostgreSQL, where
  // the change stops the table like a narrowing.
  PgRun("ALTER TABLE items ALTER COLUMN b TYPE cidr; INSERT INTO items VALUES (12, 'x', '10.3.0.0/16');");
  Once();
  if (IsPostgres()) {
    EXPECT_NE(TableStatus("public.items")["load_error"].get<std::string>().find("column b changed type from inet to cidr"),
              std::string::npos);
  }
  // Either way (stopped, or DuckDB's old text without the /32 cidr writes) a resync repairs it.
  ASSERT_EQ(Wharf({"resync", "--table", "public.items"}).exit_code, 0);
  Once();
  EXPECT_EQ(ColumnType("items", "b"), T("VARCHAR", "cidr"));
  EXPECT_EQ(TableStatus("public.items")["load_error"], "");
  ExpectValidateEqual();
}

TEST_P(Schema, NarrowingStopsOnlyItsTableUntilResync) {
  PgRun("CREATE TABLE narrow (id int PRIMARY KEY, n bigint);"
        "INSERT INTO narrow SELECT g, g FROM generate_series(1, 30) g;"
        "CREATE TABLE other (id int PRIMARY KEY, v text);"
        "INSERT INTO other SELECT g, 'o' FROM generate_series(1, 30) g;");
  WriteDefaultConfig();
  Once();
  PgRun("ALTER TABLE narrow ALTER COLUMN n TYPE int;"
        "INSERT INTO narrow VALUES (31, 31); UPDATE narrow SET n = 0 WHERE id = 1;"
        "INSERT INTO other VALUES (31, 'after');");
  Once();
  // The other table keeps loading; the narrowed one says why it stopped and what fixes it.
  EXPECT_EQ(W("SELECT v FROM public.other WHERE id = 31")[0][0], "after");
  EXPECT_EQ(W("SELECT count(*) FROM public.narrow")[0][0], "30");
  auto st = TableStatus("public.narrow");
  EXPECT_EQ(st["phase"], "errored");
  EXPECT_NE(st["load_error"].get<std::string>().find("wharf resync --table public.narrow"),
            std::string::npos) << st.dump();
  EXPECT_EQ(TableStatus("public.other")["phase"], "ready");
  auto text = Wharf({"status"});
  EXPECT_NE(text.output.find("load error: column n changed type"), std::string::npos) << text.output;
  // Changes keep being skipped (not lost: the resync copies them), other tables keep loading.
  PgRun("UPDATE narrow SET n = 2 WHERE id = 2; INSERT INTO other VALUES (32, 'later');");
  Once();
  EXPECT_EQ(W("SELECT count(*) FROM public.other")[0][0], "32");
  EXPECT_EQ(Wharf({"validate", "--table", "public.narrow"}).exit_code, 1);
  // The fix.
  auto rs = Wharf({"resync", "--table", "public.narrow"});
  ASSERT_EQ(rs.exit_code, 0) << rs.output;
  PgRun("UPDATE narrow SET n = 3 WHERE id = 3;");
  Once();
  EXPECT_EQ(ColumnType("narrow", "n"), T("INTEGER", "integer"));
  EXPECT_EQ(TableStatus("public.narrow")["load_error"], "");
  ExpectValidateEqual();
  // And it keeps loading afterwards.
  PgRun("INSERT INTO narrow VALUES (40, 40);");
  Once();
  EXPECT_EQ(W("SELECT n FROM public.narrow WHERE id = 40")[0][0], "40");
  ExpectValidateEqual();
}


TEST_P(Schema, RenamedAndDroppedTablesAndTruncate) {
  PgRun("CREATE TABLE old_name (id int PRIMARY KEY, v text);"
        "INSERT INTO old_name SELECT g, 'v' FROM generate_series(1, 10) g;"
        "CREATE TABLE doomed (id int PRIMARY KEY);"
        "INSERT INTO doomed SELECT g FROM generate_series(1, 5) g;"
        "CREATE TABLE emptied (id int PRIMARY KEY, n bigint);"
        "INSERT INTO emptied SELECT g, g FROM generate_series(1, 5) g;");
  WriteDefaultConfig();
  Once();
  PgRun("ALTER TABLE old_name RENAME TO new_name; INSERT INTO new_name VALUES (11, 'after');"
        "DROP TABLE doomed;");
  Once();
  // The old warehouse table is left as it was; the new name is a new table to wharf, copied whole.
  EXPECT_EQ(W("SELECT count(*) FROM public.old_name")[0][0], "10");
  EXPECT_EQ(W("SELECT v FROM public.new_name WHERE id = 11")[0][0], "after");
  EXPECT_EQ(W("SELECT count(*) FROM public.new_name")[0][0], "11");  // copied as a new table
  EXPECT_EQ(Wharf({"validate", "--table", "public.new_name"}).exit_code, 0);
  EXPECT_EQ(W("SELECT count(*) FROM public.doomed")[0][0], "5");
  // A narrowing change then a TRUNCATE: the truncate carries all the table will hold.
  PgRun("ALTER TABLE emptied ALTER COLUMN n TYPE int; TRUNCATE emptied; INSERT INTO emptied VALUES (1, 1);");
  Once();
  EXPECT_EQ(ColumnType("emptied", "n"), T("INTEGER", "integer"));
  EXPECT_EQ(W("SELECT count(*) FROM public.emptied")[0][0], "1");
  EXPECT_EQ(Wharf({"validate", "--table", "public.emptied"}).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Targets, Schema, ::testing::Values("duckdb", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace wharf::test
