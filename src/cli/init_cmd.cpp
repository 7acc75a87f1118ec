// wharf init --source DSN [--output wharf.yaml]: a starter configuration from
// what the source holds (the text is built by init_config.cpp).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/init_config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/connection.hpp"

namespace wharf::cli {

namespace {

// Primary key columns of every table, in key order: "schema.table" -> columns.
std::map<std::string, std::vector<std::string>> PrimaryKeys(pg::Connection& conn) {
  auto r = conn.Exec(
      "SELECT n.nspname || '.' || c.relname, a.attname FROM pg_index i "
      "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
      "WHERE i.indisprimary ORDER BY 1, k.ord");
  std::map<std::string, std::vector<std::string>> out;
  for (int i = 0; i < r.rows(); ++i) out[std::string(r.Get(i, 0))].push_back(std::string(r.Get(i, 1)));
  return out;
}

// The DSN as written into the file: a password becomes ${VAR}, so the file holds no secret.
std::string DsnForFile(const std::string& dsn, const std::string& var, bool& had_password) {
  std::string redacted = pg::RedactDsn(dsn);
  had_password = redacted != dsn;
  if (!had_password) return dsn;
  return redacted.replace(redacted.find("***"), 3, "${" + var + "}");
}

}  // namespace

int Init(const std::string& dsn, const std::string& output, bool force) {
  if (std::filesystem::exists(output) && !force) {
    Fail(ErrorKind::kConfig, "{} exists; wharf init never overwrites a configuration: pass --output another.yaml, "
                             "or --force to replace it", output);
  }
  auto conn = pg::Connection::Open(dsn, false, "wharf init");
  InitInput in;
  in.source_name = SourceNameFor(std::string(conn.Exec("SELECT current_database()").Get(0, 0)));
  std::string var = in.source_name;
  for (auto& c : var) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  var += "_PASSWORD";
  bool had_password = false;
  in.dsn = DsnForFile(dsn, var, had_password);
  if (had_password) in.password_env = var;
  in.generated_at = core::UtcNow("%Y-%m-%d") + " from " + pg::RedactDsn(dsn);
  auto keys = PrimaryKeys(conn);
  for (const auto& t : pg::ListTables(conn)) {
    InitTable it{t.name.schema, t.name.name, {}, t.replica_identity, t.ReplicableIdentity()};
    if (auto k = keys.find(t.name.schema + "." + t.name.name); k != keys.end()) it.key = k->second;
    in.tables.push_back(std::move(it));
  }
  std::string text = InitConfigText(in);
  std::string tmp = output + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) Fail(ErrorKind::kConfig, "cannot write {}: check the directory exists and is writable", output);
  }
  std::filesystem::rename(tmp, output);
  int blocked = 0;
  for (const auto& t : in.tables) blocked += !t.replicable;
  fmt::print("wrote {}: source {}, {} table(s){}\n", output, in.source_name, in.tables.size(),
             blocked ? fmt::format(", {} of them need REPLICA IDENTITY FULL or a primary key (listed in the file)", blocked)
                     : "");
  if (had_password) fmt::print("the password is not in the file: export {} before running wharf\n", var);
  fmt::print("next: wharf doctor -c {} && wharf run -c {}\n", output, output);
  return 0;
}

}  // namespace wharf::cli
