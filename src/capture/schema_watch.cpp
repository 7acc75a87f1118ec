#include "capture/schema_watch.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "staging/layout.hpp"
#include "staging/manifest.hpp"

namespace wharf::capture {

namespace {
constexpr const char* kStateName = "schemas";

// Everything DescribeTable reads, cheaply: names, types, dropped and missing-value flags of the
// attributes, the replica identity and the key indexes.
constexpr const char* kFingerprintSql = R"SQL(
  SELECT c.oid::text, md5(n.nspname || '.' || c.relname || ':' || c.relreplident::text || ':' ||
    coalesce((SELECT string_agg(a.attnum || ':' || a.attname || ':' || a.atttypid || ':' ||
                                a.atttypmod || ':' || a.attndims || ':' || a.attisdropped || ':' ||
                                a.atthasmissing || ':' || a.attgenerated::text, ',' ORDER BY a.attnum)
              FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0), '') || ':' ||
    coalesce((SELECT string_agg(i.indexrelid || ':' || i.indkey::text || ':' || i.indisprimary ||
                                ':' || i.indisreplident, ',' ORDER BY i.indexrelid)
              FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisreplident)),
             '')),
    pg_current_wal_insert_lsn()::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid = ANY ($1::oid[]))SQL";
}  // namespace

SchemaWatch::SchemaWatch(staging::ObjectStore& store, std::string source)
    : store_(store), source_(std::move(source)) {
  std::string path = staging::StatePath(source_, kStateName);
  if (!store_.Exists(path)) return;
  try {
    auto j = nlohmann::json::parse(store_.Read(path));
    for (const auto& e : j.at("relations")) {
      Entry entry{staging::RelationFromJson(e.at("relation")), Lsn(e.at("lsn").get<uint64_t>())};
      known_[entry.schema.oid] = std::move(entry);
    }
  } catch (const std::exception& e) {
    // Only a hint for attnums and changes made while stopped: start afresh from the catalog.
    spdlog::warn("capture {}: ignoring unreadable {} ({})", source_, path, e.what());
    known_.clear();
  }
}

const core::RelationSchema* SchemaWatch::Known(uint32_t oid) const {
  auto it = known_.find(oid);
  return it == known_.end() ? nullptr : &it->second.schema;
}

std::set<uint32_t> SchemaWatch::KnownOids() const {
  std::set<uint32_t> out;
  for (const auto& [oid, e] : known_) out.insert(oid);
  return out;
}

void SchemaWatch::Staged(const core::RelationSchema& schema, Lsn lsn) {
  auto& e = known_[schema.oid];
  if (e.schema == schema && e.lsn >= lsn) return;
  e.schema = schema;
  e.lsn = std::max(e.lsn, lsn);
  dirty_ = true;
}

void SchemaWatch::Poll(pg::Connection& conn, const std::vector<uint32_t>& oids,
                       pg::TypeResolver& types) {
  if (oids.empty()) return;
  std::string list = "{";
  for (size_t i = 0; i < oids.size(); ++i) list += (i ? "," : "") + std::to_string(oids[i]);
  auto r = conn.ExecParams(kFingerprintSql, {list + "}"});
  std::vector<std::pair<uint32_t, Lsn>> moved;
  for (int i = 0; i < r.rows(); ++i) {
    uint32_t oid = static_cast<uint32_t>(std::stoul(std::string(r.Get(i, 0))));
    std::string fp(r.Get(i, 1));
    auto& last = fingerprints_[oid];
    if (last == fp) continue;
    last = fp;
    moved.emplace_back(oid, Lsn::Parse(r.Get(i, 2)).value_or(Lsn()));
  }
  if (moved.empty()) return;
  std::map<uint32_t, pg::TableInfo> infos;
  for (auto& t : pg::ListTables(conn)) infos[t.oid] = t;
  for (auto [oid, at] : moved) {
    auto info = infos.find(oid);
    if (info == infos.end()) continue;  // dropped since: nothing to stage
    core::RelationSchema schema = pg::DescribeTable(conn, info->second, types);
    if (!known_.count(oid)) {
      // Never staged through the stream: the full load staged it as DescribeTable reads it.
      known_[oid] = {std::move(schema), at};
      dirty_ = true;
      continue;
    }
    pending_[oid] = {std::move(schema), at};
  }
}

std::vector<std::pair<core::RelationSchema, Lsn>> SchemaWatch::Due(Lsn received) {
  std::vector<std::pair<core::RelationSchema, Lsn>> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.lsn > received) {
      ++it;
      continue;
    }
    const auto& known = known_[it->first];
    // Stale when the stream staged a Relation message committed after the catalog read.
    if (!(known.lsn > it->second.lsn) && !(known.schema == it->second.schema)) {
      spdlog::info("capture {}: schema of {} changed in the catalog; staging it",
                   source_, it->second.schema.table.ToString());
      out.emplace_back(std::move(it->second.schema), it->second.lsn);
    }
    it = pending_.erase(it);
  }
  return out;
}

void SchemaWatch::Persist() {
  if (!dirty_) return;
  nlohmann::json rels = nlohmann::json::array();
  for (const auto& [oid, e] : known_)
    rels.push_back({{"relation", staging::RelationToJson(e.schema)}, {"lsn", e.lsn.value()}});
  store_.Put(staging::StatePath(source_, kStateName), nlohmann::json{{"relations", rels}}.dump(1));
  dirty_ = false;
}

}  // namespace wharf::capture
