// The DuckDB adapter's load modes beyond mirror (see load/planner.hpp for the
// plans): table shapes, staging of planned rows and marks, and the set-based
// statements of history and append.
#include "core/error.hpp"
#include "load/duckdb/duckdb_sql.hpp"
#include "load/duckdb/duckdb_types.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"

namespace wharf::load::duckdb {

namespace {

void AppendTimestamp(Appender& app, int64_t micros, const char* what) {
  duckdb_value v = duckdb_create_timestamp_tz(duckdb_timestamp{micros});
  duckdb_state st = duckdb_append_value(app.raw(), v);
  duckdb_destroy_value(&v);
  app.Check(st, what);
}

void AppendText(Appender& app, const std::string& text, const char* what) {
  app.Check(duckdb_append_varchar_length(app.raw(), text.data(), text.size()), what);
}

}  // namespace

void DuckDbWarehouse::StageRows(const core::TableName& table, const core::RelationSchema& schema,
                                const std::vector<PlannedRow>& rows,
                                const std::vector<ExtraColumn>& extras,
                                const std::string& fill_from, bool copying, std::vector<Reject>& rejects) {
  const std::string target = Qualified(table.schema, table.name);
  auto types = TypesOf(schema);
  auto keys = KeyColumns(schema);
  // Fill-key columns only when some row needs a fill: a key-less table would
  // otherwise double the width of every staged row.
  bool any_fill = false;
  for (const auto& row : rows) any_fill |= !row.fill_columns.empty();
  std::string ddl = "CREATE OR REPLACE TEMP TABLE _wharf_up (";
  for (size_t i = 0; i < schema.columns.size(); ++i)
    ddl += Ident(schema.columns[i].name) + " " + DuckDbTypeName(types[i]) + ", ";
  ddl += "_wharf_lsn BIGINT";
  for (const auto& e : extras) ddl += ", " + Ident(e.name) + " " + e.type;
  if (any_fill) {
    ddl += ", _wharf_fill VARCHAR";
    for (size_t k : keys) ddl += ", _wharf_fk" + std::to_string(k) + " " + DuckDbTypeName(types[k]);
  }
  conn_.Query(ddl + ")");
  Appender app(conn_.raw(), "temp", "main", "_wharf_up");
  for (const auto& row : rows) {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      if (auto why = AppendDatum(app, types[i], row.values[i])) {
        rejects.push_back({table.ToString(), KeyText(schema, keys, row.values),
                           schema.columns[i].name, *row.values[i], *why, row.lsn});
      }
    }
    app.Check(duckdb_append_int64(app.raw(), static_cast<int64_t>(row.lsn.value())), "lsn");
    for (const auto& e : extras) e.append(app, row);
    if (!any_fill) {
    } else if (row.fill_columns.empty()) {
      app.Check(duckdb_append_null(app.raw()), "fill");
      for (size_t k = 0; k < keys.size(); ++k) app.Check(duckdb_append_null(app.raw()), "fill key");
    } else {
      std::string fill = ",";
      for (uint32_t c : row.fill_columns) fill += std::to_string(c) + ",";
      app.Check(duckdb_append_varchar_length(app.raw(), fill.data(), fill.size()), "fill");
      for (size_t k = 0; k < keys.size(); ++k) AppendDatum(app, types[keys[k]], row.fill_key[k]);
    }
    app.EndRow();
  }
  app.Close();
  if (!any_fill) return;
  // Unchanged TOAST values the batch does not carry come from the current
  // warehouse row, read before the statements that follow change it. In a
  // batch applied in chunks that is the row as the previous chunks left it.
  std::set<uint32_t> fill_cols;
  for (const auto& row : rows) fill_cols.insert(row.fill_columns.begin(), row.fill_columns.end());
  for (uint32_t c : fill_cols) {
    std::string col = Ident(schema.columns[c].name);
    conn_.Query("UPDATE _wharf_up SET " + col + " = t." + col + " FROM " +
                (fill_from.empty() ? target : fill_from) + " t WHERE " +
                KeyMatch(schema, keys, "t", "_wharf_up", "_wharf_fk") +
                " AND contains(_wharf_up._wharf_fill, '," + std::to_string(c) + ",')");
  }
  if (copying) return;
  // Rows that wanted a value from a row the warehouse does not have.
  auto missing = conn_.Query("SELECT count(*) FROM _wharf_up WHERE _wharf_fill IS NOT NULL AND NOT EXISTS "
                             "(SELECT 1 FROM " + (fill_from.empty() ? target : fill_from) + " t WHERE " +
                             KeyMatch(schema, keys, "t", "_wharf_up", "_wharf_fk") + ")");
  if (uint64_t n = missing.GetUInt64(0, 0)) throw UnfilledToast{n};
}

void DuckDbWarehouse::StageMarks(const core::RelationSchema& schema,
                                 const std::vector<KeyMark>& marks) {
  auto types = TypesOf(schema);
  auto keys = KeyColumns(schema);
  std::string ddl = "CREATE OR REPLACE TEMP TABLE _wharf_mark (";
  for (size_t k : keys)
    ddl += Ident(schema.columns[k].name) + " " + DuckDbTypeName(types[k]) + ", ";
  conn_.Query(ddl + "_wharf_lsn BIGINT, _wharf_ts TIMESTAMPTZ)");
  Appender app(conn_.raw(), "temp", "main", "_wharf_mark");
  for (const auto& m : marks) {
    for (size_t k = 0; k < keys.size(); ++k) AppendDatum(app, types[keys[k]], m.key[k]);
    app.Check(duckdb_append_int64(app.raw(), static_cast<int64_t>(m.lsn.value())), "lsn");
    AppendTimestamp(app, m.ts, "ts");
    app.EndRow();
  }
  app.Close();
}

void DuckDbWarehouse::ApplyHistory(const core::TableName& table, const core::RelationSchema& schema,
                                   const TablePlan& plan, bool copying, std::vector<Reject>& rejects) {
  const std::string target = Qualified(table.schema, table.name);
  auto keys = KeyColumns(schema);
  std::string cols;
  for (const auto& c : schema.columns) cols += (cols.empty() ? "" : ", ") + Ident(c.name);
  const std::string wharf_cols =
      "\"_wharf_lsn\", \"_wharf_synced_at\", \"_wharf_op\", \"_wharf_seq\", \"_wharf_valid_from\", "
      "\"_wharf_valid_to\"";
  const std::string current = "t.\"_wharf_valid_to\" IS NULL";

  // 1. The chunk's versions, their unchanged TOAST columns filled from each
  //    key's latest version (current, or the tombstone a TRUNCATE left: a row
  //    copied again after a TRUNCATE can be updated before its copy lands).
  std::vector<ExtraColumn> extras = {
      {"_wharf_op", "VARCHAR",
       [](Appender& app, const PlannedRow& row) { AppendText(app, std::string(1, row.op), "op"); }},
      {"_wharf_seq", "BIGINT",
       [](Appender& app, const PlannedRow& row) {
         app.Check(duckdb_append_int64(app.raw(), row.seq), "seq");
       }},
      {"_wharf_valid_from", "TIMESTAMPTZ",
       [](Appender& app, const PlannedRow& row) { AppendTimestamp(app, row.ts, "valid_from"); }},
      {"_wharf_valid_to", "TIMESTAMPTZ",
       [](Appender& app, const PlannedRow& row) {
         if (row.valid_to)
           AppendTimestamp(app, *row.valid_to, "valid_to");
         else
           app.Check(duckdb_append_null(app.raw()), "valid_to");
       }},
  };
  std::string key_list;
  for (size_t k : keys) key_list += (key_list.empty() ? "" : ", ") + Ident(schema.columns[k].name);
  const std::string latest =
      "(SELECT * FROM " + target + " x WHERE EXISTS (SELECT 1 FROM _wharf_up u WHERE " +
      KeyMatch(schema, keys, "x", "u", "_wharf_fk") + ") QUALIFY row_number() OVER " +
      "(PARTITION BY " + key_list + " ORDER BY \"_wharf_lsn\" DESC, \"_wharf_seq\" DESC) = 1)";
  if (!plan.versions.empty()) StageRows(table, schema, plan.versions, extras, latest, copying, rejects);

  // 2. TRUNCATE (only ever first in a chunk): a tombstone for every current
  //    version, then every current version ends.
  if (plan.truncate) {
    StageMarks(schema, {{Key(keys.size()), plan.truncate_lsn, plan.truncate_ts}});
    std::string t_cols;
    for (const auto& c : schema.columns) t_cols += "t." + Ident(c.name) + ", ";
    conn_.Query("INSERT INTO " + target + " (" + cols + ", " + wharf_cols + ") SELECT " + t_cols +
                "m._wharf_lsn, now(), 'T', " + std::to_string(plan.truncate_seq) +
                ", m._wharf_ts, m._wharf_ts FROM " + target + " t, _wharf_mark m WHERE " + current);
    conn_.Query("UPDATE " + target +
                " t SET \"_wharf_valid_to\" = m._wharf_ts FROM _wharf_mark m WHERE " + current);
  }
  // 3. Current versions of keys the chunk changed end at their first change.
  if (!plan.marks.empty()) {
    StageMarks(schema, plan.marks);
    conn_.Query("UPDATE " + target +
                " t SET \"_wharf_valid_to\" = m._wharf_ts FROM _wharf_mark m WHERE " + current +
                " AND " + KeyMatch(schema, keys, "t", "m"));
  }
  // 4. The new versions.
  if (!plan.versions.empty()) {
    conn_.Query(
        "INSERT INTO " + target + " (" + cols + ", " + wharf_cols + ") SELECT " + cols +
        ", _wharf_lsn, now(), _wharf_op, _wharf_seq, _wharf_valid_from, _wharf_valid_to FROM "
        "_wharf_up");
  }
}

void DuckDbWarehouse::ApplyAppend(const core::TableName& table, const core::RelationSchema& schema,
                                  const TablePlan& plan, std::vector<Reject>& rejects) {
  // Nothing is ever rewritten: every change goes straight into the target.
  if (plan.versions.empty()) return;
  std::vector<ExtraColumn> extras = {
      {"_wharf_op", "",
       [](Appender& app, const PlannedRow& row) { AppendText(app, std::string(1, row.op), "op"); }},
      {"_wharf_seq", "",
       [](Appender& app, const PlannedRow& row) {
         app.Check(duckdb_append_int64(app.raw(), row.seq), "seq");
       }},
      {"_wharf_ts", "",
       [](Appender& app, const PlannedRow& row) { AppendTimestamp(app, row.ts, "ts"); }},
      {"_wharf_unchanged", "",
       [&schema](Appender& app, const PlannedRow& row) {
         if (row.fill_columns.empty()) {
           app.Check(duckdb_append_null(app.raw()), "unchanged");
           return;
         }
         AppendText(app, UnchangedColumnsJson(schema, row.fill_columns), "unchanged");
       }},
  };
  AppendInserts(table, schema, TypesOf(schema), KeyColumns(schema), plan.versions, rejects, extras);
}

}  // namespace wharf::load::duckdb
