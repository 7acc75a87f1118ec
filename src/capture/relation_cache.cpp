#include "capture/relation_cache.hpp"

#include <set>

#include "capture/attnum_match.hpp"
#include "core/error.hpp"

namespace wharf::capture {

const core::RelationSchema& RelationCache::Update(const RelationMsg& msg,
                                                  const core::RelationSchema* previous) {
  core::RelationSchema schema;
  schema.oid = msg.oid;
  schema.table = {msg.nspname, msg.relname};
  schema.replica_identity = msg.replica_identity;
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
  AssignAttnums(schema, pg::ReadAttributes(catalog_, msg.oid),
                slot.columns.empty() ? previous : &slot);
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
