#include "load/postgres/pg_mode_sql.hpp"

#include <cstdio>
#include <ctime>

#include "load/postgres/pg_sql.hpp"
#include "pg/connection.hpp"
#include "pg/copy_text.hpp"

namespace wharf::load::postgres {

using pg::QuoteIdent;

namespace {
const char* const kCurrent = "t.\"_wharf_valid_to\" IS NULL";
}  // namespace

std::string ModeColumnList(LoadMode mode) {
  std::string out;
  for (const auto& c : ModeColumns(mode)) out += ", " + QuoteIdent(c.name);
  return out;
}

std::string TimestampText(int64_t micros) {
  int64_t secs = micros / 1000000, frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(frac));
  return buf;
}

std::string TimestampSql(int64_t micros) {
  // Exact: the interval is built from integer microseconds.
  return "(timestamptz 'epoch' + " + std::to_string(micros) +
         " * interval '1 microsecond')";
}

void EncodeModeFields(std::string& out, const core::RelationSchema& schema, const PlannedRow& row,
                      LoadMode mode) {
  switch (mode) {
    case LoadMode::kMirror:
      return;
    case LoadMode::kSoftDelete:
      out += row.deleted ? "\tt" : "\tf";
      return;
    case LoadMode::kHistory:
      out += '\t';
      out += row.op;
      out += '\t' + std::to_string(row.seq) + '\t' + TimestampText(row.ts) + '\t' +
             (row.valid_to ? TimestampText(*row.valid_to) : "\\N");
      return;
    case LoadMode::kAppend:
      out += '\t';
      out += row.op;
      out += '\t' + std::to_string(row.seq) + '\t' + TimestampText(row.ts) + '\t';
      if (row.fill_columns.empty())
        out += "\\N";
      else
        pg::AppendCopyTextField(out, UnchangedColumnsJson(schema, row.fill_columns));
      return;
  }
}

std::string AddModeColumnsSql(const core::TableName& target, LoadMode mode) {
  std::string out;
  for (const auto& c : ModeColumns(mode))
    out += (out.empty() ? "ALTER TABLE " + Qualified(target) + " " : ", ") + "ADD COLUMN " + QuoteIdent(c.name) +
           " " + c.type;
  return out;
}

std::string ModeRowsFilter(LoadMode mode) {
  if (mode == LoadMode::kSoftDelete) return "NOT \"_wharf_deleted\"";
  if (mode == LoadMode::kHistory) return "\"_wharf_valid_to\" IS NULL";
  return "";
}

std::string CreateMarkStageSql(const core::TableName& target, const core::RelationSchema& schema) {
  return DropAndCreateStage(kMarkStage, "SELECT " + ColumnList(schema, schema.KeyIndexes(), "t") +
                                            ", t.\"_wharf_lsn\", NULL::timestamptz AS \"_wharf_ts\" FROM " +
                                            Qualified(target) + " t");
}

std::string CopyMarkStageSql(const core::RelationSchema& schema) {
  return StageCopy(kMarkStage, ColumnList(schema, schema.KeyIndexes()) + ", \"_wharf_lsn\", \"_wharf_ts\"");
}

void EncodeMark(std::string& out, const KeyMark& mark) {
  EncodeValues(out, mark.key);
  out += '\t' + std::to_string(static_cast<int64_t>(mark.lsn.value())) + '\t' + TimestampText(mark.ts) + '\n';
}

std::string SoftDeleteTruncateSql(const core::TableName& target, Lsn lsn) {
  return "UPDATE " + Qualified(target) + " SET \"_wharf_deleted\" = true, \"_wharf_lsn\" = " +
         std::to_string(static_cast<int64_t>(lsn.value())) +
         ", \"_wharf_synced_at\" = now() WHERE NOT \"_wharf_deleted\"";
}

std::string SoftDeleteMarksSql(const core::TableName& target, const core::RelationSchema& schema) {
  return "UPDATE " + Qualified(target) +
         " t SET \"_wharf_deleted\" = true, \"_wharf_lsn\" = m.\"_wharf_lsn\", \"_wharf_synced_at\" = now() FROM "
         "pg_temp." + QuoteIdent(kMarkStage) + " m WHERE " + KeyEquals(schema, "t", "m");
}

std::string LatestVersionsSql(const core::TableName& target, const core::RelationSchema& schema) {
  const auto keys = schema.KeyIndexes();
  std::string staged;
  for (size_t k : keys)
    staged += (staged.empty() ? "" : " AND ") + std::string("x.") + QuoteIdent(schema.columns[k].name) + " = u." +
              FillKey(k);
  const std::string key_cols = ColumnList(schema, keys, "x");
  return "(SELECT DISTINCT ON (" + key_cols + ") x.* FROM " + Qualified(target) +
         " x WHERE EXISTS (SELECT 1 FROM pg_temp." + QuoteIdent(kUpsertStage) + " u WHERE " + staged +
         ") ORDER BY " + key_cols + ", x.\"_wharf_lsn\" DESC, x.\"_wharf_seq\" DESC)";
}

std::vector<std::string> HistoryTruncateSql(const core::TableName& target, const core::RelationSchema& schema,
                                            Lsn lsn, uint32_t seq, int64_t ts) {
  const std::string cols = ColumnList(schema, AllColumns(schema));
  const std::string at = TimestampSql(ts);
  return {"INSERT INTO " + Qualified(target) + " (" + cols +
              ", \"_wharf_lsn\", \"_wharf_op\", \"_wharf_seq\", \"_wharf_valid_from\", \"_wharf_valid_to\") "
              "SELECT " + ColumnList(schema, AllColumns(schema), "t") + ", " +
              std::to_string(static_cast<int64_t>(lsn.value())) + ", 'T', " + std::to_string(seq) + ", " + at +
              ", " + at + " FROM " + Qualified(target) + " t WHERE " + kCurrent,
          "UPDATE " + Qualified(target) + " t SET \"_wharf_valid_to\" = " + at + " WHERE " + kCurrent};
}

std::string EndVersionsSql(const core::TableName& target, const core::RelationSchema& schema) {
  return "UPDATE " + Qualified(target) + " t SET \"_wharf_valid_to\" = m.\"_wharf_ts\" FROM pg_temp." +
         QuoteIdent(kMarkStage) + " m WHERE " + kCurrent + " AND " + KeyEquals(schema, "t", "m");
}

}  // namespace wharf::load::postgres
