#include "load/duckdb/duckdb_schema.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "load/duckdb/duckdb_types.hpp"

namespace wharf::load::duckdb {

namespace {

std::string Where(const core::TableName& t) {
  return "table_schema = " + Literal(t.schema) + " AND table_name = " + Literal(t.name);
}

std::string TableErrorSql(const core::TableName& target, const std::string& source, const std::string& reason,
                          uint64_t seq) {
  return "INSERT INTO _wharf.table_errors VALUES (" + Literal(target.schema) + ", " + Literal(target.name) + ", " +
         Literal(source) + ", " + Literal(reason) + ", " + std::to_string(seq) + ", now())";
}

}  // namespace

DuckDbSchemas::DuckDbSchemas(Connection& conn, const core::TargetConfig& config)
    : conn_(conn), config_(config) {
  conn_.Query(
      "CREATE TABLE IF NOT EXISTS _wharf.columns (table_schema VARCHAR, table_name VARCHAR, "
      "position INTEGER, column_name VARCHAR, attnum INTEGER, type_oid UBIGINT, typmod INTEGER, "
      "elem_oid UBIGINT, ndims INTEGER, dropped BOOLEAN)");
  conn_.Query(
      "CREATE TABLE IF NOT EXISTS _wharf.table_errors (table_schema VARCHAR, table_name VARCHAR, "
      "source VARCHAR, reason VARCHAR, batch_seq UBIGINT, errored_at TIMESTAMPTZ)");
}

std::vector<core::LogicalType> DuckDbSchemas::TypesOf(const core::RelationSchema& schema) const {
  std::vector<core::LogicalType> types;
  for (const auto& c : schema.columns) types.push_back(core::MapColumnType(c, config_.types));
  return types;
}

void DuckDbSchemas::RolledBack() {
  tables_.clear();
  touched_.clear();
}

std::map<std::string, std::string> DuckDbSchemas::Errors() {
  std::map<std::string, std::string> out;
  auto r = conn_.Query("SELECT table_schema, table_name, reason FROM _wharf.table_errors");
  for (uint64_t i = 0; i < r.rows(); ++i)
    out[*r.GetString(i, 0) + "." + *r.GetString(i, 1)] = r.GetString(i, 2).value_or("");
  return out;
}

void DuckDbSchemas::Stop(const std::string& source, uint64_t seq, const core::TableName& target,
                         const std::string& reason) {
  spdlog::error("load: {} stopped: {}", target.ToString(), reason);
  conn_.Query(TableErrorSql(target, source, reason, seq));
  auto it = tables_.find(target);
  if (it != tables_.end()) it->second.error = reason;
}

void DuckDbSchemas::RecordHeld(const std::string& source, const std::map<std::string, std::string>& held) {
  std::string sql = "BEGIN; DELETE FROM _wharf.table_errors WHERE source = " + Literal(source) + " AND batch_seq = 0;";
  for (const auto& [table, reason] : held) {
    auto dot = table.find('.');
    sql += " " + TableErrorSql({table.substr(0, dot), table.substr(dot + 1)}, source, reason, 0) + ";";
  }
  try {
    conn_.Query(sql + " COMMIT;");
  } catch (...) {
    conn_.Query("ROLLBACK");
    throw;
  }
}

DuckDbSchemas::Table* DuckDbSchemas::Load(const core::TableName& target,
                                          const core::RelationSchema& schema) {
  if (auto it = tables_.find(target); it != tables_.end()) return &it->second;
  auto physical = conn_.Query("SELECT column_name FROM information_schema.columns WHERE " +
                              Where(target) + " ORDER BY ordinal_position");
  if (physical.rows() == 0) return nullptr;
  Table t;
  auto r = conn_.Query(
      "SELECT column_name, attnum, type_oid, typmod, elem_oid, ndims, dropped FROM _wharf.columns "
      "WHERE " + Where(target) + " ORDER BY position");
  for (uint64_t i = 0; i < r.rows(); ++i) {
    WarehouseColumn w;
    w.name = *r.GetString(i, 0);
    w.attnum = static_cast<int32_t>(r.GetInt64(i, 1));
    w.source.type_oid = static_cast<uint32_t>(r.GetUInt64(i, 2));
    w.source.typmod = static_cast<int32_t>(r.GetInt64(i, 3));
    w.source.elem_oid = static_cast<uint32_t>(r.GetUInt64(i, 4));
    w.source.ndims = static_cast<int32_t>(r.GetInt64(i, 5));
    w.dropped = r.GetString(i, 6) == "true";
    w.type = core::MapColumnType(w.source, config_.types);
    t.columns.push_back(std::move(w));
  }
  if (t.columns.empty()) {
    // Made by a wharf that kept no record.
    std::vector<std::string> names;
    for (uint64_t i = 0; i < physical.rows(); ++i) names.push_back(*physical.GetString(i, 0));
    t.columns = ColumnsByName(names, schema, config_.types, true);
  }
  auto e = conn_.Query("SELECT reason FROM _wharf.table_errors WHERE " + Where(target));
  if (e.rows()) t.error = e.GetString(0, 0).value_or("");
  return &tables_.emplace(target, std::move(t)).first->second;
}

void DuckDbSchemas::Create(const core::TableName& target, const core::RelationSchema& schema,
                           LoadMode mode) {
  auto types = TypesOf(schema);
  std::string ddl = "CREATE TABLE " + Qualified(target.schema, target.name) + " (";
  for (size_t i = 0; i < schema.columns.size(); ++i)
    ddl += Ident(schema.columns[i].name) + " " + DuckDbTypeName(types[i]) + ", ";
  ddl += "\"_wharf_lsn\" BIGINT, \"_wharf_synced_at\" TIMESTAMPTZ";
  for (const auto& c : ModeColumns(mode)) ddl += ", " + Ident(c.name) + " " + c.type;
  ddl += ")";
  conn_.Query("CREATE SCHEMA IF NOT EXISTS " + Ident(target.schema));
  conn_.Query(ddl);
  spdlog::info("load: created {} ({} mode)", target.ToString(), ModeName(mode));
  SchemaPlan fresh = DiffSchema({}, schema, types, DroppedColumns::kKeep);
  SaveColumns(target, fresh.after);
  tables_[target] = Table{fresh.after, ""};
}

void DuckDbSchemas::Drop(const core::TableName& target) {
  conn_.Query("DROP TABLE IF EXISTS " + Qualified(target.schema, target.name));
  conn_.Query("DELETE FROM _wharf.columns WHERE " + Where(target));
  conn_.Query("DELETE FROM _wharf.table_errors WHERE " + Where(target));
  tables_.erase(target);
  touched_.erase(target);
}

bool DuckDbSchemas::Prepare(const std::string& source, uint64_t seq, const core::TableName& target,
                            const core::RelationSchema& schema, bool truncates, LoadMode mode) {
  Table* t = Load(target, schema);
  if (!t) {
    Create(target, schema, mode);
    return true;
  }
  auto types = TypesOf(schema);
  if (!t->error.empty()) {
    if (!truncates) return false;
    spdlog::info("load: {} is emptied by this batch (resync or TRUNCATE): created afresh, and "
                 "loading again", target.ToString());
    Drop(target);
    Create(target, schema, mode);
    return true;
  }
  SchemaPlan plan = DiffSchema(t->columns, schema, types,
                               config_.dropped_columns == "drop" ? DroppedColumns::kDrop
                                                                 : DroppedColumns::kKeep);
  if (!plan.error.empty()) {
    if (truncates) {
      // Everything the table will hold follows: no old value needs converting.
      spdlog::info("load: {}: {}; the batch empties the table, so it is created afresh",
                   target.ToString(), plan.error);
      Drop(target);
      Create(target, schema, mode);
      return true;
    }
    Stop(source, seq, target, StopReason(plan.error, seq, schema.table));
    return false;
  }
  if (!plan.steps.empty()) Apply(target, plan);
  if (plan.metadata_changed) {
    SaveColumns(target, plan.after);
    t->columns = plan.after;
  }
  return true;
}

void DuckDbSchemas::Apply(const core::TableName& target, const SchemaPlan& plan) {
  const std::string table = Qualified(target.schema, target.name);
  // What rows older than an added column hold, converted by wharf's converters into a one-row
  // temporary table (never DuckDB's cast of PostgreSQL text).
  std::map<size_t, std::string> fills;  // step index -> scalar subquery
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& s = plan.steps[i];
    if (s.kind != SchemaStep::Kind::kAdd || !s.fill) continue;
    std::string tmp = "_wharf_fill_" + std::to_string(i);
    conn_.Query("CREATE OR REPLACE TEMP TABLE " + tmp + " (v " + DuckDbTypeName(s.type) + ")");
    Appender app(conn_.raw(), "temp", "main", tmp);
    if (auto why = AppendDatum(app, s.type, s.fill)) {
      spdlog::warn("load: {}: the default '{}' of added column {} cannot be held by {} ({}); "
                   "existing rows get NULL", target.ToString(), *s.fill, s.column,
                   DuckDbTypeName(s.type), *why);
    }
    app.EndRow();
    app.Close();
    fills[i] = "(SELECT v FROM temp.main." + tmp + ")";
  }
  if (touched_.count(target)) {
    Rebuild(target, plan, fills);
  } else {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const auto& s = plan.steps[i];
      switch (s.kind) {
        case SchemaStep::Kind::kDrop:
          conn_.Query("ALTER TABLE " + table + " DROP COLUMN " + Ident(s.column));
          break;
        case SchemaStep::Kind::kRename:
          conn_.Query("ALTER TABLE " + table + " RENAME COLUMN " + Ident(s.column) + " TO " +
                      Ident(s.new_name));
          break;
        case SchemaStep::Kind::kAlterType:
          conn_.Query("ALTER TABLE " + table + " ALTER COLUMN " + Ident(s.column) + " TYPE " +
                      DuckDbTypeName(s.type));
          break;
        case SchemaStep::Kind::kAdd:
          conn_.Query("ALTER TABLE " + table + " ADD COLUMN " + Ident(s.column) + " " +
                      DuckDbTypeName(s.type));
          break;
      }
    }
    // Updates after every ALTER (an ALTER after an UPDATE would fail at commit).
    for (const auto& [i, value] : fills) {
      conn_.Query("UPDATE " + table + " SET " + Ident(plan.steps[i].column) + " = " + value);
      touched_.insert(target);
    }
  }
  for (const auto& s : plan.steps)
    spdlog::info("load: {}: {}", target.ToString(), DescribeStep(s, DuckDbTypeName(s.type)));
  for (const auto& [i, value] : fills) conn_.Query("DROP TABLE IF EXISTS temp.main._wharf_fill_" + std::to_string(i));
}

void DuckDbSchemas::Rebuild(const core::TableName& target, const SchemaPlan& plan,
                            const std::map<size_t, std::string>& fills) {
  struct Out {
    std::string expr, name;
  };
  std::vector<Out> cols;
  auto physical = conn_.Query("SELECT column_name FROM information_schema.columns WHERE " +
                              Where(target) + " ORDER BY ordinal_position");
  for (uint64_t i = 0; i < physical.rows(); ++i) {
    std::string name = *physical.GetString(i, 0);
    cols.push_back({Ident(name), name});
  }
  auto find = [&](const std::string& name) {
    for (size_t k = 0; k < cols.size(); ++k)
      if (FoldCase(cols[k].name) == FoldCase(name)) return k;
    Fail(ErrorKind::kInternal, "rebuilding {}: no column {}", target.ToString(), name);
  };
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& s = plan.steps[i];
    switch (s.kind) {
      case SchemaStep::Kind::kDrop:
        cols.erase(cols.begin() + static_cast<std::ptrdiff_t>(find(s.column)));
        break;
      case SchemaStep::Kind::kRename:
        cols[find(s.column)].name = s.new_name;
        break;
      case SchemaStep::Kind::kAlterType: {
        auto& c = cols[find(s.column)];
        c.expr = "CAST(" + c.expr + " AS " + DuckDbTypeName(s.type) + ")";
        break;
      }
      case SchemaStep::Kind::kAdd: {
        // Source columns before wharf's own, as a created table has them.
        size_t at = 0;
        while (at < cols.size() && !IsWharfColumn(cols[at].name)) ++at;
        auto fill = fills.find(i);
        std::string expr = "CAST(" + (fill != fills.end() ? fill->second : std::string("NULL")) +
                           " AS " + DuckDbTypeName(s.type) + ")";
        cols.insert(cols.begin() + static_cast<std::ptrdiff_t>(at), Out{expr, s.column});
        break;
      }
    }
  }
  std::string select;
  for (const auto& c : cols) select += (select.empty() ? "" : ", ") + c.expr + " AS " + Ident(c.name);
  const std::string rebuilt = "_wharf_rebuild_" + target.name;
  conn_.Query("CREATE TABLE " + Qualified(target.schema, rebuilt) + " AS SELECT " + select +
              " FROM " + Qualified(target.schema, target.name));
  conn_.Query("DROP TABLE " + Qualified(target.schema, target.name));
  conn_.Query("ALTER TABLE " + Qualified(target.schema, rebuilt) + " RENAME TO " + Ident(target.name));
  spdlog::info("load: {} rebuilt for its schema change (changed rows earlier in the batch)",
               target.ToString());
}

void DuckDbSchemas::SaveColumns(const core::TableName& target,
                                const std::vector<WarehouseColumn>& columns) {
  conn_.Query("DELETE FROM _wharf.columns WHERE " + Where(target));
  std::string values;
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    values += (values.empty() ? "" : ", ") + std::string("(") + Literal(target.schema) + ", " +
              Literal(target.name) + ", " + std::to_string(i) + ", " + Literal(c.name) + ", " +
              std::to_string(c.attnum) + ", " + std::to_string(c.source.type_oid) + ", " +
              std::to_string(c.source.typmod) + ", " + std::to_string(c.source.elem_oid) + ", " +
              std::to_string(c.source.ndims) + ", " + (c.dropped ? "true" : "false") + ")";
  }
  if (!values.empty()) conn_.Query("INSERT INTO _wharf.columns VALUES " + values);
}

}  // namespace wharf::load::duckdb
