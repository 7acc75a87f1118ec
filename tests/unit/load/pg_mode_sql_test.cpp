// The SQL text and COPY rows of the PostgreSQL adapter's load modes: the mode
// columns shared with DuckDB, timestamps in COPY text, history's and
// soft_delete's statements with every identifier quoted.
#include "load/postgres/pg_mode_sql.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

#include "load/postgres/pg_sql.hpp"

namespace wharf::load::postgres {
namespace {

core::RelationSchema Schema() {
  core::RelationSchema s;
  s.table = {"public", "t"};
  s.columns = {{"id", 23, -1, true}, {"We\"ird", 25, -1, false}};
  return s;
}

const core::TableName kTarget{"sh\"op", "Orders"};

TEST(PgModeSql, ModeColumnsAreSharedWithDuckDbAndAddedAfterTheWharfColumns) {
  EXPECT_EQ(ModeColumnList(LoadMode::kMirror), "");
  EXPECT_EQ(ModeColumnList(LoadMode::kSoftDelete), ", \"_wharf_deleted\"");
  EXPECT_EQ(AddModeColumnsSql(kTarget, LoadMode::kHistory),
            "ALTER TABLE \"sh\"\"op\".\"Orders\" ADD COLUMN \"_wharf_op\" VARCHAR, ADD COLUMN \"_wharf_seq\" BIGINT, "
            "ADD COLUMN \"_wharf_valid_from\" TIMESTAMPTZ, ADD COLUMN \"_wharf_valid_to\" TIMESTAMPTZ");
  EXPECT_EQ(AddModeColumnsSql(kTarget, LoadMode::kMirror), "");
  for (auto mode : {LoadMode::kMirror, LoadMode::kSoftDelete, LoadMode::kHistory, LoadMode::kAppend}) {
    std::set<std::string> cols = {"id", "_wharf_lsn", "_wharf_synced_at"};
    for (const auto& c : ModeColumns(mode)) cols.insert(c.name);
    EXPECT_EQ(ModeOfColumns(cols), mode) << ModeName(mode);
  }
  EXPECT_EQ(ModeRowsFilter(LoadMode::kSoftDelete), "NOT \"_wharf_deleted\"");
  EXPECT_EQ(ModeRowsFilter(LoadMode::kHistory), "\"_wharf_valid_to\" IS NULL");
  EXPECT_EQ(ModeRowsFilter(LoadMode::kMirror), "");
}

TEST(PgModeSql, ATableKeepsTheModeItWasCreatedIn) {
  const core::TableName target{"wh", "orders"}, source{"shop", "orders"};
  ExpectSameMode(target, LoadMode::kHistory, LoadMode::kHistory, source);
  try {
    ExpectSameMode(target, LoadMode::kHistory, LoadMode::kMirror, source);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(e.message().find("wh.orders was created in history mode"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("now loads it in mirror mode"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("wharf resync --table shop.orders"), std::string::npos) << e.message();
  }
}

TEST(PgModeSql, SourceColumnsNamedLikeModeColumnsAreRenamed) {
  auto s = Schema();
  s.columns.push_back({"_wharf_deleted", 16, -1, false});
  s.columns.push_back({"_wharf_valid_to", 25, -1, false});
  auto w = WarehouseSchema(s);
  EXPECT_EQ(w.columns[2].name, "_wharf_deleted_2");
  EXPECT_EQ(w.columns[3].name, "_wharf_valid_to_2");
}

TEST(PgModeSql, TimestampsAreExactUtcText) {
  EXPECT_EQ(TimestampText(0), "1970-01-01 00:00:00.000000+00");
  EXPECT_EQ(TimestampText(1795643101123456), "2026-11-25 21:45:01.123456+00");
  EXPECT_EQ(TimestampText(-1), "1969-12-31 23:59:59.999999+00");
  EXPECT_EQ(TimestampSql(42), "(timestamptz 'epoch' + 42 * interval '1 microsecond')");
}

TEST(PgModeSql, RowsCarryTheirModeFieldsAfterTheLsn) {
  const auto schema = Schema();
  PlannedRow row{{"1", "x"}, Lsn(100), {}, {}, true, 'U', 3, 1000000, std::nullopt};
  std::string out;
  EncodeUpsertRow(out, schema, row, false, LoadMode::kSoftDelete);
  EXPECT_EQ(out, "1\tx\t100\tt\n");
  out.clear();
  EncodeUpsertRow(out, schema, row, false, LoadMode::kHistory);
  EXPECT_EQ(out, "1\tx\t100\tU\t3\t1970-01-01 00:00:01.000000+00\t\\N\n");
  row.valid_to = 2000000;
  row.fill_columns = {1};
  row.fill_key = {"1"};
  out.clear();
  // History fill columns and key follow the mode fields, as the stage's columns do.
  EncodeUpsertRow(out, schema, row, true, LoadMode::kHistory);
  EXPECT_EQ(out, "1\tx\t100\tU\t3\t1970-01-01 00:00:01.000000+00\t1970-01-01 00:00:02.000000+00\t{1}\t1\n");
  out.clear();
  row.values = {"1", std::nullopt};
  EncodeUpsertRow(out, schema, row, false, LoadMode::kAppend);
  EXPECT_EQ(out, "1\t\\N\t100\tU\t3\t1970-01-01 00:00:01.000000+00\t[\"We\\\\\"ird\"]\n")
      << "the JSON's backslash escaped once more for COPY";
  EXPECT_EQ(CopyUpsertStageSql(schema, true, LoadMode::kHistory),
            "COPY pg_temp.\"_wharf_up\" (\"id\", \"We\"\"ird\", \"_wharf_lsn\", \"_wharf_op\", \"_wharf_seq\", "
            "\"_wharf_valid_from\", \"_wharf_valid_to\", \"_wharf_fill\", \"_wharf_fk0\") FROM STDIN");
  EXPECT_EQ(CopyIntoTargetSql(kTarget, schema, LoadMode::kAppend),
            "COPY \"sh\"\"op\".\"Orders\" (\"id\", \"We\"\"ird\", \"_wharf_lsn\", \"_wharf_op\", \"_wharf_seq\", "
            "\"_wharf_ts\", \"_wharf_unchanged\") FROM STDIN");
  EXPECT_EQ(InsertFromUpsertStageSql(kTarget, schema, LoadMode::kSoftDelete),
            "INSERT INTO \"sh\"\"op\".\"Orders\" (\"id\", \"We\"\"ird\", \"_wharf_lsn\", \"_wharf_deleted\") "
            "SELECT \"id\", \"We\"\"ird\", \"_wharf_lsn\", \"_wharf_deleted\" FROM pg_temp.\"_wharf_up\"");
}

TEST(PgModeSql, MarksAndTheirStatements) {
  const auto schema = Schema();
  std::string out;
  EncodeMark(out, KeyMark{{"7"}, Lsn(300), 3000000});
  EXPECT_EQ(out, "7\t300\t1970-01-01 00:00:03.000000+00\n");
  EXPECT_EQ(CopyMarkStageSql(schema), "COPY pg_temp.\"_wharf_mark\" (\"id\", \"_wharf_lsn\", \"_wharf_ts\") FROM STDIN");
  EXPECT_EQ(SoftDeleteMarksSql(kTarget, schema),
            "UPDATE \"sh\"\"op\".\"Orders\" t SET \"_wharf_deleted\" = true, \"_wharf_lsn\" = m.\"_wharf_lsn\", "
            "\"_wharf_synced_at\" = now() FROM pg_temp.\"_wharf_mark\" m WHERE t.\"id\" = m.\"id\"");
  EXPECT_EQ(SoftDeleteTruncateSql(kTarget, Lsn(9)),
            "UPDATE \"sh\"\"op\".\"Orders\" SET \"_wharf_deleted\" = true, \"_wharf_lsn\" = 9, \"_wharf_synced_at\" "
            "= now() WHERE NOT \"_wharf_deleted\"");
  EXPECT_EQ(EndVersionsSql(kTarget, schema),
            "UPDATE \"sh\"\"op\".\"Orders\" t SET \"_wharf_valid_to\" = m.\"_wharf_ts\" FROM pg_temp.\"_wharf_mark\" m "
            "WHERE t.\"_wharf_valid_to\" IS NULL AND t.\"id\" = m.\"id\"");
  auto truncate = HistoryTruncateSql(kTarget, schema, Lsn(5), 2, 7);
  ASSERT_EQ(truncate.size(), 2u);
  EXPECT_EQ(truncate[0],
            "INSERT INTO \"sh\"\"op\".\"Orders\" (\"id\", \"We\"\"ird\", \"_wharf_lsn\", \"_wharf_op\", \"_wharf_seq\", "
            "\"_wharf_valid_from\", \"_wharf_valid_to\") SELECT t.\"id\", t.\"We\"\"ird\", 5, 'T', 2, " +
                TimestampSql(7) + ", " + TimestampSql(7) +
                " FROM \"sh\"\"op\".\"Orders\" t WHERE t.\"_wharf_valid_to\" IS NULL");
  EXPECT_EQ(truncate[1], "UPDATE \"sh\"\"op\".\"Orders\" t SET \"_wharf_valid_to\" = " + TimestampSql(7) +
                             " WHERE t.\"_wharf_valid_to\" IS NULL");
  EXPECT_EQ(LatestVersionsSql(kTarget, schema),
            "(SELECT DISTINCT ON (x.\"id\") x.* FROM \"sh\"\"op\".\"Orders\" x WHERE EXISTS (SELECT 1 FROM "
            "pg_temp.\"_wharf_up\" u WHERE x.\"id\" = u.\"_wharf_fk0\") ORDER BY x.\"id\", x.\"_wharf_lsn\" DESC, "
            "x.\"_wharf_seq\" DESC)");
}

}  // namespace
}  // namespace wharf::load::postgres
