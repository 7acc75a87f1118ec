#include "validate/table_sql.hpp"

#include <fmt/format.h>

#include <map>

#include "load/duckdb/duckdb_handle.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"
#include "load/postgres/pg_sql.hpp"
#include "load/schema_diff.hpp"

namespace wharf::validate {
namespace {

std::string Ident(const std::string& name) { return load::duckdb::Ident(name); }  // the same in both dialects
std::string Literal(const std::string& text) { return load::duckdb::Literal(text); }

std::string From(const TableShape& s, bool source) {
  const auto& t = source ? s.source_table : s.target;
  return Ident(t.schema) + "." + Ident(t.name);
}

// The side's own condition (the mode's live rows) and `more`.
std::string Where(const TableShape& s, bool source, const std::string& more) {
  std::string w = source ? "" : s.warehouse_filter;
  if (!more.empty()) w += (w.empty() ? "" : " AND ") + ("(" + more + ")");
  return w.empty() ? "" : " WHERE " + w;
}

Dialect DialectOf(const TableShape& s, bool source) { return source ? Dialect::kPostgres : s.warehouse; }

const std::string& Canon(const TableShape& s, size_t i, bool source) {
  return source ? s.columns[i].source : s.columns[i].warehouse;
}

std::string RowHash(const TableShape& s, bool source) {
  std::vector<HashTerm> terms;
  for (const auto& c : s.columns) terms.push_back(source ? c.source_hash : c.warehouse_hash);
  return RowHashSql(terms, DialectOf(s, source));
}

std::string KeyColumns(const TableShape& s, bool source) {
  std::string out;
  for (size_t k : s.key) out += (out.empty() ? "" : ", ") + Canon(s, k, source);
  return out;
}

}  // namespace

TableShape MakeShape(const core::RelationSchema& schema, const core::TableName& target,
                     const std::vector<std::string>& warehouse_columns, load::LoadMode mode,
                     const core::TypeOptions& types, Dialect warehouse) {
  TableShape s;
  s.source_table = schema.table;
  s.target = target;
  s.warehouse = warehouse;
  const bool duck = warehouse == Dialect::kDuckDb;
  const core::RelationSchema named =
      duck ? load::duckdb::WarehouseSchema(schema) : load::postgres::WarehouseSchema(schema);
  // DuckDB matches names case-insensitively; PostgreSQL exactly.
  std::map<std::string, std::string> present;
  for (const auto& c : warehouse_columns) present[duck ? load::FoldCase(c) : c] = c;
  s.warehouse_lsn = present.count("_wharf_lsn") > 0;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const auto& c = schema.columns[i];
    s.names.push_back(c.name);
    s.types.push_back(core::MapColumnType(c, duck ? types : core::TypeOptions{}));
    auto it = present.find(duck ? load::FoldCase(named.columns[i].name) : named.columns[i].name);
    const bool has = it != present.end();
    if (!has) s.absent.push_back(c.name);
    s.warehouse_refs.push_back(has ? Ident(it->second) : "");
    auto canon = CanonicalColumn(c, s.types.back(), warehouse, Ident(c.name), has ? Ident(it->second) : "NULL");
    if (!has) {
      canon.warehouse = "CAST(NULL AS VARCHAR)";
      canon.warehouse_hash = {canon.warehouse, HashInput::kText};
    }
    s.columns.push_back(std::move(canon));
    if (c.is_key) s.key.push_back(i);
  }
  if (mode == load::LoadMode::kSoftDelete) s.warehouse_filter = "NOT \"_wharf_deleted\"";
  if (mode == load::LoadMode::kHistory) s.warehouse_filter = "\"_wharf_valid_to\" IS NULL";
  return s;
}

std::vector<KeyPart> ChunkKey(const TableShape& s) {
  std::vector<KeyPart> out;
  for (size_t k : s.key) {
    KeyPart p;
    p.type = s.types[k];
    p.native = OrdersNatively(p.type) && !s.warehouse_refs[k].empty();
    if (p.native) {
      p.source = Ident(s.names[k]);
      p.warehouse = s.warehouse_refs[k];
    } else {
      p.source = "(" + s.columns[k].source + ") COLLATE \"C\"";
      p.warehouse = s.warehouse == Dialect::kDuckDb ? s.columns[k].warehouse
                                                    : "(" + s.columns[k].warehouse + ") COLLATE \"C\"";
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string PagesSql(const TableShape&, uint32_t oid) {
  // A partitioned table's own size is 0 and its tree lists its partitions; a
  // plain table's tree is empty.
  return fmt::format(
      "SELECT ((SELECT coalesce(sum(pg_relation_size(relid)), 0) FROM pg_partition_tree({0}::oid)) + "
      "pg_relation_size({0}::oid))::bigint / current_setting('block_size')::bigint",
      oid);
}

std::string KeySampleSql(const TableShape& s, const std::vector<KeyPart>& key, double percent) {
  std::string values, order;
  for (size_t i = 0; i < key.size(); ++i) {
    size_t k = s.key[i];
    // Aliased: ORDER BY "id" would otherwise name the output column "id",
    // the key's text, and sort 10 before 9.
    values += (i ? ", " : "") + (key[i].native ? Ident(s.names[k]) + "::text" : s.columns[k].source) +
              " AS _wharf_k" + std::to_string(i);
    order += (i ? ", " : "") + key[i].source;
  }
  return fmt::format("SELECT {} FROM {} TABLESAMPLE SYSTEM ({}) ORDER BY {}", values, From(s, true), percent,
                     order);
}

std::string SampleCountSql(const TableShape& s, double percent) {
  return fmt::format("SELECT count(*) FROM {} TABLESAMPLE SYSTEM ({})", From(s, true), percent);
}

std::string ChunkSumsSql(const TableShape& s, bool source, const std::string& chunk_of_row, size_t buckets,
                         const std::string& where) {
  const std::string rows = "SELECT " + (s.keyless() ? std::string("0") : chunk_of_row) +
                           " AS _wharf_chunk, " + RowHash(s, source) + " AS _wharf_h FROM " + From(s, source) +
                           Where(s, source, where);
  const std::string chunk = s.keyless() ? BucketSql("_wharf_h", buckets) : "_wharf_chunk";
  return "SELECT " + chunk + ", count(*), CAST(sum(_wharf_h) AS VARCHAR) FROM (" + rows +
         ") AS _wharf_rows GROUP BY 1";
}

std::string KeyHashesSql(const TableShape& s, bool source, const std::string& chunk_where) {
  std::string lsn = !source && s.warehouse_lsn ? ", CAST(\"_wharf_lsn\" AS VARCHAR)" : "";
  return "SELECT " + KeyColumns(s, source) + ", CAST(" + RowHash(s, source) + " AS VARCHAR)" + lsn + " FROM " +
         From(s, source) + Where(s, source, chunk_where);
}

std::string RowsSql(const TableShape& s, bool source, const std::string& chunk_where,
                    const std::vector<std::vector<std::string>>& keys) {
  std::string match;
  for (const auto& key : keys) {
    std::string one;
    for (size_t i = 0; i < s.key.size(); ++i)
      one += (i ? " AND " : "") + Canon(s, s.key[i], source) + " = " + Literal(key[i]);
    match += (match.empty() ? "(" : " OR (") + one + ")";
  }
  std::string cols;
  for (size_t i = 0; i < s.columns.size(); ++i) cols += ", " + Canon(s, i, source);
  return "SELECT " + KeyColumns(s, source) + cols + " FROM " + From(s, source) +
         Where(s, source, chunk_where + " AND (" + (match.empty() ? "false" : match) + ")");
}

std::string BucketRowsSql(const TableShape& s, bool source, size_t bucket, size_t buckets) {
  std::string inner = "SELECT " + RowHash(s, source) + " AS _wharf_h";
  std::string group = "_wharf_h", cols;
  for (size_t i = 0; i < s.columns.size(); ++i) {
    std::string alias = "_wharf_c" + std::to_string(i);
    inner += ", " + Canon(s, i, source) + " AS " + alias;
    group += ", " + alias;
    cols += ", " + alias;
  }
  inner += " FROM " + From(s, source) + Where(s, source, "");
  return "SELECT CAST(_wharf_h AS VARCHAR), count(*)" + cols + " FROM (" + inner + ") AS _wharf_rows WHERE " +
         BucketSql("_wharf_h", buckets) + " = " + std::to_string(bucket) + " GROUP BY " + group;
}

std::string CtidRangeSql(uint64_t first, uint64_t last) {
  std::string out = fmt::format("ctid >= '({},0)'::tid", first);
  if (last) out += fmt::format(" AND ctid < '({},0)'::tid", last);
  return out;
}

}  // namespace wharf::validate
