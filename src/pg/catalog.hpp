#pragma once
// Catalog queries against the source: which tables exist, their columns and
// replica identity, and the base types behind domains and enums.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/relation.hpp"
#include "pg/connection.hpp"

namespace wharf::pg {

struct TableInfo {
  core::TableName name;
  uint32_t oid = 0;
  char relkind = 'r';
  char replica_identity = 'd';
  bool has_primary_key = false;
  bool has_identity_index = false;
  // True when pgoutput can send old keys for UPDATE/DELETE: a primary key under
  // REPLICA IDENTITY DEFAULT, an identity index, or FULL.
  bool ReplicableIdentity() const {
    return replica_identity == 'f' || (replica_identity == 'd' && has_primary_key) ||
           (replica_identity == 'i' && has_identity_index);
  }
};

// Ordinary and partitioned tables outside the system schemas (partitions are
// reached through their root).
std::vector<TableInfo> ListTables(Connection& conn);

// Resolves a column's type to the built-in type whose converter applies: domains to their base
// type (with the domain's typmod), enums, composites and other user types to text, and arrays
// (built-in ones, user ones such as an array of an enum or of a domain, and domains over arrays)
// to their resolved element type. One resolver per catalog connection; it caches by type OID.
class TypeResolver {
 public:
  struct Resolved {
    uint32_t oid = 0;       // built-in type; for an array, the array type of elem_oid
    int32_t typmod = -1;    // from a domain; -1 means the column's own typmod applies
    uint32_t elem_oid = 0;  // arrays: the resolved built-in element type; 0 for scalars
    int32_t ndims = 0;      // arrays: the dimensions a domain over the array declares, else 0
  };
  Resolved Resolve(Connection& conn, uint32_t type_oid, int32_t typmod);

  // A column as wharf converts it (is_key left false). `attndims` is pg_attribute.attndims;
  // without it, it is read from the catalog by table OID and column name when the type is an
  // array (pgoutput's Relation message does not carry it).
  core::Column ResolveColumn(Connection& conn, uint32_t relid, const std::string& name,
                             uint32_t type_oid, int32_t typmod,
                             std::optional<int32_t> attndims = std::nullopt);

 private:
  Resolved ResolveUserType(Connection& conn, uint32_t type_oid, int depth);

  std::map<uint32_t, Resolved> cache_;  // type OID at or above 10000 -> resolved
};

// Rows a table holds, as the planner estimates them; a never-analysed table
// (no reltuples yet) is guessed from its size on disk.
uint64_t EstimateRows(Connection& conn, uint32_t table_oid);

// The value of pg_attribute `a`'s attmissingval as text (NULL when it has none): a one-element
// array in the column's type, read through text[] (its output quotes the element as text[]
// expects). An element the text[] reading splits (a box value: its delimiter is ';') gives NULL.
inline constexpr std::string_view kMissingValueSql =
    "CASE WHEN a.atthasmissing THEN (SELECT CASE WHEN array_length(m, 1) = 1 THEN m[1] END "
    "FROM (SELECT a.attmissingval::text::text[] AS m) s) END";

// Every attribute of a table (attnum > 0), dropped ones included, in attnum order.
struct Attribute {
  int32_t attnum = 0;
  std::string name;  // a dropped column's is "........pg.dropped.N........"
  bool dropped = false;
  bool generated = false;  // pgoutput does not send generated columns
  std::optional<std::string> missing;  // see core::Column::missing
};
std::vector<Attribute> ReadAttributes(Connection& conn, uint32_t table_oid);

// Columns in attnum order (dropped and generated ones omitted), key flags from
// the primary key or the replica identity index, types resolved.
core::RelationSchema DescribeTable(Connection& conn, const TableInfo& table, TypeResolver& types);

}  // namespace wharf::pg
