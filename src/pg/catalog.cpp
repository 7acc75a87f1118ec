#include "pg/catalog.hpp"

#include <algorithm>
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

namespace {
// OIDs below FirstGenbkiObjectId are assigned by hand in PostgreSQL's pg_type.dat and fixed
// across releases; everything above (information_schema's domains included) is looked up.
constexpr uint32_t kFirstGenbkiObjectId = 10000;
// A user array's element resolving to another array would be an array of arrays, which
// PostgreSQL does not have; the bound only keeps a corrupt catalog from recursing forever.
constexpr int kMaxResolveDepth = 4;

TypeResolver::Resolved Text() { return {core::oid::kText, -1, 0, 0}; }

// A built-in type: an array when it is one of the built-in array types.
TypeResolver::Resolved Builtin(uint32_t type_oid, int32_t typmod, int32_t ndims) {
  if (const uint32_t element = core::BuiltinArrayElement(type_oid); element != 0) {
    return {type_oid, typmod, element, ndims};
  }
  return {type_oid, typmod, 0, 0};
}
}  // namespace

TypeResolver::Resolved TypeResolver::ResolveUserType(Connection& conn, uint32_t type_oid,
                                                     int depth) {
  if (type_oid < kFirstGenbkiObjectId) return Builtin(type_oid, -1, 0);
  if (auto it = cache_.find(type_oid); it != cache_.end()) return it->second;
  if (depth > kMaxResolveDepth) return Text();

  // Walk down nested domains to the first non-domain type; keep the innermost domain's typmod
  // (only a domain over a base type can carry one) and the largest typndims (a domain over
  // int[][] records 2).
  auto r = conn.ExecParams(R"SQL(
    WITH RECURSIVE d(oid, typtype, typbasetype, typtypmod, typndims, depth) AS (
      SELECT oid, typtype, typbasetype, typtypmod, typndims, 0 FROM pg_type WHERE oid = $1::oid
      UNION ALL
      SELECT t.oid, t.typtype, t.typbasetype, t.typtypmod, t.typndims, d.depth + 1
      FROM pg_type t JOIN d ON t.oid = d.typbasetype WHERE d.typtype = 'd')
    SELECT b.oid, b.typtype, b.typcategory, b.typelem, b.typlen = -1, e.typdelim,
           (SELECT typtypmod FROM d WHERE typtype = 'd' ORDER BY depth DESC LIMIT 1),
           (SELECT max(typndims) FROM d WHERE typtype = 'd')
    FROM d JOIN pg_type b ON b.oid = d.oid LEFT JOIN pg_type e ON e.oid = b.typelem
    ORDER BY d.depth DESC LIMIT 1)SQL",
                           {std::to_string(type_oid)});
  Resolved res = Text();
  if (r.rows() == 1) {
    const uint32_t base = ToU32(r.Get(0, 0));
    const char typtype = r.Get(0, 1)[0];
    const char typcategory = r.Get(0, 2)[0];
    const uint32_t typelem = ToU32(r.Get(0, 3));
    const bool varlena = r.Get(0, 4) == "t";  // true arrays are; fixed-length subscriptables not
    const char element_delimiter = r.IsNull(0, 5) ? ',' : r.Get(0, 5)[0];
    const int32_t domain_typmod = r.IsNull(0, 6) ? -1 : ToI32(r.Get(0, 6));
    const int32_t domain_ndims = r.IsNull(0, 7) ? 0 : ToI32(r.Get(0, 7));
    if (base < kFirstGenbkiObjectId) {
      // A domain over a built-in type or a built-in array; ranges and the like map to text.
      res = Builtin(base, domain_typmod, domain_ndims);
    } else if (typtype == 'b' && typcategory == 'A' && typelem != 0 && varlena) {
      // A user array (of an enum, a domain, a composite, ...): its element resolves like a
      // column type would. An element that is itself an array, or whose text uses another
      // delimiter than the resolved element's would, stays text: lossless, if not a LIST.
      const Resolved element = ResolveUserType(conn, typelem, depth + 1);
      if (element.elem_oid == 0 && element_delimiter == core::ArrayDelimiter(element.oid)) {
        const uint32_t array_oid = core::BuiltinArrayOf(element.oid);
        res = {array_oid != 0 ? array_oid : base,
               element.typmod != -1 ? element.typmod : domain_typmod, element.oid, domain_ndims};
      }
    }
  }
  cache_.emplace(type_oid, res);
  return res;
}

TypeResolver::Resolved TypeResolver::Resolve(Connection& conn, uint32_t type_oid, int32_t typmod) {
  // Built-in types need no catalog trip.
  Resolved out = type_oid < kFirstGenbkiObjectId ? Builtin(type_oid, -1, 0)
                                                 : ResolveUserType(conn, type_oid, 0);
  // An array's typmod is its element's (numeric(10,2)[] carries (10,2)), so this holds for both.
  if (out.typmod == -1 && out.oid != core::oid::kText) out.typmod = typmod;
  return out;
}

core::Column TypeResolver::ResolveColumn(Connection& conn, uint32_t relid, const std::string& name,
                                         uint32_t type_oid, int32_t typmod,
                                         std::optional<int32_t> attndims) {
  const Resolved resolved = Resolve(conn, type_oid, typmod);
  core::Column col;
  col.name = name;
  col.type_oid = resolved.oid;
  col.typmod = resolved.typmod;
  if (resolved.elem_oid == 0) return col;

  if (!attndims) {
    auto r = conn.ExecParams(
        "SELECT attndims FROM pg_attribute WHERE attrelid = $1::oid AND attname = $2 "
        "AND NOT attisdropped",
        {std::to_string(relid), name});
    attndims = r.rows() == 1 ? ToI32(r.Get(0, 0)) : 0;
  }
  col.elem_oid = resolved.elem_oid;
  // attndims is 0 for a column of a domain type and after CREATE TABLE AS; the domain's typndims
  // then says, or else 1. PostgreSQL enforces neither, so values are checked one by one.
  const int32_t declared = *attndims > 0 ? *attndims : resolved.ndims > 0 ? resolved.ndims : 1;
  col.ndims = std::clamp(declared, 1, core::kMaxArrayDims);
  return col;
}

uint64_t EstimateRows(Connection& conn, uint32_t table_oid) {
  // Catalog and statistics only: pg_total_relation_size() would take a lock
  // on the table and wait behind an application's ACCESS EXCLUSIVE lock,
  // stalling capture's loop (and its status updates) with it.
  auto r = conn.ExecParams(
      "SELECT CASE WHEN reltuples > 0 THEN reltuples::int8 "
      "ELSE greatest(pg_stat_get_live_tuples(oid), relpages::int8 * 80) END FROM pg_class WHERE oid = $1::oid",
      {std::to_string(table_oid)});
  return r.rows() ? std::stoull(std::string(r.Get(0, 0))) : 0;
}

std::vector<Attribute> ReadAttributes(Connection& conn, uint32_t table_oid) {
  auto r = conn.ExecParams(
      "SELECT a.attnum, a.attname, a.attisdropped, a.attgenerated <> '', " +
          std::string(kMissingValueSql) +
          " FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 ORDER BY a.attnum",
      {std::to_string(table_oid)});
  std::vector<Attribute> out;
  for (int i = 0; i < r.rows(); ++i) {
    Attribute a;
    a.attnum = ToI32(r.Get(i, 0));
    a.name = std::string(r.Get(i, 1));
    a.dropped = r.Get(i, 2) == "t";
    a.generated = r.Get(i, 3) == "t";
    if (!r.IsNull(i, 4)) a.missing = std::string(r.Get(i, 4));
    out.push_back(std::move(a));
  }
  return out;
}

core::RelationSchema DescribeTable(Connection& conn, const TableInfo& table, TypeResolver& types) {
  auto r = conn.ExecParams(R"SQL(
    SELECT a.attname, a.atttypid, a.atttypmod,
           COALESCE(a.attnum = ANY (
             (SELECT i.indkey FROM pg_index i
              WHERE i.indrelid = a.attrelid
                AND (CASE c.relreplident WHEN 'i' THEN i.indisreplident ELSE i.indisprimary END)
              LIMIT 1)::int2[]), false),
           a.attndims, a.attnum, )SQL" + std::string(kMissingValueSql) + R"SQL(
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    ORDER BY a.attnum)SQL",
                           {std::to_string(table.oid)});
  core::RelationSchema schema;
  schema.oid = table.oid;
  schema.table = table.name;
  schema.replica_identity = table.replica_identity;
  for (int i = 0; i < r.rows(); ++i) {
    core::Column col =
        types.ResolveColumn(conn, table.oid, std::string(r.Get(i, 0)), ToU32(r.Get(i, 1)),
                            ToI32(r.Get(i, 2)), ToI32(r.Get(i, 4)));
    col.is_key = r.Get(i, 3) == "t";
    col.attnum = ToI32(r.Get(i, 5));
    if (!r.IsNull(i, 6)) col.missing = std::string(r.Get(i, 6));
    schema.columns.push_back(std::move(col));
  }
  if (schema.columns.empty()) {
    Fail(ErrorKind::kSource, "table {} has no columns wharf can read", table.name.ToString());
  }
  return schema;
}

}  // namespace wharf::pg
