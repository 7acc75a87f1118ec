// wharf doctor -c wharf.yaml: every prerequisite checked, each failure printed
// with its fix. Exit 0 when nothing failed (warnings allowed), 1 otherwise.
#include <fmt/format.h>

#include <unistd.h>

#include <filesystem>

#include "capture/source_setup.hpp"
#include "cli/commands.hpp"
#include "pipeline/start_checks.hpp"
#include "core/error.hpp"
#include "core/glob.hpp"
#include "load/warehouse.hpp"
#include "pg/catalog.hpp"
#include "pg/connection.hpp"
#include "staging/object_store.hpp"

namespace wharf::cli {

namespace {

class Report {
 public:
  void Ok(const std::string& what) { fmt::print("  ok    {}\n", what); }
  void Warn(const std::string& what, const std::string& fix) {
    fmt::print("  warn  {}\n        {}\n", what, fix);
    ++warnings;
  }
  void Bad(const std::string& what, const std::string& fix) {
    fmt::print("  FAIL  {}\n        {}\n", what, fix);
    ++failures;
  }
  void Check(bool ok, const std::string& what, const std::string& fix) { ok ? Ok(what) : Bad(what, fix); }
  int failures = 0, warnings = 0;
};

std::string One(pg::Connection& conn, const std::string& sql) {
  auto r = conn.Exec(sql);
  return r.rows() ? std::string(r.Get(0, 0)) : std::string();
}

void CheckServerSettings(pg::Connection& conn, Report& report) {
  int version = conn.ServerVersion();
  report.Check(version >= 140000, fmt::format("PostgreSQL {}.{}", version / 10000, version % 10000),
               "wharf needs PostgreSQL 14 or later: upgrade the source");
  std::string wal = One(conn, "SELECT current_setting('wal_level')");
  report.Check(wal == "logical", "wal_level is " + wal,
               "run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL (managed services: the "
               "logical replication parameter, e.g. rds.logical_replication = 1)");
  auto role = conn.Exec(
      "SELECT r.rolreplication OR r.rolsuper OR EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = "
      "m.roleid WHERE m.member = r.oid AND g.rolname IN ('rds_replication', 'cloudsqlsuperuser', "
      "'azure_pg_admin')), current_user FROM pg_roles r WHERE r.rolname = current_user");
  report.Check(std::string(role.Get(0, 0)) == "t", "role " + std::string(role.Get(0, 1)) + " may use replication",
               fmt::format("run ALTER ROLE {} REPLICATION; and allow replication connections for it in pg_hba.conf",
                           pg::QuoteIdent(role.Get(0, 1))));
}

void CheckSlotAndSenders(pg::Connection& conn, const core::SourceConfig& s, bool guard_drops, Report& report) {
  auto r = conn.ExecParams(
      "SELECT current_setting('max_replication_slots')::int, (SELECT count(*) FROM pg_replication_slots), "
      "EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1), "
      "current_setting('max_wal_senders')::int, (SELECT count(*) FROM pg_stat_replication), "
      "(SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) FROM pg_replication_slots "
      "WHERE slot_name = $1), (SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1), "
      "current_setting('max_slot_wal_keep_size'), "
      "(SELECT database IS NOT DISTINCT FROM current_database() AND plugin = 'pgoutput' FROM pg_replication_slots "
      "WHERE slot_name = $1)",
      {s.slot});
  int max_slots = std::stoi(std::string(r.Get(0, 0))), used = std::stoi(std::string(r.Get(0, 1)));
  bool exists = std::string(r.Get(0, 2)) == "t";
  // A slot keeps WAL for as long as wharf does not confirm it: without a
  // limit, a stalled pipeline fills the source's disk.
  if (r.Get(0, 7) == "-1" && !guard_drops) {
    report.Warn("max_slot_wal_keep_size is unlimited",
                "a stalled wharf keeps WAL until the source's disk fills: set max_slot_wal_keep_size on the "
                "source (ALTER SYSTEM SET max_slot_wal_keep_size = '50GB'; SELECT pg_reload_conf()) or "
                "slot_guard.drop_slot_at in wharf.yaml (docs/operations.md)");
  }
  if (exists && r.Get(0, 8) != "t") {
    report.Bad("slot " + s.slot + " exists but is not a pgoutput slot of this database",
               "another program or database uses that name: set sources[].slot to another name in wharf.yaml");
  } else if (exists) {
    report.Ok(fmt::format("slot {} exists, retaining {} of WAL (max_slot_wal_keep_size {})", s.slot, r.Get(0, 5),
                          r.Get(0, 7)));
    std::string status(r.Get(0, 6));
    if (status == "lost") {
      report.Bad("slot " + s.slot + " has lost WAL it needed",
                 "the slot can no longer stream: resync the source (delete its state in staging, see the README)");
    } else if (status == "unreserved") {
      report.Warn("slot " + s.slot + " is past max_slot_wal_keep_size",
                  "start wharf so it confirms, or raise max_slot_wal_keep_size, before the WAL is removed");
    }
  } else {
    report.Check(used < max_slots, fmt::format("a free replication slot ({} of {} used)", used, max_slots),
                 "raise max_replication_slots (then restart PostgreSQL), or drop an unused slot");
  }
  int senders = std::stoi(std::string(r.Get(0, 3))), active = std::stoi(std::string(r.Get(0, 4)));
  report.Check(active < senders, fmt::format("a free WAL sender ({} of {} in use)", active, senders),
               "raise max_wal_senders, then restart PostgreSQL");
}

void CheckPublicationAndTables(pg::Connection& conn, const core::SourceConfig& s, Report& report) {
  auto pub = conn.ExecParams(
      "SELECT p.pubowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) OR "
      "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) FROM pg_publication p WHERE p.pubname = $1",
      {s.publication});
  if (pub.rows()) {
    report.Check(std::string(pub.Get(0, 0)) == "t", "publication " + s.publication + " exists and is ours",
                 "run ALTER PUBLICATION " + pg::QuoteIdent(s.publication) + " OWNER TO current_user; as its owner");
  } else {
    auto who = conn.Exec("SELECT has_database_privilege(current_user, current_database(), 'CREATE'), "
                         "current_database(), current_user");
    report.Check(std::string(who.Get(0, 0)) == "t", "may create publication " + s.publication,
                 fmt::format("run GRANT CREATE ON DATABASE {} TO {}; or create the publication as its owner",
                             pg::QuoteIdent(who.Get(0, 1)), pg::QuoteIdent(who.Get(0, 2))));
  }
  int selected = 0;
  std::string not_owned, not_readable;
  for (const auto& t : pg::ListTables(conn)) {
    if (!core::TableSelected(s.tables, s.exclude, t.name.schema, t.name.name)) continue;
    ++selected;
    std::string quoted = pg::QuoteIdent(t.name.schema) + "." + pg::QuoteIdent(t.name.name);
    if (!t.ReplicableIdentity()) {
      report.Warn(t.name.ToString() + " has no primary key or replica identity (wharf holds it back)",
                  t.has_primary_key ? "run ALTER TABLE " + quoted + " REPLICA IDENTITY DEFAULT;"
                                    : "run ALTER TABLE " + quoted + " REPLICA IDENTITY FULL; or add a primary key");
    }
    // Putting a table into a publication needs its ownership; copying it, SELECT.
    auto r = conn.ExecParams(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE'), has_table_privilege(c.oid, 'SELECT'), "
        "EXISTS (SELECT 1 FROM pg_publication_tables WHERE pubname = $2 AND schemaname = $3 AND tablename = $4) "
        "FROM pg_class c WHERE c.oid = $1",
        {std::to_string(t.oid), s.publication, t.name.schema, t.name.name});
    if (r.rows() && r.Get(0, 0) != "t" && r.Get(0, 2) != "t") not_owned += (not_owned.empty() ? "" : ", ") + quoted;
    if (r.rows() && r.Get(0, 1) != "t") not_readable += (not_readable.empty() ? "" : ", ") + quoted;
  }
  if (!not_owned.empty()) {
    report.Bad("the role does not own " + not_owned + ", so it cannot add them to publication " + s.publication,
               "ownership cannot be granted: have the owner run ALTER TABLE ... OWNER TO the wharf role, or "
               "create the publication as the owner: CREATE PUBLICATION " + pg::QuoteIdent(s.publication) +
                   " FOR TABLE " + not_owned + " WITH (publish_via_partition_root = true);");
  }
  if (!not_readable.empty()) {
    report.Bad("the role may not read " + not_readable, "run GRANT SELECT ON " + not_readable + " TO the wharf role;");
  }
  try {
    capture::CheckTableNames(conn, s);
  } catch (const Error& e) {
    report.Bad(e.message(), "fix sources[].tables");
  }
  std::string globs;
  for (const auto& g : s.tables) globs += (globs.empty() ? "" : ", ") + g;
  report.Check(selected > 0, fmt::format("{} table(s) match tables: [{}]", selected, globs),
               "no table matches: fix the globs under sources[].tables (schema.table, * and ?)");
}

void CheckSource(const core::SourceConfig& s, bool guard_drops, Report& report) {
  fmt::print("source {} ({})\n", s.name, pg::RedactDsn(s.dsn));
  std::optional<pg::Connection> conn;
  try {
    conn.emplace(pg::Connection::Open(s.dsn, false, "wharf doctor"));
    report.Ok("connected");
  } catch (const Error& e) {
    report.Bad("cannot connect: " + e.message(), "check the host, port, user, password and pg_hba.conf of sources[].dsn");
    return;
  }
  try {
    CheckServerSettings(*conn, report);
    CheckSlotAndSenders(*conn, s, guard_drops, report);
    CheckPublicationAndTables(*conn, s, report);
  } catch (const Error& e) {
    report.Bad("a check failed: " + e.message(), "see the message above");
  }
}

// A local staging directory must hold what capture may stage while the
// loader is behind (staging.max_pending_bytes), or capture stops on a full disk.
void CheckFreeSpace(const core::Config& config, Report& report) {
  if (config.staging.url.rfind("file://", 0) != 0) return;
  std::filesystem::path dir = config.staging.url.substr(7);
  if (dir.is_relative()) dir = std::filesystem::path(config.base_dir) / dir;
  std::error_code ec;
  auto space = std::filesystem::space(dir, ec);
  if (ec) return;
  auto gb = [](uint64_t b) { return fmt::format("{:.1f} GB", b / 1073741824.0); };
  if (space.available < config.staging.max_pending_bytes) {
    report.Warn(fmt::format("{} free for staging, less than staging.max_pending_bytes ({})", gb(space.available),
                            gb(config.staging.max_pending_bytes)),
                "free disk space or lower staging.max_pending_bytes, so capture pauses before the disk is full");
  } else {
    report.Ok(fmt::format("{} free for staging (staging.max_pending_bytes {})", gb(space.available),
                          gb(config.staging.max_pending_bytes)));
  }
}

void CheckStaging(const core::Config& config, Report& report) {
  fmt::print("staging {}\n", config.staging.url);
  try {
    auto store = staging::OpenObjectStore(config.staging, config.base_dir);
    std::string probe = "doctor/probe-" + std::to_string(::getpid());
    auto w = store->OpenWriter(probe);
    w->Write("wharf doctor");
    w->Commit();
    bool read_back = store->Read(probe) == "wharf doctor";
    store->Remove(probe);
    if (auto root = store->LocalRoot()) {  // the probe's directory, if nothing else is in it
      std::error_code ignored;
      std::filesystem::remove(*root / "doctor", ignored);
    }
    report.Check(read_back, "writable and readable (" + store->Describe() + ")", "check the staging permissions");
    CheckFreeSpace(config, report);
  } catch (const Error& e) {
    report.Bad("cannot write a probe object: " + e.message(),
               "create the directory or bucket and give wharf write access to it");
  }
}

// Without changing the warehouse: a DuckDB file is opened only if it exists
// (else its directory must be writable); PostgreSQL is asked for CREATE.
void CheckTarget(const core::Config& config, Report& report) {
  fmt::print("target {}\n", config.target.type);
  if (config.target.type == "postgres") {
    try {
      auto conn = pg::Connection::Open(config.target.dsn, false, "wharf doctor");
      report.Check(One(conn, "SELECT has_database_privilege(current_user, current_database(), 'CREATE')") == "t",
                   "connected to " + pg::RedactDsn(config.target.dsn) + ", may create schemas",
                   "run GRANT CREATE ON DATABASE <warehouse db> TO <wharf user>;");
    } catch (const Error& e) {
      report.Bad("cannot connect: " + e.message(), "check target.dsn: host, port, user, password, database");
    }
    return;
  }
  std::filesystem::path path = config.target.path;
  if (path.is_relative()) path = std::filesystem::path(config.base_dir) / path;
  if (!std::filesystem::exists(path)) {
    auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    report.Check(std::filesystem::is_directory(dir) && ::access(dir.c_str(), W_OK) == 0,
                 "DuckDB file " + path.string() + " can be created",
                 "create the directory " + dir.string() + " and make it writable for wharf");
    return;
  }
  try {
    load::OpenWarehouse(config.target, config.base_dir);
    report.Ok("DuckDB file " + path.string() + " opens");
  } catch (const Error& e) {
    if (e.message().find("lock") != std::string::npos) {
      report.Ok("DuckDB file " + path.string() + " is held by a running wharf (one writer): reachable");
    } else {
      report.Bad("cannot open the warehouse: " + e.message(), "check target.path is a DuckDB file wharf may write");
    }
  }
}

void CheckModels(const core::Config& config, Report& report) {
  if (config.models.project.empty()) return;
  fmt::print("models {}\n", config.models.project);
  try {
    report.Ok("dbt project " + pipeline::CheckModelsProject(config).name);
  } catch (const Error& e) {
    report.Bad(e.message(), "point models.project at a directory holding dbt_project.yml");
  }
}

}  // namespace

int Doctor(const core::Config& config) {
  Report report;
  for (const auto& s : config.sources) CheckSource(s, config.slot_guard.drop_slot_at.has_value(), report);
  CheckStaging(config, report);
  CheckTarget(config, report);
  CheckModels(config, report);
  fmt::print("\n{}: {} failure(s), {} warning(s)\n", report.failures ? "not ready" : "ready", report.failures,
             report.warnings);
  return report.failures ? 1 : 0;
}

}  // namespace wharf::cli
