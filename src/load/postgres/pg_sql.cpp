#include "load/postgres/pg_sql.hpp"

#include <set>

#include "pg/connection.hpp"
#include "pg/copy_text.hpp"

namespace wharf::load::postgres {

using pg::QuoteIdent;
using pg::QuoteLiteral;

// Building blocks shared with pg_mode_sql.cpp (declared in pg_sql.hpp).

std::string Qualified(const core::TableName& t) { return QuoteIdent(t.schema) + "." + QuoteIdent(t.name); }

std::string ColumnList(const core::RelationSchema& schema, const std::vector<size_t>& cols,
                       const std::string& alias) {
  std::string out;
  for (size_t i : cols) {
    if (!out.empty()) out += ", ";
    if (!alias.empty()) out += alias + ".";
    out += QuoteIdent(schema.columns[i].name);
  }
  return out;
}

std::vector<size_t> AllColumns(const core::RelationSchema& schema) {
  std::vector<size_t> all(schema.columns.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

std::string FillKey(size_t k) { return QuoteIdent("_wharf_fk" + std::to_string(k)); }

// A row's columns as one text value that is equal exactly when every column
// is (NULL equal to NULL: record_out writes NULL as nothing, '' as ""), so
// key-less rows of any type (json, point, ... have no `=`) match by a
// hashable text equality.
static std::string RowText(const core::RelationSchema& schema, const std::string& alias) {
  return "ROW(" + ColumnList(schema, AllColumns(schema), alias) + ")::text";
}

std::string KeyEquals(const core::RelationSchema& schema, const std::string& left,
                      const std::string& right) {
  std::string out;
  for (size_t k : schema.KeyIndexes()) {
    if (!out.empty()) out += " AND ";
    const std::string col = QuoteIdent(schema.columns[k].name);
    out += left + "." + col + " = " + right + "." + col;
  }
  return out;
}

std::string StageCopy(const char* stage, const std::string& columns) {
  return "COPY pg_temp." + QuoteIdent(stage) + " (" + columns + ") FROM STDIN";
}

std::string DropAndCreateStage(const char* stage, const std::string& select_from) {
  // One name per kind of stage: ApplyTable may run several times in a batch,
  // so an earlier call's stage (kept until commit) is replaced.
  return "DROP TABLE IF EXISTS pg_temp." + QuoteIdent(stage) + "; CREATE TEMP TABLE " +
         QuoteIdent(stage) + " ON COMMIT DROP AS " + select_from + " WITH NO DATA";
}

void EncodeValues(std::string& out, const std::vector<core::Datum>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += '\t';
    pg::AppendCopyTextField(out, values[i]);
  }
}

// A key text for samples: "1,abc" (NULL for a NULL).
static std::string KeyTextExpr(const core::RelationSchema& schema, const std::vector<size_t>& cols,
                        const std::string& alias) {
  std::string out;
  for (size_t k : cols) {
    if (!out.empty()) out += " || ',' || ";
    out += "coalesce(" + alias + "." + QuoteIdent(schema.columns[k].name) + ", 'NULL')";
  }
  return out;
}

core::RelationSchema WarehouseSchema(const core::RelationSchema& source) {
  core::RelationSchema out = source;
  std::set<std::string> reserved = {"_wharf_lsn", "_wharf_synced_at"};
  for (const auto& mode : {LoadMode::kSoftDelete, LoadMode::kHistory, LoadMode::kAppend})
    for (const auto& c : ModeColumns(mode)) reserved.insert(c.name);
  std::set<std::string> used = reserved;
  for (const auto& c : source.columns) used.insert(c.name);
  for (auto& c : out.columns) {
    if (!reserved.count(c.name)) continue;
    std::string name = c.name;
    for (int n = 2; used.count(name); ++n) name = c.name + "_" + std::to_string(n);
    used.insert(name);
    c.name = name;
  }
  return out;
}

std::string StateDdl() {
  return "CREATE SCHEMA IF NOT EXISTS _wharf; "
         "CREATE TABLE IF NOT EXISTS _wharf.state (source text PRIMARY KEY, batch_seq bigint NOT NULL, "
         "lsn bigint NOT NULL, end_lsn bigint NOT NULL, applied_at timestamptz NOT NULL)";
}

std::string LockSourceSql(const std::string& source) {
  return "SELECT pg_advisory_xact_lock(hashtext(" + QuoteLiteral("wharf.load:" + source) + "))";
}

std::string AppliedSeqSql(const std::string& source) {
  return "SELECT batch_seq FROM _wharf.state WHERE source = " + QuoteLiteral(source);
}

std::string SaveProgressSql(const std::string& source, uint64_t seq, uint64_t lsn, uint64_t end_lsn) {
  return "INSERT INTO _wharf.state (source, batch_seq, lsn, end_lsn, applied_at) VALUES (" +
         QuoteLiteral(source) + ", " + std::to_string(seq) + ", " + std::to_string(lsn) + ", " +
         std::to_string(end_lsn) +
         ", now()) ON CONFLICT (source) DO UPDATE SET batch_seq = excluded.batch_seq, lsn = "
         "excluded.lsn, end_lsn = excluded.end_lsn, applied_at = excluded.applied_at";
}

std::string ProgressSql() {
  return "SELECT source, batch_seq, lsn, end_lsn, to_char(applied_at AT TIME ZONE 'UTC', "
         "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM _wharf.state ORDER BY source";
}

std::string TypeNamesSql(const core::RelationSchema& schema) {
  std::string out = "SELECT ";
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const auto& c = schema.columns[i];
    out += (i ? ", " : "") + std::string("format_type(") + std::to_string(c.type_oid) + ", " +
           std::to_string(c.typmod) + ")";
  }
  return out;
}

std::string ExistingColumnsSql(const core::TableName& target) {
  return "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(" +
         QuoteLiteral(Qualified(target)) + ") AND attnum > 0 AND NOT attisdropped";
}

std::vector<std::string> CreateTableSql(const core::TableName& target, const core::RelationSchema& schema,
                                        const std::vector<std::string>& type_names) {
  std::string ddl = "CREATE TABLE " + Qualified(target) + " (";
  for (size_t i = 0; i < schema.columns.size(); ++i)
    ddl += QuoteIdent(schema.columns[i].name) + " " + type_names[i] + ", ";
  ddl += "\"_wharf_lsn\" bigint, \"_wharf_synced_at\" timestamptz NOT NULL DEFAULT now())";
  std::vector<std::string> out = {"CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(target.schema), ddl};
  auto keys = schema.KeyIndexes();
  if (!keys.empty()) out.push_back("CREATE INDEX ON " + Qualified(target) + " (" + ColumnList(schema, keys) + ")");
  return out;
}

std::string CreateUpsertStageSql(const core::TableName& target, const core::RelationSchema& schema,
                                 bool with_fill, LoadMode mode) {
  std::string select = "SELECT " + ColumnList(schema, AllColumns(schema), "t") + ", t.\"_wharf_lsn\"";
  for (const auto& c : ModeColumns(mode)) select += ", t." + QuoteIdent(c.name);
  if (with_fill) {
    select += ", NULL::int[] AS \"_wharf_fill\"";
    for (size_t k : schema.KeyIndexes())
      select += ", t." + QuoteIdent(schema.columns[k].name) + " AS " + FillKey(k);
  }
  return DropAndCreateStage(kUpsertStage, select + " FROM " + Qualified(target) + " t");
}

std::string CopyUpsertStageSql(const core::RelationSchema& schema, bool with_fill, LoadMode mode) {
  std::string cols = ColumnList(schema, AllColumns(schema)) + ", \"_wharf_lsn\"" + ModeColumnList(mode);
  if (with_fill) {
    cols += ", \"_wharf_fill\"";
    for (size_t k : schema.KeyIndexes()) cols += ", " + FillKey(k);
  }
  return StageCopy(kUpsertStage, cols);
}

void EncodeUpsertRow(std::string& out, const core::RelationSchema& schema, const PlannedRow& row,
                     bool with_fill, LoadMode mode) {
  EncodeValues(out, row.values);
  out += '\t';
  out += std::to_string(static_cast<int64_t>(row.lsn.value()));
  EncodeModeFields(out, schema, row, mode);
  if (with_fill) {
    const size_t nkeys = schema.KeyIndexes().size();
    if (row.fill_columns.empty()) {
      out += "\t\\N";
      for (size_t k = 0; k < nkeys; ++k) out += "\t\\N";
    } else {
      out += "\t{";
      for (size_t i = 0; i < row.fill_columns.size(); ++i)
        out += (i ? "," : "") + std::to_string(row.fill_columns[i]);
      out += '}';
      for (size_t k = 0; k < nkeys; ++k) {
        out += '\t';
        pg::AppendCopyTextField(out, k < row.fill_key.size() ? row.fill_key[k] : std::nullopt);
      }
    }
  }
  out += '\n';
}

namespace {
// " AND t.<key> = u.<fill key>" for every key column.
std::string FillKeyMatch(const core::RelationSchema& schema) {
  std::string match;
  for (size_t k : schema.KeyIndexes())
    match += " AND t." + QuoteIdent(schema.columns[k].name) + " = u." + FillKey(k);
  return match;
}
}  // namespace

std::string FillFromWarehouseSql(const core::TableName& target, const core::RelationSchema& schema,
                                 const std::vector<uint32_t>& fill_columns, const std::string& from) {
  std::string set;
  for (uint32_t c : fill_columns) {
    const std::string col = QuoteIdent(schema.columns[c].name);
    set += (set.empty() ? "" : ", ") + col + " = CASE WHEN " + std::to_string(c) +
           " = ANY(u.\"_wharf_fill\") THEN t." + col + " ELSE u." + col + " END";
  }
  const std::string match = FillKeyMatch(schema);
  return "UPDATE pg_temp." + QuoteIdent(kUpsertStage) + " u SET " + set + " FROM " +
         (from.empty() ? Qualified(target) : from) + " t WHERE u.\"_wharf_fill\" IS NOT NULL" + match;
}

std::string UnfilledRowsSql(const core::TableName& target, const core::RelationSchema& schema,
                            const std::string& from) {
  const std::string match = FillKeyMatch(schema);
  return "SELECT count(*) FROM pg_temp." + QuoteIdent(kUpsertStage) +
         " u WHERE u.\"_wharf_fill\" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " +
         (from.empty() ? Qualified(target) : from) + " t WHERE true" + match + ")";
}

std::string TruncateSql(const core::TableName& target) { return "TRUNCATE " + Qualified(target); }

std::string CreateDeleteStageSql(const core::TableName& target, const core::RelationSchema& schema) {
  return DropAndCreateStage(kDeleteStage, "SELECT " + ColumnList(schema, schema.KeyIndexes(), "t") +
                                              " FROM " + Qualified(target) + " t");
}

std::string CopyDeleteStageSql(const core::RelationSchema& schema) {
  return StageCopy(kDeleteStage, ColumnList(schema, schema.KeyIndexes()));
}

void EncodeKey(std::string& out, const Key& key) {
  EncodeValues(out, key);
  out += '\n';
}

std::string DeleteByKeySql(const core::TableName& target, const core::RelationSchema& schema) {
  return "DELETE FROM " + Qualified(target) + " t USING pg_temp." + QuoteIdent(kDeleteStage) + " d WHERE " +
         KeyEquals(schema, "t", "d");
}

std::string CreateRemoveStageSql(const core::TableName& target, const core::RelationSchema& schema) {
  return DropAndCreateStage(kRemoveStage, "SELECT " + ColumnList(schema, AllColumns(schema), "t") +
                                              ", 0::bigint AS \"_wharf_id\", 0::bigint AS \"_wharf_n\" FROM " +
                                              Qualified(target) + " t");
}

std::string CopyRemoveStageSql(const core::RelationSchema& schema) {
  return StageCopy(kRemoveStage, ColumnList(schema, AllColumns(schema)) + ", \"_wharf_id\", \"_wharf_n\"");
}

void EncodeRemove(std::string& out, const CountedRow& row, uint64_t id) {
  EncodeValues(out, row.values);
  out += '\t' + std::to_string(id) + '\t' + std::to_string(row.count) + '\n';
}

std::string RemoveCopiesSql(const core::TableName& target, const core::RelationSchema& schema) {
  // Any n of the identical rows will do: they are interchangeable.
  return "DELETE FROM " + Qualified(target) + " t USING (SELECT rid FROM (SELECT w.ctid AS rid, "
         "r.\"_wharf_n\" AS n, row_number() OVER (PARTITION BY r.\"_wharf_id\") AS k FROM " +
         Qualified(target) + " w JOIN pg_temp." + QuoteIdent(kRemoveStage) + " r ON " + RowText(schema, "w") +
         " = " + RowText(schema, "r") + ") x WHERE k <= n) gone WHERE t.ctid = gone.rid";
}

std::string InsertFromUpsertStageSql(const core::TableName& target, const core::RelationSchema& schema,
                                     LoadMode mode) {
  const std::string cols = ColumnList(schema, AllColumns(schema)) + ", \"_wharf_lsn\"" + ModeColumnList(mode);
  return "INSERT INTO " + Qualified(target) + " (" + cols + ") SELECT " + cols + " FROM pg_temp." +
         QuoteIdent(kUpsertStage);
}

std::string CopyIntoTargetSql(const core::TableName& target, const core::RelationSchema& schema,
                              LoadMode mode) {
  return "COPY " + Qualified(target) + " (" + ColumnList(schema, AllColumns(schema)) +
         ", \"_wharf_lsn\"" + ModeColumnList(mode) + ") FROM STDIN";
}

void EncodeInsertRow(std::string& out, const PlannedRow& row) {
  EncodeValues(out, row.values);
  out += '\t' + std::to_string(static_cast<int64_t>(row.lsn.value())) + '\n';
}

std::string CreateSourceStageSql(const core::RelationSchema& schema) {
  std::string cols;
  for (const auto& c : schema.columns) cols += (cols.empty() ? "" : ", ") + QuoteIdent(c.name) + " text";
  return "DROP TABLE IF EXISTS pg_temp." + QuoteIdent(kSourceStage) + "; CREATE TEMP TABLE " +
         QuoteIdent(kSourceStage) + " (" + cols + ")";
}

std::string CopySourceStageSql(const core::RelationSchema& schema) {
  return StageCopy(kSourceStage, ColumnList(schema, AllColumns(schema)));
}

void EncodeSourceRow(std::string& out, const std::vector<core::Datum>& values) {
  EncodeValues(out, values);
  out += '\n';
}

std::string WarehouseAsText(const core::TableName& target, const core::RelationSchema& schema,
                            const std::string& alias, const std::string& where) {
  // Through each type's output function, as COPY writes the source's values:
  // a cast to text is not always that (true::text is 'true' where the output
  // is 't'; inet's and char(n)'s casts drop a /32 or trailing blanks).
  std::string cols;
  for (const auto& c : schema.columns) {
    const std::string col = QuoteIdent(c.name);
    cols += (cols.empty() ? "" : ", ") + std::string("CASE WHEN ") + col + " IS NULL THEN NULL ELSE format('%s', " +
            col + ") END AS " + col;
  }
  return "(SELECT " + cols + " FROM " + Qualified(target) + (where.empty() ? "" : " WHERE " + where) + ") " +
         alias;
}

CompareQueries KeyedCompareSql(const core::TableName& target, const core::RelationSchema& schema,
                               const std::string& where) {
  const auto keys = schema.KeyIndexes();
  const std::string src = "pg_temp." + QuoteIdent(kSourceStage);
  CompareQueries q;
  q.missing = src + " s WHERE NOT EXISTS (SELECT 1 FROM " + WarehouseAsText(target, schema, "w", where) +
              " WHERE " + KeyEquals(schema, "w", "s") + ")";
  q.missing_key = KeyTextExpr(schema, keys, "s");
  q.extra = WarehouseAsText(target, schema, "w", where) + " WHERE NOT EXISTS (SELECT 1 FROM " + src + " s WHERE " +
            KeyEquals(schema, "s", "w") + ")";
  q.extra_key = KeyTextExpr(schema, keys, "w");
  const std::string key_cols = ColumnList(schema, keys);
  q.duplicated = "(SELECT " + key_cols + " FROM " + WarehouseAsText(target, schema, "w0", where) + " GROUP BY " +
                 key_cols + " HAVING count(*) > 1) w";
  q.duplicated_key = KeyTextExpr(schema, keys, "w");
  q.different = src + " s JOIN " + WarehouseAsText(target, schema, "w", where) + " ON " + KeyEquals(schema, "s", "w") +
                // ROW(s.*), not s::text: a column named s or w would make s ambiguous.
                " WHERE ROW(s.*)::text <> ROW(w.*)::text";
  q.different_key = KeyTextExpr(schema, keys, "s");
  return q;
}

std::string MultisetDifferenceSql(const core::TableName& target, const core::RelationSchema& schema,
                                  const std::string& where) {
  const std::string cols = ColumnList(schema, AllColumns(schema));
  return "CREATE TEMP TABLE \"_wharf_cmp\" ON COMMIT DROP AS SELECT " +
         KeyTextExpr(schema, AllColumns(schema), "d") +
         " AS \"_wharf_row\", sum(d.\"_wharf_n\")::bigint AS \"_wharf_d\" FROM (SELECT " + cols + ", 1 AS \"_wharf_n\" FROM pg_temp." +
         QuoteIdent(kSourceStage) + " UNION ALL SELECT " + cols + ", -1 FROM " +
         WarehouseAsText(target, schema, "w", where) + ") d GROUP BY " + ColumnList(schema, AllColumns(schema), "d") +
         " HAVING sum(d.\"_wharf_n\") <> 0";
}

}  // namespace wharf::load::postgres
