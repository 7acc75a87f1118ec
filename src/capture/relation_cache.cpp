#include "capture/relation_cache.hpp"

#include <chrono>
#include <set>
#include <thread>

#include "capture/attnum_match.hpp"
#include "core/error.hpp"

namespace wharf::capture {

namespace {

// Whether every column the message names is a live attribute of the catalog.
bool CatalogNamesAll(const std::vector<pg::Attribute>& attributes, const RelationMsg& msg) {
  std::set<std::string> live;
  for (const auto& a : attributes)
    if (!a.dropped) live.insert(a.name);
  for (const auto& c : msg.columns)
    if (!live.count(c.name)) return false;
  return true;
}

// The walsender may send a transaction's Relation message a moment before
// that transaction's commit is visible to other sessions (its commit record
// is in the WAL before the backend leaves the proc array), so a catalog read
// can still show the columns from before the transaction's DDL: attnums
// matched against those would be wrong. While a column the message names is
// missing, read again for up to a second; a column renamed again by a later
// transaction stays missing, and the matching then works as before.
std::vector<pg::Attribute> ReadAttributesOfMessage(pg::Connection& catalog, const RelationMsg& msg) {
  auto attributes = pg::ReadAttributes(catalog, msg.oid);
  for (int i = 0; i < 50 && !CatalogNamesAll(attributes, msg); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    attributes = pg::ReadAttributes(catalog, msg.oid);
  }
  return attributes;
}

}  // namespace

const core::RelationSchema& RelationCache::Update(const RelationMsg& msg,
                                                  const core::RelationSchema* previous) {
  core::RelationSchema schema;
  schema.oid = msg.oid;
  schema.table = {msg.nspname, msg.relname};
  schema.replica_identity = msg.replica_identity;
  // Read first: the key and type lookups below then see the same catalog.
  auto attributes = ReadAttributesOfMessage(catalog_, msg);
  std::set<std::string> keys;
  if (msg.replica_identity == 'f') {
    // Under FULL every column is flagged; the real key (if any) is in the catalog.
    auto r = catalog_.ExecParams(R"SQL(
      SELECT a.attname FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
      WHERE i.indrelid = $1::oid AND i.indisprimary)SQL",
                                 {std::to_string(msg.oid)});
    for (int i = 0; i < r.rows(); ++i) keys.insert(std::string(r.Get(i, 0)));
  }
  for (const auto& c : msg.columns) {
    // Resolved as DescribeTable resolves them (arrays with their element type and dimensions),
    // so streamed rows convert exactly as full-load rows do.
    core::Column col = types_.ResolveColumn(catalog_, msg.oid, c.name, c.type_oid, c.typmod);
    col.is_key = msg.replica_identity == 'f' ? keys.count(c.name) > 0 : (c.flags & 1) != 0;
    schema.columns.push_back(std::move(col));
  }
  auto& slot = relations_[msg.oid];
  AssignAttnums(schema, attributes, slot.columns.empty() ? previous : &slot);
  slot = std::move(schema);
  return slot;
}

const core::RelationSchema& RelationCache::Get(uint32_t oid) const {
  auto it = relations_.find(oid);
  if (it == relations_.end()) {
    Fail(ErrorKind::kProtocol, "pgoutput sent a row for relation {} before describing it", oid);
  }
  return it->second;
}

}  // namespace wharf::capture
