#pragma once
// Relation schemas by OID, built from pgoutput Relation messages with types
// resolved through the catalog (domains to base types) and key flags taken
// from the primary key or identity index (pgoutput flags every column under
// REPLICA IDENTITY FULL, which is not the table's key).
#include <map>

#include "capture/pgoutput_messages.hpp"
#include "core/relation.hpp"
#include "pg/catalog.hpp"

namespace wharf::capture {

class RelationCache {
 public:
  // `catalog` is a normal (non-replication) connection to the same database;
  // it must outlive the cache.
  explicit RelationCache(pg::Connection& catalog) : catalog_(catalog) {}

  // Columns get their attnums from the catalog (capture/attnum_match); `previous` (may be null)
  // is the schema last staged for the relation, used when this cache has not seen it yet.
  const core::RelationSchema& Update(const RelationMsg& msg,
                                     const core::RelationSchema* previous = nullptr);
  // Throws kProtocol when a row message names a relation never described.
  const core::RelationSchema& Get(uint32_t oid) const;

 private:
  pg::Connection& catalog_;
  pg::TypeResolver types_;
  std::map<uint32_t, core::RelationSchema> relations_;
};

}  // namespace wharf::capture
