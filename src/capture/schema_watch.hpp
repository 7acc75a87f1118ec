#pragma once
// Watches the published tables' columns in the catalog, so that a schema change reaches the
// warehouse even when no row changes after it: pgoutput sends a Relation message only ahead of
// the next row change of the table, and an ALTER TABLE alone puts nothing decodable in the WAL.
//
// Flow: Poll() reads one fingerprint per table (one query; attributes, replica identity and key
// indexes) together with the WAL insert position P it was read at, and describes only the tables
// whose fingerprint moved. A schema read at P is staged (as an empty data file carrying the
// schema, which the loader applies like any other file's schema) once the stream has passed P
// (Due): every transaction that wrote to the table under the older schema committed before the
// ALTER (which holds an ACCESS EXCLUSIVE lock), so it is staged by then and the newer schema
// never overtakes rows written under the older one. When the stream has meanwhile staged a newer
// Relation message for the table (a commit after P), the catalog read is stale and dropped.
//
// The schemas last staged are kept in <source>/state/schemas.json, so a change made while wharf
// was stopped is staged after a restart, and pgoutput Relation messages get their attnums right
// (capture/attnum_match) even before the first one of a session.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/lsn.hpp"
#include "core/relation.hpp"
#include "pg/catalog.hpp"
#include "staging/object_store.hpp"

namespace wharf::capture {

class SchemaWatch {
 public:
  // `store` must outlive the watch.
  SchemaWatch(staging::ObjectStore& store, std::string source);

  // The schema last staged for relation `oid`, or null.
  const core::RelationSchema* Known(uint32_t oid) const;
  std::set<uint32_t> KnownOids() const;
  // `schema` is staged (a Relation message, or a catalog read) as of commit LSN `lsn`.
  void Staged(const core::RelationSchema& schema, Lsn lsn);

  // Reads the fingerprints of `oids` and describes the tables whose fingerprint changed since
  // the last poll (all of them on the first). A table never staged before only sets the baseline.
  void Poll(pg::Connection& conn, const std::vector<uint32_t>& oids, pg::TypeResolver& types);
  // Schemas read by Poll at or below `received` (the stream's position, nothing open) that differ
  // from what was last staged: the caller stages each and reports it with Staged().
  std::vector<std::pair<core::RelationSchema, Lsn>> Due(Lsn received);
  bool HasPending() const { return !pending_.empty(); }

  // Writes the record of staged schemas when it changed; call after a batch is durable.
  void Persist();

 private:
  struct Entry {
    core::RelationSchema schema;
    Lsn lsn;  // commit LSN it was staged at (0: before this wharf recorded it)
  };
  staging::ObjectStore& store_;
  std::string source_;
  std::map<uint32_t, Entry> known_;
  std::map<uint32_t, std::string> fingerprints_;
  std::map<uint32_t, Entry> pending_;  // catalog reads waiting for the stream to pass their LSN
  bool dirty_ = false;
};

}  // namespace wharf::capture
