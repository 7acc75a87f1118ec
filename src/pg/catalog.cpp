#include "pg/catalog.hpp"

#include <charconv>

#include "core/error.hpp"
#include "core/pg_types.hpp"

namespace wharf::pg {

namespace {
uint32_t ToU32(std::string_view s) {
  uint32_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
int32_t ToI32(std::string_view s) {
  int32_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
}  // namespace

std::vector<TableInfo> ListTables(Connection& conn) {
  auto r = conn.Exec(R"SQL(
    SELECT n.nspname, c.relname, c.oid, c.relkind, c.relreplident,
           EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
           EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_wharf')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
    ORDER BY 1, 2)SQL");
  std::vector<TableInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    TableInfo t;
    t.name = {std::string(r.Get(i, 0)), std::string(r.Get(i, 1))};
    t.oid = ToU32(r.Get(i, 2));
    t.relkind = r.Get(i, 3)[0];
    t.replica_identity = r.Get(i, 4)[0];
    t.has_primary_key = r.Get(i, 5) == "t";
    t.has_identity_index = r.Get(i, 6) == "t";
    out.push_back(std::move(t));
  }
  return out;
}

TypeResolver::Resolved TypeResolver::Resolve(Connection& conn, uint32_t type_oid, int32_t typmod) {
  // Built-in types (below FirstNormalObjectId) need no catalog trip.
  if (type_oid < 16384) return {type_oid, typmod};
  auto it = cache_.find(type_oid);
  if (it == cache_.end()) {
    // Walk down nested domains to the first non-domain type.
    auto r = conn.ExecParams(R"SQL(
      WITH RECURSIVE d(oid, typtype, typbasetype, typtypmod, depth) AS (
        SELECT oid, typtype, typbasetype, typtypmod, 0 FROM pg_type WHERE oid = $1::oid
        UNION ALL
        SELECT t.oid, t.typtype, t.typbasetype, t.typtypmod, d.depth + 1
        FROM pg_type t JOIN d ON t.oid = d.typbasetype WHERE d.typtype = 'd')
      SELECT oid, typtype,
             (SELECT typtypmod FROM d WHERE typtype = 'd' ORDER BY depth DESC LIMIT 1)
      FROM d ORDER BY depth DESC LIMIT 1)SQL",
                             {std::to_string(type_oid)});
    Resolved res{core::oid::kText, -1};
    if (r.rows() == 1) {
      uint32_t base = ToU32(r.Get(0, 0));
      char typtype = r.Get(0, 1)[0];
      int32_t domain_typmod = r.IsNull(0, 2) ? -1 : ToI32(r.Get(0, 2));
      if (typtype == 'b' && base < 16384) res = {base, domain_typmod};
    }
    it = cache_.emplace(type_oid, res).first;
  }
  Resolved out = it->second;
  if (out.typmod == -1 && out.oid != core::oid::kText) out.typmod = typmod;
  return out;
}

core::RelationSchema DescribeTable(Connection& conn, const TableInfo& table, TypeResolver& types) {
  auto r = conn.ExecParams(R"SQL(
    SELECT a.attname, a.atttypid, a.atttypmod,
           COALESCE(a.attnum = ANY (
             (SELECT i.indkey FROM pg_index i
              WHERE i.indrelid = a.attrelid
                AND (CASE c.relreplident WHEN 'i' THEN i.indisreplident ELSE i.indisprimary END)
              LIMIT 1)::int2[]), false)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    ORDER BY a.attnum)SQL",
                           {std::to_string(table.oid)});
  core::RelationSchema schema;
  schema.oid = table.oid;
  schema.table = table.name;
  schema.replica_identity = table.replica_identity;
  for (int i = 0; i < r.rows(); ++i) {
    core::Column col;
    col.name = std::string(r.Get(i, 0));
    auto resolved = types.Resolve(conn, ToU32(r.Get(i, 1)), ToI32(r.Get(i, 2)));
    col.type_oid = resolved.oid;
    col.typmod = resolved.typmod;
    col.is_key = r.Get(i, 3) == "t";
    schema.columns.push_back(std::move(col));
  }
  if (schema.columns.empty()) {
    Fail(ErrorKind::kSource, "table {} has no columns wharf can read", table.name.ToString());
  }
  return schema;
}

}  // namespace wharf::pg
