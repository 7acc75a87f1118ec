// One profiles.yml output (a "target") -> Profile: the duckdb and postgres
// adapters' fields and defaults (dbt-duckdb, dbt-postgres), the libpq
// connection string, and the `target` dict templates see.
#include <fmt/format.h>

#include <regex>

#include "core/error.hpp"
#include "models/project/internal.hpp"

namespace fs = std::filesystem;

namespace wharf::models::project {

namespace {

using jinja::Dict;
using jinja::Value;

std::string StringField(const Dict& d, const char* key, const std::string& fallback = "") {
  const Value* v = d.Find(key);
  return v && !v->IsNone() && !v->IsUndefined() ? v->Str() : fallback;
}

// A number written as a number or as a string ("{{ env_var('PORT') }}" renders a string).
int IntField(const Dict& d, const char* key, int fallback, const std::string& where) {
  const Value* v = d.Find(key);
  if (v == nullptr || v->IsNone()) return fallback;
  if (v->IsInt()) return static_cast<int>(v->AsInt());
  if (v->IsString()) {
    try {
      size_t used = 0;
      int n = std::stoi(v->AsString(), &used);
      if (used == v->AsString().size()) return n;
    } catch (const std::exception&) {
    }
  }
  Fail(ErrorKind::kConfig, "{}: {} must be a whole number, not {}", where, key, v->Repr());
}

std::string Required(const Dict& d, std::initializer_list<const char*> keys,
                     const std::string& where, const std::string& target) {
  for (const char* key : keys)
    if (std::string v = StringField(d, key); !v.empty()) return v;
  Fail(ErrorKind::kConfig, "{}: postgres target '{}' needs {}; add it to the output", where, target,
       *keys.begin());
}

void BuildDuckdb(Profile& p, const Dict& output) {
  p.path = StringField(output, "path", ":memory:");
  // dbt-duckdb opens a relative path from the current directory.
  if (p.path != ":memory:" && p.path.rfind("md:", 0) != 0)
    p.path = fs::absolute(p.path).lexically_normal().string();
  std::string stem = p.path == ":memory:" ? "memory" : fs::path(p.path).stem().string();
  p.database = StringField(output, "database", stem);
  p.schema = StringField(output, "schema", "main");
}

void AddDsn(std::string& dsn, const char* key, const std::string& value) {
  if (value.empty()) return;
  dsn += fmt::format("{}{}={}", dsn.empty() ? "" : " ", key, DsnValue(value));
}

void BuildPostgres(Profile& p, const Dict& output, const std::string& where) {
  std::string host = Required(output, {"host"}, where, p.target_name);
  std::string user = Required(output, {"user"}, where, p.target_name);
  p.database = Required(output, {"dbname", "database"}, where, p.target_name);
  p.schema = Required(output, {"schema"}, where, p.target_name);
  int port = IntField(output, "port", 5432, where);
  std::string dsn;
  AddDsn(dsn, "host", host);
  AddDsn(dsn, "port", std::to_string(port));
  AddDsn(dsn, "user", user);
  AddDsn(dsn, "password", StringField(output, "password", StringField(output, "pass")));
  AddDsn(dsn, "dbname", p.database);
  AddDsn(dsn, "sslmode", StringField(output, "sslmode"));
  for (const char* key : {"sslcert", "sslkey", "sslrootcert", "application_name"})
    AddDsn(dsn, key, StringField(output, key));
  AddDsn(dsn, "connect_timeout", std::to_string(IntField(output, "connect_timeout", 10, where)));
  if (int idle = IntField(output, "keepalives_idle", 0, where);
      idle > 0)  // dbt: 0 = libpq's default
    AddDsn(dsn, "keepalives_idle", std::to_string(idle));
  // dbt-postgres passes search_path as a server option, spaces escaped.
  if (std::string path = StringField(output, "search_path"); !path.empty())
    AddDsn(dsn, "options", "-c search_path=" + std::regex_replace(path, std::regex(" "), "\\ "));
  p.dsn = dsn;
}

// `target` in templates: the output's fields, secrets removed, plus dbt's own.
Dict TargetDict(const Profile& p, const Dict& output) {
  Dict t = output;
  t.Erase("password");
  t.Erase("pass");
  t.Set("name", p.target_name);
  t.Set("target_name", p.target_name);
  t.Set("profile_name", p.profile_name);
  t.Set("type", p.type);
  t.Set("schema", p.schema);
  t.Set("database", p.database);
  t.Set("threads", p.threads);
  if (p.type == "duckdb") t.Set("path", p.path);
  if (p.type == "postgres" && t.Find("port") == nullptr) t.Set("port", 5432);
  return t;
}

// dbname from "host=h dbname=db" or "postgresql://u@h:5432/db?x=y".
std::string DsnDatabase(const std::string& dsn) {
  std::smatch m;
  if (std::regex_search(dsn, m, std::regex(R"((?:^|\s)dbname\s*=\s*'?([^'\s]+))"))) return m[1];
  if (std::regex_search(dsn, m, std::regex(R"(^postgres(?:ql)?://[^/]*/([^?]+))"))) return m[1];
  return "";
}

}  // namespace

std::string DsnValue(const std::string& value) {
  bool plain = !value.empty() && value.find_first_of(" \t\r\n'\\=") == std::string::npos;
  if (plain) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

Profile BuildProfile(const std::string& profile_name, const std::string& target_name,
                     const Dict& output, const std::string& where) {
  Profile p;
  p.profile_name = profile_name;
  p.target_name = target_name;
  p.type = StringField(output, "type");
  p.threads = IntField(output, "threads", 1, where);
  if (p.type == "duckdb") {
    BuildDuckdb(p, output);
  } else if (p.type == "postgres") {
    BuildPostgres(p, output, where);
  } else {
    Fail(ErrorKind::kConfig,
         "{}: target '{}' of profile '{}' has type '{}'; wharf supports type: duckdb and type: "
         "postgres",
         where, target_name, profile_name, p.type.empty() ? "(none)" : p.type);
  }
  p.target = TargetDict(p, output);
  return p;
}

Profile FallbackProfile(const Project& project, const ProjectOptions::Fallback& fallback) {
  Dict output{{"type", fallback.type}};
  Profile p;
  p.profile_name = project.profile;
  p.target_name = "wharf";
  p.type = fallback.type;
  if (fallback.type == "duckdb") {
    output.Set("path", fallback.path.empty() ? ":memory:" : fallback.path);
    if (!fallback.schema.empty()) output.Set("schema", fallback.schema);
    BuildDuckdb(p, output);
  } else if (fallback.type == "postgres") {
    p.dsn = fallback.dsn;
    p.database = DsnDatabase(fallback.dsn);
    p.schema = fallback.schema.empty() ? "public" : fallback.schema;
  } else {
    Fail(ErrorKind::kConfig,
         "wharf.yaml: the models warehouse type '{}' is not supported; use duckdb or postgres",
         fallback.type);
  }
  p.target = TargetDict(p, output);
  p.origin = "wharf.yaml";
  return p;
}

}  // namespace wharf::models::project
