// The SQL text and COPY rows of the PostgreSQL warehouse adapter: identifiers
// quoted (also hostile ones), COPY text escaping, fill columns and keys in the
// upsert stage, key-less rows matched by their record text.
#include "load/postgres/pg_sql.hpp"

#include <gtest/gtest.h>

#include "pg/copy_text.hpp"

namespace wharf::load::postgres {
namespace {

core::RelationSchema Schema(bool keyed) {
  core::RelationSchema s;
  s.table = {"public", "t"};
  s.columns = {{"id", 23, -1, keyed}, {"We\"ird", 25, -1, false}, {"n", 1700, (10 << 16) + 2 + 4, false}};
  return s;
}

const core::TableName kTarget{"sh\"op", "Orders"};

TEST(PgSql, CopyTextFieldEscapesWhatCopyWouldSplitOn) {
  std::string out;
  pg::AppendCopyTextField(out, std::string("a\tb\nc\\d\re"));
  EXPECT_EQ(out, "a\\tb\\nc\\\\d\\re");
  out.clear();
  pg::AppendCopyTextField(out, std::nullopt);
  EXPECT_EQ(out, "\\N");
  // What COPY writes, the row parser reads back to the same values.
  std::string line;
  pg::AppendCopyTextField(line, std::string("x\\N\ty"));
  line += '\t';
  pg::AppendCopyTextField(line, std::nullopt);
  line += '\t';
  pg::AppendCopyTextField(line, std::string(""));
  std::vector<std::optional<std::string>> back;
  pg::ParseCopyTextRow(line, back, 3);
  EXPECT_EQ(back, (std::vector<std::optional<std::string>>{"x\\N\ty", std::nullopt, ""}));
}

TEST(PgSql, IdentifiersAreQuoted) {
  auto ddl = CreateTableSql(kTarget, Schema(true), {"integer", "text", "numeric(10,2)"});
  ASSERT_EQ(ddl.size(), 3u);
  EXPECT_EQ(ddl[0], "CREATE SCHEMA IF NOT EXISTS \"sh\"\"op\"");
  EXPECT_EQ(ddl[1],
            "CREATE TABLE \"sh\"\"op\".\"Orders\" (\"id\" integer, \"We\"\"ird\" text, \"n\" numeric(10,2), "
            "\"_wharf_lsn\" bigint, \"_wharf_synced_at\" timestamptz NOT NULL DEFAULT now())");
  EXPECT_EQ(ddl[2], "CREATE INDEX ON \"sh\"\"op\".\"Orders\" (\"id\")");
  EXPECT_EQ(CreateTableSql(kTarget, Schema(false), {"integer", "text", "numeric"}).size(), 2u)
      << "no key, no index";
  EXPECT_EQ(DeleteByKeySql(kTarget, Schema(true)),
            "DELETE FROM \"sh\"\"op\".\"Orders\" t USING pg_temp.\"_wharf_del\" d WHERE t.\"id\" = d.\"id\"");
  EXPECT_EQ(LockSourceSql("o'brien"), "SELECT pg_advisory_xact_lock(hashtext('wharf.load:o''brien'))");
  EXPECT_EQ(TypeNamesSql(Schema(true)), "SELECT format_type(23, -1), format_type(25, -1), format_type(1700, 655366)");
}

TEST(PgSql, UpsertRowsCarryFillColumnsAndTheirKey) {
  auto schema = Schema(true);
  PlannedRow plain{{"1", std::nullopt, "2.50"}, Lsn(100), {}, {}, false, 0, 0, 0, std::nullopt};
  PlannedRow fill{{"2", std::nullopt, "3.00"}, Lsn(200), {1}, {"7"}, false, 0, 0, 0, std::nullopt};
  std::string out;
  EncodeUpsertRow(out, schema, plain, false);
  EXPECT_EQ(out, "1\t\\N\t2.50\t100\n");
  out.clear();
  EncodeUpsertRow(out, schema, plain, true);
  EncodeUpsertRow(out, schema, fill, true);
  EXPECT_EQ(out, "1\t\\N\t2.50\t100\t\\N\t\\N\n2\t\\N\t3.00\t200\t{1}\t7\n");
  EXPECT_EQ(CopyUpsertStageSql(schema, true),
            "COPY pg_temp.\"_wharf_up\" (\"id\", \"We\"\"ird\", \"n\", \"_wharf_lsn\", \"_wharf_fill\", "
            "\"_wharf_fk0\") FROM STDIN");
  EXPECT_EQ(FillFromWarehouseSql(kTarget, schema, {1}),
            "UPDATE pg_temp.\"_wharf_up\" u SET \"We\"\"ird\" = CASE WHEN 1 = ANY(u.\"_wharf_fill\") THEN "
            "t.\"We\"\"ird\" ELSE u.\"We\"\"ird\" END FROM \"sh\"\"op\".\"Orders\" t WHERE u.\"_wharf_fill\" "
            "IS NOT NULL AND t.\"id\" = u.\"_wharf_fk0\"");
}

TEST(PgSql, KeylessRowsMatchByRecordTextAndRemoveExactlyN) {
  auto sql = RemoveCopiesSql(kTarget, Schema(false));
  EXPECT_NE(sql.find("ROW(w.\"id\", w.\"We\"\"ird\", w.\"n\")::text = ROW(r.\"id\", r.\"We\"\"ird\", r.\"n\")::text"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("WHERE k <= n"), std::string::npos) << sql;
  std::string out;
  EncodeRemove(out, CountedRow{{"1", std::nullopt, "x"}, 3}, 9);
  EXPECT_EQ(out, "1\t\\N\tx\t9\t3\n");
}

TEST(PgSql, WharfColumnNamesInTheSourceAreRenamed) {
  core::RelationSchema s;
  s.columns = {{"_wharf_lsn", 20, -1, false}, {"_wharf_lsn_2", 20, -1, false}, {"Name", 25, -1, false},
               {"name", 25, -1, false}};
  auto w = WarehouseSchema(s);
  EXPECT_EQ(w.columns[0].name, "_wharf_lsn_3");
  EXPECT_EQ(w.columns[1].name, "_wharf_lsn_2");
  EXPECT_EQ(w.columns[2].name, "Name") << "PostgreSQL keeps names that differ only in case apart";
  EXPECT_EQ(w.columns[3].name, "name");
}

TEST(PgSql, ProgressIsOneRowPerSourceUpserted) {
  EXPECT_EQ(SaveProgressSql("src", 4, 100, 120),
            "INSERT INTO _wharf.state (source, batch_seq, lsn, end_lsn, applied_at) VALUES ('src', 4, 100, 120, "
            "now()) ON CONFLICT (source) DO UPDATE SET batch_seq = excluded.batch_seq, lsn = excluded.lsn, "
            "end_lsn = excluded.end_lsn, applied_at = excluded.applied_at");
}

TEST(PgSql, WarehouseValuesAreComparedThroughTheirOutputFunction) {
  // Not ::text, which is not the output function for boolean, inet or char(n).
  EXPECT_EQ(WarehouseAsText({"s", "t"}, Schema(true), "w"),
            "(SELECT CASE WHEN \"id\" IS NULL THEN NULL ELSE format('%s', \"id\") END AS \"id\", CASE WHEN "
            "\"We\"\"ird\" IS NULL THEN NULL ELSE format('%s', \"We\"\"ird\") END AS \"We\"\"ird\", CASE WHEN "
            "\"n\" IS NULL THEN NULL ELSE format('%s', \"n\") END AS \"n\" FROM \"s\".\"t\") w");
}

}  // namespace
}  // namespace wharf::load::postgres
