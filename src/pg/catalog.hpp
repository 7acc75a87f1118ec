#pragma once
// Catalog queries against the source: which tables exist, their columns and
// replica identity, and the base types behind domains and enums.
#include <map>
#include <string>
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

// Resolves a type OID to the OID whose converter applies: domains to their
// base type (with the domain's typmod), enums and other user types to text.
class TypeResolver {
 public:
  struct Resolved {
    uint32_t oid;
    int32_t typmod;
  };
  Resolved Resolve(Connection& conn, uint32_t type_oid, int32_t typmod);

 private:
  std::map<uint32_t, Resolved> cache_;  // user type OID -> resolved (typmod -1 means keep column's)
};

// Columns in attnum order (dropped and generated ones omitted), key flags from
// the primary key or the replica identity index, types resolved.
core::RelationSchema DescribeTable(Connection& conn, const TableInfo& table, TypeResolver& types);

}  // namespace wharf::pg
