#include "capture/source_setup.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/nearest.hpp"

namespace wharf::capture {

void CheckServer(pg::Connection& conn, const core::SourceConfig& source) {
  if (conn.ServerVersion() < 140000) {
    Fail(ErrorKind::kUnsupported, "source {} runs PostgreSQL {}; wharf needs PostgreSQL 14 or later",
         source.name, conn.ServerVersion());
  }
  // Amazon RDS and Aurora grant replication through membership of
  // rds_replication instead of the REPLICATION attribute.
  auto r = conn.Exec(
      "SELECT current_setting('wal_level'), "
      "(SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) OR EXISTS ("
      "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
      "WHERE g.rolname = 'rds_replication' AND m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)), "
      "current_user");
  if (r.Get(0, 0) != "logical") {
    // The server's configuration: no retry heals it (exit 2).
    Fail(ErrorKind::kConfig,
         "source {}: wal_level is '{}', logical replication needs 'logical'\n  run ALTER SYSTEM SET "
         "wal_level = logical; then restart PostgreSQL (on a managed service: set the parameter "
         "rds.logical_replication = 1 or cloudsql.logical_decoding = on in its parameter group or flags)",
         source.name, r.Get(0, 0));
  }
  if (r.Get(0, 1) != "t") {
    std::string role = pg::QuoteIdent(std::string(r.Get(0, 2)));
    Fail(ErrorKind::kPermission,
         "source {}: role {} may not use replication\n  run ALTER ROLE {} REPLICATION; as a superuser "
         "(on Amazon RDS or Aurora: GRANT rds_replication TO {};) and allow replication connections "
         "for it in pg_hba.conf",
         source.name, role, role, role);
  }
}

namespace {

std::string HeldReason(const pg::TableInfo& t) {
  std::string table = pg::QuoteIdent(t.name.schema) + "." + pg::QuoteIdent(t.name.name);
  if (t.has_primary_key) {
    // A key is there; only the identity setting hides it from pgoutput.
    return fmt::format("REPLICA IDENTITY {}, so PostgreSQL sends no key for an UPDATE or DELETE although the "
                       "table has a primary key: run ALTER TABLE {} REPLICA IDENTITY DEFAULT; (or exclude it in "
                       "wharf.yaml). wharf copies it by itself once fixed",
                       t.replica_identity == 'n' ? "NOTHING" : "USING INDEX on a missing index", table);
  }
  return fmt::format("no primary key and REPLICA IDENTITY {}, so PostgreSQL cannot say which row "
                     "an UPDATE or DELETE changed: add a primary key, or run "
                     "ALTER TABLE {} REPLICA IDENTITY FULL; (or exclude it in wharf.yaml). "
                     "wharf copies it by itself once fixed",
                     t.replica_identity == 'n' ? "NOTHING" : "DEFAULT", table);
}

bool HasWildcard(const std::string& pattern) { return pattern.find_first_of("*?") != std::string::npos; }

// The tables nearest to `pattern` by name, for "did you mean".
std::string Suggest(const std::string& pattern, const std::vector<pg::TableInfo>& tables) {
  std::vector<std::string> names;
  for (const auto& t : tables) names.push_back(t.name.ToString());
  std::string bare = pattern;
  bare.erase(std::remove_if(bare.begin(), bare.end(), [](char c) { return c == '*' || c == '?'; }), bare.end());
  if (auto near = core::Nearest(bare, names, std::max<size_t>(3, bare.size() / 3))) return "; did you mean " + *near + "?";
  if (names.empty()) return "; the database has no tables outside the system schemas";
  std::string some;
  for (size_t i = 0; i < names.size() && i < 8; ++i) some += (i ? ", " : "") + names[i];
  return "; tables there include " + some + (names.size() > 8 ? ", ..." : "");
}

}  // namespace

void CheckTableNames(pg::Connection& conn, const core::SourceConfig& source) {
  auto tables = pg::ListTables(conn);
  for (const auto& pattern : source.tables) {
    if (HasWildcard(pattern)) continue;
    bool found = std::any_of(tables.begin(), tables.end(),
                             [&](const pg::TableInfo& t) { return core::TableSelected({pattern}, {}, t.name.schema, t.name.name); });
    if (!found) {
      Fail(ErrorKind::kConfig, "source {}: table {} in tables does not exist{}; fix the name in wharf.yaml",
           source.name, pattern, Suggest(pattern, tables));
    }
  }
}

Selection SelectTables(pg::Connection& conn, const core::SourceConfig& source) {
  Selection out;
  auto& selected = out.tables;
  auto all = pg::ListTables(conn);
  for (auto& t : all) {
    if (!core::TableSelected(source.tables, source.exclude, t.name.schema, t.name.name)) continue;
    if (!t.ReplicableIdentity()) {
      out.held.push_back({t.name.ToString(),
                          HeldReason(t)});
      continue;
    }
    selected.push_back(t);
  }
  if (selected.empty() && !out.held.empty()) {
    std::string all;
    for (auto& h : out.held) all += "\n  " + h.table + ": " + h.reason;
    Fail(ErrorKind::kUnsupported,
         "source {}: none of the {} selected table(s) can be replicated correctly:{}", source.name,
         out.held.size(), all);
  }
  if (selected.empty()) {
    std::string globs;
    for (auto& g : source.tables) globs += (globs.empty() ? "" : ", ") + g;
    Fail(ErrorKind::kConfig, "source {}: no table matches tables [{}]{}; check the globs (schema.table)",
         source.name, globs, Suggest(source.tables.empty() ? "" : source.tables.front(), all));
  }
  return out;
}

std::vector<pg::TableInfo> ExtraPublishedTables(pg::Connection& conn, const core::SourceConfig& source,
                                                const std::vector<pg::TableInfo>& selected) {
  auto r = conn.ExecParams(
      "SELECT DISTINCT c.oid FROM pg_publication p JOIN pg_publication_rel pr ON pr.prpubid = p.oid "
      "JOIN pg_class c ON c.oid = pr.prrelid WHERE p.pubname = $1",
      {source.publication});
  std::set<uint32_t> published;
  for (int i = 0; i < r.rows(); ++i) published.insert(static_cast<uint32_t>(std::stoul(std::string(r.Get(i, 0)))));
  std::set<uint32_t> have;
  for (const auto& t : selected) have.insert(t.oid);
  std::vector<pg::TableInfo> out;
  for (auto& t : pg::ListTables(conn))
    if (published.count(t.oid) && !have.count(t.oid) && t.ReplicableIdentity()) out.push_back(t);
  return out;
}

std::vector<std::string> LeafPartitions(pg::Connection& conn, uint32_t root_oid) {
  auto r = conn.ExecParams(
      "SELECT n.nspname || '.' || c.relname FROM pg_partition_tree($1::oid) p "
      "JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE p.isleaf ORDER BY 1",
      {std::to_string(root_oid)});
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Get(i, 0));
  return out;
}

void EnsurePublication(pg::Connection& conn, const core::SourceConfig& source,
                       const std::vector<pg::TableInfo>& tables) {
  auto pub = conn.ExecParams("SELECT pubviaroot FROM pg_publication WHERE pubname = $1",
                             {source.publication});
  auto table_list = [&](const std::vector<const pg::TableInfo*>& ts) {
    std::string out;
    for (auto* t : ts) {
      if (!out.empty()) out += ", ";
      out += pg::QuoteIdent(t->name.schema) + "." + pg::QuoteIdent(t->name.name);
    }
    return out;
  };
  if (pub.rows() == 0) {
    std::vector<const pg::TableInfo*> all;
    for (auto& t : tables) all.push_back(&t);
    conn.Exec("CREATE PUBLICATION " + pg::QuoteIdent(source.publication) + " FOR TABLE " +
              table_list(all) + " WITH (publish_via_partition_root = true)");
    spdlog::info("source {}: created publication {} with {} table(s)", source.name,
                 source.publication, tables.size());
    return;
  }
  auto existing = conn.ExecParams(
      "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1",
      {source.publication});
  std::set<std::pair<std::string, std::string>> have;
  for (int i = 0; i < existing.rows(); ++i)
    have.emplace(std::string(existing.Get(i, 0)), std::string(existing.Get(i, 1)));
  std::vector<const pg::TableInfo*> missing;
  for (auto& t : tables)
    if (!have.count({t.name.schema, t.name.name})) missing.push_back(&t);
  if (!missing.empty()) {
    conn.Exec("ALTER PUBLICATION " + pg::QuoteIdent(source.publication) + " ADD TABLE " +
              table_list(missing));
    spdlog::info("source {}: added {} table(s) to publication {}", source.name, missing.size(),
                 source.publication);
  }
}

}  // namespace wharf::capture
