#include "load/duckdb/duckdb_warehouse.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "core/error.hpp"
#include "core/fault.hpp"
#include "load/duckdb/duckdb_types.hpp"

namespace wharf::load::duckdb {

namespace {

std::string KeyText(const core::RelationSchema& schema, const std::vector<size_t>& keys,
                    const std::vector<core::Datum>& values) {
  std::string names, vals;
  for (size_t k : keys) {
    if (!names.empty()) {
      names += ",";
      vals += ",";
    }
    names += schema.columns[k].name;
    vals += values[k] ? *values[k] : "NULL";
  }
  return "(" + names + ")=(" + vals + ")";
}

std::vector<size_t> KeyColumns(const core::RelationSchema& schema) {
  auto keys = schema.KeyIndexes();
  if (keys.empty())
    for (size_t i = 0; i < schema.columns.size(); ++i) keys.push_back(i);
  return keys;
}

std::string KeyMatch(const core::RelationSchema& schema, const std::vector<size_t>& keys,
                     const std::string& left, const std::string& right,
                     const std::string& right_prefix = "") {
  std::string out;
  for (size_t k : keys) {
    if (!out.empty()) out += " AND ";
    out += left + "." + Ident(schema.columns[k].name) + " IS NOT DISTINCT FROM " + right + "." +
           Ident(right_prefix.empty() ? schema.columns[k].name
                                      : right_prefix + std::to_string(k));
  }
  return out;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

core::RelationSchema WarehouseSchema(const core::RelationSchema& source) {
  core::RelationSchema out = source;
  std::set<std::string> used = {"_wharf_lsn", "_wharf_synced_at"};
  for (auto& c : out.columns) {
    std::string name = c.name;
    for (int n = 2; used.count(Lower(name)); ++n) name = c.name + "_" + std::to_string(n);
    used.insert(Lower(name));
    c.name = name;
  }
  return out;
}

DuckDbWarehouse::DuckDbWarehouse(const std::string& path, const core::TargetConfig& config)
    : config_(config), db_(Database::Open(path, config.memory_limit)), conn_(db_.raw()) {
  conn_.Query("CREATE SCHEMA IF NOT EXISTS _wharf");
  conn_.Query(
      "CREATE TABLE IF NOT EXISTS _wharf.state (source VARCHAR, batch_seq UBIGINT, lsn UBIGINT, "
      "end_lsn UBIGINT, applied_at TIMESTAMPTZ)");
  conn_.Query(
      "CREATE TABLE IF NOT EXISTS _wharf.rejects (source VARCHAR, table_name VARCHAR, key VARCHAR, "
      "column_name VARCHAR, raw_text VARCHAR, reason VARCHAR, lsn UBIGINT, batch_seq UBIGINT, "
      "rejected_at TIMESTAMPTZ)");
}

std::vector<core::LogicalType> DuckDbWarehouse::TypesOf(const core::RelationSchema& schema) const {
  std::vector<core::LogicalType> types;
  for (const auto& c : schema.columns) types.push_back(core::MapPgType(c.type_oid, c.typmod, config_.types));
  return types;
}

uint64_t DuckDbWarehouse::AppliedSeq(const std::string& source) {
  auto r = conn_.Query("SELECT max(batch_seq) FROM _wharf.state WHERE source = " + Literal(source));
  return r.IsNull(0, 0) ? 0 : r.GetUInt64(0, 0);
}

std::vector<SourceProgress> DuckDbWarehouse::Progress() {
  auto r = conn_.Query(
      "SELECT source, batch_seq, lsn, end_lsn, strftime(applied_at AT TIME ZONE 'UTC', "
      "'%Y-%m-%dT%H:%M:%S.%fZ') FROM _wharf.state ORDER BY source");
  std::vector<SourceProgress> out;
  for (uint64_t i = 0; i < r.rows(); ++i) {
    out.push_back({*r.GetString(i, 0), r.GetUInt64(i, 1), Lsn(r.GetUInt64(i, 2)),
                   Lsn(r.GetUInt64(i, 3)), r.GetString(i, 4).value_or("")});
  }
  return out;
}

std::optional<uint64_t> DuckDbWarehouse::CountRows(const core::TableName& target) {
  auto exists = conn_.Query(
      "SELECT count(*) FROM information_schema.tables WHERE table_schema = " +
      Literal(target.schema) + " AND table_name = " + Literal(target.name));
  if (exists.GetInt64(0, 0) == 0) return std::nullopt;
  auto r = conn_.Query("SELECT count(*) FROM " + Qualified(target.schema, target.name));
  return r.GetUInt64(0, 0);
}

void DuckDbWarehouse::EnsureTable(const core::TableName& target, const core::RelationSchema& schema) {
  auto types = TypesOf(schema);
  auto it = known_columns_.find(target);
  if (it == known_columns_.end()) {
    std::set<std::string> cols;
    auto r = conn_.Query("SELECT column_name FROM information_schema.columns WHERE table_schema = " +
                         Literal(target.schema) + " AND table_name = " + Literal(target.name));
    for (uint64_t i = 0; i < r.rows(); ++i) cols.insert(Lower(*r.GetString(i, 0)));
    if (cols.empty()) {
      std::string ddl = "CREATE TABLE " + Qualified(target.schema, target.name) + " (";
      for (size_t i = 0; i < schema.columns.size(); ++i) {
        ddl += Ident(schema.columns[i].name) + " " + DuckDbTypeName(types[i]) + ", ";
        cols.insert(Lower(schema.columns[i].name));
      }
      ddl += "\"_wharf_lsn\" BIGINT, \"_wharf_synced_at\" TIMESTAMPTZ)";
      conn_.Query("CREATE SCHEMA IF NOT EXISTS " + Ident(target.schema));
      conn_.Query(ddl);
      cols.insert("_wharf_lsn");
      cols.insert("_wharf_synced_at");
      spdlog::info("load: created {}", target.ToString());
    }
    it = known_columns_.emplace(target, std::move(cols)).first;
  }
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    if (it->second.count(Lower(schema.columns[i].name))) continue;
    // A column added on the source: existing rows get NULL until they change.
    conn_.Query("ALTER TABLE " + Qualified(target.schema, target.name) + " ADD COLUMN " +
                Ident(schema.columns[i].name) + " " + DuckDbTypeName(types[i]));
    it->second.insert(Lower(schema.columns[i].name));
    spdlog::info("load: added column {} to {}", schema.columns[i].name, target.ToString());
  }
}

void DuckDbWarehouse::ApplyTable(const TableBatch& tb, std::vector<Reject>& rejects) {
  const core::RelationSchema schema = WarehouseSchema(tb.schema);
  const auto& plan = tb.plan;
  const std::string target = Qualified(tb.target.schema, tb.target.name);
  auto types = TypesOf(schema);
  auto keys = KeyColumns(schema);
  std::string cols;
  for (const auto& c : schema.columns) cols += (cols.empty() ? "" : ", ") + Ident(c.name);

  bool any_fill = false;
  if (!plan.upserts.empty()) {
    std::string ddl = "CREATE OR REPLACE TEMP TABLE _wharf_up (";
    for (size_t i = 0; i < schema.columns.size(); ++i)
      ddl += Ident(schema.columns[i].name) + " " + DuckDbTypeName(types[i]) + ", ";
    ddl += "_wharf_lsn BIGINT, _wharf_fill VARCHAR";
    for (size_t k : keys) ddl += ", _wharf_fk" + std::to_string(k) + " " + DuckDbTypeName(types[k]);
    conn_.Query(ddl + ")");
    Appender app(conn_.raw(), "temp", "main", "_wharf_up");
    for (const auto& row : plan.upserts) {
      for (size_t i = 0; i < schema.columns.size(); ++i) {
        if (auto why = AppendDatum(app, types[i], row.values[i])) {
          rejects.push_back({tb.target.ToString(), KeyText(schema, keys, row.values),
                             schema.columns[i].name, *row.values[i], *why, row.lsn});
        }
      }
      app.Check(duckdb_append_int64(app.raw(), static_cast<int64_t>(row.lsn.value())), "lsn");
      if (row.fill_columns.empty()) {
        app.Check(duckdb_append_null(app.raw()), "fill");
        for (size_t k = 0; k < keys.size(); ++k) app.Check(duckdb_append_null(app.raw()), "fill key");
      } else {
        any_fill = true;
        std::string fill = ",";
        for (uint32_t c : row.fill_columns) fill += std::to_string(c) + ",";
        app.Check(duckdb_append_varchar_length(app.raw(), fill.data(), fill.size()), "fill");
        for (size_t k = 0; k < keys.size(); ++k) AppendDatum(app, types[keys[k]], row.fill_key[k]);
      }
      app.EndRow();
    }
    app.Close();
    if (any_fill) {
      // Unchanged TOAST values the batch does not carry come from the current
      // warehouse row, read before that row is deleted below.
      std::set<uint32_t> fill_cols;
      for (const auto& row : plan.upserts) fill_cols.insert(row.fill_columns.begin(), row.fill_columns.end());
      for (uint32_t c : fill_cols) {
        std::string col = Ident(schema.columns[c].name);
        conn_.Query("UPDATE _wharf_up SET " + col + " = t." + col + " FROM " + target + " t WHERE " +
                    KeyMatch(schema, keys, "t", "_wharf_up", "_wharf_fk") +
                    " AND contains(_wharf_up._wharf_fill, '," + std::to_string(c) + ",')");
      }
    }
  }
  if (plan.truncate) conn_.Query("DELETE FROM " + target);
  if (!plan.deletes.empty()) {
    std::string ddl = "CREATE OR REPLACE TEMP TABLE _wharf_del (";
    for (size_t k = 0; k < keys.size(); ++k)
      ddl += (k ? ", " : "") + Ident(schema.columns[keys[k]].name) + " " + DuckDbTypeName(types[keys[k]]);
    conn_.Query(ddl + ")");
    Appender app(conn_.raw(), "temp", "main", "_wharf_del");
    for (const auto& key : plan.deletes) {
      for (size_t k = 0; k < keys.size(); ++k) AppendDatum(app, types[keys[k]], key[k]);
      app.EndRow();
    }
    app.Close();
    conn_.Query("DELETE FROM " + target + " t USING _wharf_del d WHERE " +
                KeyMatch(schema, keys, "t", "d"));
  }
  if (!plan.upserts.empty()) {
    conn_.Query("INSERT INTO " + target + " (" + cols + ", \"_wharf_lsn\", \"_wharf_synced_at\") SELECT " +
                cols + ", _wharf_lsn, now() FROM _wharf_up");
  }
}

void DuckDbWarehouse::Apply(const BatchApply& batch) {
  conn_.Query("BEGIN TRANSACTION");
  try {
    uint64_t applied = AppliedSeq(batch.source);
    if (batch.seq <= applied) {
      conn_.Query("ROLLBACK");
      return;
    }
    std::vector<Reject> rejects;
    for (const auto& t : batch.tables) {
      try {
        EnsureTable(t.target, WarehouseSchema(t.schema));
        ApplyTable(t, rejects);
        core::FaultPoint("load.mid_apply");
      } catch (Error& e) {
        throw e.AddContext("loading batch " + std::to_string(batch.seq) + " of source " +
                           batch.source + " into " + t.target.ToString());
      }
    }
    if (!rejects.empty()) {
      Appender app(conn_.raw(), "", "_wharf", "rejects");
      for (const auto& r : rejects) {
        for (const std::string* s : {&batch.source, &r.table, &r.key, &r.column, &r.raw, &r.reason})
          app.Check(duckdb_append_varchar_length(app.raw(), s->data(), s->size()), "reject");
        app.Check(duckdb_append_uint64(app.raw(), r.lsn.value()), "reject");
        app.Check(duckdb_append_uint64(app.raw(), batch.seq), "reject");
        app.Check(duckdb_append_null(app.raw()), "reject");
        app.EndRow();
      }
      app.Close();
      conn_.Query("UPDATE _wharf.rejects SET rejected_at = now() WHERE rejected_at IS NULL");
      spdlog::warn("load: batch {} of {}: {} value(s) could not be held by their warehouse type; "
                   "stored as NULL and listed in _wharf.rejects",
                   batch.seq, batch.source, rejects.size());
    }
    conn_.Query("DELETE FROM _wharf.state WHERE source = " + Literal(batch.source));
    conn_.Query("INSERT INTO _wharf.state VALUES (" + Literal(batch.source) + ", " +
                std::to_string(batch.seq) + ", " + std::to_string(batch.last_lsn.value()) + ", " +
                std::to_string(batch.end_lsn.value()) + ", now())");
    core::FaultPoint("load.before_commit");
    conn_.Query("COMMIT");
    core::FaultPoint("load.after_commit");
  } catch (...) {
    known_columns_.clear();
    try {
      conn_.Query("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

TableDiff DuckDbWarehouse::Compare(const core::TableName& target,
                                   const core::RelationSchema& source_schema,
                                   const RowProducer& source_rows, size_t sample_limit) {
  const core::RelationSchema schema = WarehouseSchema(source_schema);
  TableDiff diff;
  auto types = TypesOf(schema);
  auto keys = KeyColumns(schema);
  const std::string tgt = Qualified(target.schema, target.name);
  std::string ddl = "CREATE OR REPLACE TEMP TABLE _wharf_src (";
  for (size_t i = 0; i < schema.columns.size(); ++i)
    ddl += (i ? ", " : "") + Ident(schema.columns[i].name) + " " + DuckDbTypeName(types[i]);
  conn_.Query(ddl + ")");
  {
    Appender app(conn_.raw(), "temp", "main", "_wharf_src");
    source_rows([&](const std::vector<core::Datum>& row) {
      for (size_t i = 0; i < schema.columns.size(); ++i) AppendDatum(app, types[i], row[i]);
      app.EndRow();
      diff.source_rows++;
    });
    app.Close();
  }
  auto count = CountRows(target);
  if (!count) {
    diff.missing = diff.source_rows;
    diff.sample.push_back("table " + target.ToString() + " does not exist in the warehouse");
    return diff;
  }
  diff.warehouse_rows = *count;
  std::string key_list;
  for (size_t k : keys) key_list += (key_list.empty() ? "" : ", ") + Ident(schema.columns[k].name);
  auto key_text = [&](const std::string& alias) {
    std::string out;
    for (size_t k : keys) {
      out += std::string(out.empty() ? "" : " || ',' || ") + "coalesce(CAST(" + alias + "." +
             Ident(schema.columns[k].name) + " AS VARCHAR), 'NULL')";
    }
    return out;
  };
  std::string key_names;
  for (size_t k : keys) key_names += (key_names.empty() ? "" : ",") + schema.columns[k].name;
  std::string differs;
  for (const auto& c : schema.columns) {
    differs += (differs.empty() ? "" : " OR ") + std::string("s.") + Ident(c.name) +
               " IS DISTINCT FROM t." + Ident(c.name);
  }
  auto collect = [&](const std::string& label, const std::string& alias, const std::string& from_where,
                     uint64_t& counter) {
    auto n = conn_.Query("SELECT count(*) FROM " + from_where);
    counter = n.GetUInt64(0, 0);
    if (counter == 0) return;
    auto r = conn_.Query("SELECT " + key_text(alias) + " FROM " + from_where + " LIMIT " +
                         std::to_string(sample_limit));
    for (uint64_t i = 0; i < r.rows(); ++i)
      diff.sample.push_back(label + " (" + key_names + ")=(" + r.GetString(i, 0).value_or("") + ")");
  };
  collect("missing in warehouse:", "x",
          "_wharf_src x WHERE NOT EXISTS (SELECT 1 FROM " + tgt + " t WHERE " +
              KeyMatch(schema, keys, "t", "x") + ")",
          diff.missing);
  collect("not in source:", "x",
          tgt + " x WHERE NOT EXISTS (SELECT 1 FROM _wharf_src s WHERE " +
              KeyMatch(schema, keys, "s", "x") + ")",
          diff.extra);
  uint64_t duplicates = 0;
  collect("duplicated in warehouse:", "x",
          "(SELECT " + key_list + " FROM " + tgt + " GROUP BY ALL HAVING count(*) > 1) x",
          duplicates);
  diff.extra += duplicates;
  collect("different values:", "s",
          "_wharf_src s JOIN " + tgt + " t ON " + KeyMatch(schema, keys, "s", "t") + " WHERE " +
              differs,
          diff.different);
  conn_.Query("DROP TABLE IF EXISTS _wharf_src");
  return diff;
}

}  // namespace wharf::load::duckdb
