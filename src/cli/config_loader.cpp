#include "cli/config_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/redact.hpp"
#include "server/http_server.hpp"
#include "staging/format.hpp"
#include "core/nearest.hpp"
#include "core/text.hpp"
#include "load/load_mode.hpp"

namespace wharf::cli {

namespace {

struct Ctx {
  std::string path;
  std::string Where(const YAML::Node& n) const {
    auto m = n.Mark();
    if (m.line < 0) return path;
    return path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }
  [[noreturn]] void Bad(const YAML::Node& n, const std::string& what) const {
    Fail(ErrorKind::kConfig, "{}: {}", Where(n), what);
  }
  void CheckKeys(const YAML::Node& map, const std::string& section,
                 const std::set<std::string>& allowed) const {
    if (!map.IsMap()) Bad(map, section + " must be a mapping");
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string key = it->first.as<std::string>();
      if (allowed.count(key)) continue;
      auto best = core::Nearest(key, {allowed.begin(), allowed.end()}, 3);
      std::string all;
      for (const auto& a : allowed) all += (all.empty() ? "" : ", ") + a;
      Bad(it->first, "unknown key '" + key + "' in " + section +
                         (best ? "; did you mean '" + *best + "'?" : "") + " (valid: " + all + ")");
    }
  }
  std::string Str(const YAML::Node& n, const std::string& name) const {
    if (!n.IsScalar()) Bad(n, name + " must be a string");
    return Interpolate(n.as<std::string>(), Where(n));
  }
  std::vector<std::string> StrList(const YAML::Node& n, const std::string& name) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(Str(n, name));
      return out;
    }
    if (!n.IsSequence()) Bad(n, name + " must be a list of strings");
    for (const auto& e : n) out.push_back(Str(e, name));
    return out;
  }
};

bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

}  // namespace

std::string Interpolate(const std::string& text, const std::string& where) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find("${", i);
    if (start == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, start - i);
    size_t end = text.find('}', start);
    if (end == std::string::npos) Fail(ErrorKind::kConfig, "{}: unterminated ${{ in '{}'", where, text);
    std::string expr = text.substr(start + 2, end - start - 2);
    std::string name = expr, fallback;
    bool has_default = false;
    if (auto p = expr.find(":-"); p != std::string::npos) {
      name = expr.substr(0, p);
      fallback = expr.substr(p + 2);
      has_default = true;
    }
    const char* v = std::getenv(name.c_str());
    if (v && *v) out += v;
    else if (has_default) out += fallback;
    else Fail(ErrorKind::kConfig, "{}: environment variable {} is not set; export it or write ${{{}:-default}}",
              where, name, name);
    i = end + 1;
  }
  return out;
}

uint64_t ParseSize(const std::string& text, const std::string& where) {
  if (auto bytes = core::ParseByteSize(text)) return *bytes;
  size_t unit = text.find_first_not_of("0123456789. ");
  if (unit == 0 || unit == std::string::npos || text.find_first_of("0123456789") >= unit)
    Fail(ErrorKind::kConfig, "{}: '{}' is not a size (like 64MB)", where, text);
  Fail(ErrorKind::kConfig, "{}: unknown size unit '{}' (use B, KB, MB, GB or TB)", where, text.substr(unit));
}

std::chrono::milliseconds ParseDuration(const std::string& text, const std::string& where) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0 || text.find_first_of("0123456789") >= i)
    Fail(ErrorKind::kConfig, "{}: '{}' is not a duration (like 1s or 200ms)", where, text);
  double n = std::stod(text.substr(0, i));
  std::string unit = text.substr(i);
  double ms;
  if (unit == "ms") ms = n;
  else if (unit == "s" || unit.empty()) ms = n * 1000;
  else if (unit == "m" || unit == "min") ms = n * 60000;
  else if (unit == "h") ms = n * 3600000;
  else if (unit == "d") ms = n * 86400000;
  else Fail(ErrorKind::kConfig, "{}: unknown duration unit '{}' (use ms, s, m, h or d)", where, unit);
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

namespace {

// yaml-cpp reads a double-quoted scalar left open as running on over the
// following lines, so a missing `"` after a dsn silently swallows the rest of
// the file into it (and wharf would run with default staging and target).
// Values in wharf.yaml fit on one line: a quote that opens a scalar must close
// on its line.
void CheckQuotesClosed(const std::string& text, const std::string& path) {
  size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    ++line_no;
    char prev = ' ';  // last non-space character outside quotes ( ' ' at line start)
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) break;  // a comment
      bool opens = (c == '"' || c == '\'') && (prev == ' ' || prev == ':' || prev == '-' || prev == '[' ||
                                                prev == '{' || prev == ',' || prev == '?');
      if (!opens) {
        if (c != ' ' && c != '\t') prev = c;
        continue;
      }
      size_t open = i++;
      for (; i < line.size(); ++i) {
        if (c == '"' && line[i] == '\\') { ++i; continue; }
        if (line[i] == c) {
          if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'') { ++i; continue; }  // '' inside '...'
          break;
        }
      }
      if (i >= line.size()) {
        Fail(ErrorKind::kConfig, "{}:{}:{}: the {} quote opened here is not closed on this line; close it "
             "(values in wharf.yaml fit on one line)", path, line_no, open + 1, c == '"' ? "double" : "single");
      }
      prev = c;
    }
    pos = end + 1;
  }
}

}  // namespace

core::Config ParseConfig(const std::string& text, const std::string& path) {
  Ctx ctx{path};
  CheckQuotesClosed(text, path);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    Fail(ErrorKind::kConfig, "{}:{}:{}: invalid YAML: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  if (!root.IsMap()) Fail(ErrorKind::kConfig, "{}: expected a mapping with sources, staging and target", path);
  ctx.CheckKeys(root, "the top level",
                {"sources", "staging", "target", "models", "server", "full_load", "slot_guard", "validate"});
  core::Config cfg;
  cfg.path = path;
  cfg.base_dir = std::filesystem::absolute(path).parent_path().string();

  auto sources = root["sources"];
  if (!sources || !sources.IsSequence() || sources.size() == 0) {
    Fail(ErrorKind::kConfig, "{}: 'sources' must list at least one source (name, dsn, tables)", path);
  }
  std::set<std::string> names;
  for (const auto& s : sources) {
    ctx.CheckKeys(s, "a source", {"name", "dsn", "tables", "exclude", "target_schema", "slot", "publication"});
    core::SourceConfig sc;
    if (!s["name"]) ctx.Bad(s, "a source needs a name");
    sc.name = ctx.Str(s["name"], "name");
    if (!ValidName(sc.name)) {
      ctx.Bad(s["name"], "source name '" + sc.name + "' must be lowercase letters, digits and _ (max 40)");
    }
    if (!names.insert(sc.name).second) ctx.Bad(s["name"], "two sources are named '" + sc.name + "'");
    if (!s["dsn"]) ctx.Bad(s, "source " + sc.name + " needs a dsn (postgres://user@host:port/db)");
    sc.dsn = ctx.Str(s["dsn"], "dsn");
    if (s["tables"]) sc.tables = ctx.StrList(s["tables"], "tables");
    if (s["exclude"]) sc.exclude = ctx.StrList(s["exclude"], "exclude");
    if (s["target_schema"]) sc.target_schema = ctx.Str(s["target_schema"], "target_schema");
    sc.slot = s["slot"] ? ctx.Str(s["slot"], "slot") : "wharf_" + sc.name;
    sc.publication = s["publication"] ? ctx.Str(s["publication"], "publication") : "wharf_" + sc.name;
    cfg.sources.push_back(std::move(sc));
  }

  if (auto st = root["staging"]) {
    ctx.CheckKeys(st, "staging", {"url", "format", "compression", "batch", "s3", "poll_interval",
                                  "max_pending_bytes", "retention"});
    if (st["url"]) cfg.staging.url = ctx.Str(st["url"], "url");
    if (st["poll_interval"]) {
      cfg.staging.poll_interval = ParseDuration(ctx.Str(st["poll_interval"], "poll_interval"), ctx.Where(st["poll_interval"]));
      if (cfg.staging.poll_interval.count() < 10) ctx.Bad(st["poll_interval"], "staging.poll_interval must be at least 10ms");
    }
    if (auto s3 = st["s3"]) {
      ctx.CheckKeys(s3, "staging.s3", {"endpoint", "region", "access_key_id", "secret_access_key", "session_token", "addressing"});
      auto& c = cfg.staging.s3;
      if (s3["endpoint"]) c.endpoint = ctx.Str(s3["endpoint"], "endpoint");
      if (s3["region"]) c.region = ctx.Str(s3["region"], "region");
      if (s3["access_key_id"]) c.access_key_id = ctx.Str(s3["access_key_id"], "access_key_id");
      if (s3["secret_access_key"]) c.secret_access_key = ctx.Str(s3["secret_access_key"], "secret_access_key");
      if (s3["session_token"]) c.session_token = ctx.Str(s3["session_token"], "session_token");
      core::RegisterSecret(c.secret_access_key);
      core::RegisterSecret(c.session_token);
      if (s3["addressing"]) {
        c.addressing = ctx.Str(s3["addressing"], "addressing");
        if (c.addressing != "auto" && c.addressing != "path" && c.addressing != "virtual")
          ctx.Bad(s3["addressing"], "staging.s3.addressing must be auto, path or virtual");
      }
    }
    if (st["format"]) {
      cfg.staging.format = ctx.Str(st["format"], "format");
      try {
        staging::ParseFormat(cfg.staging.format);
      } catch (const Error&) {
        ctx.Bad(st["format"], "staging.format '" + cfg.staging.format +
                                  "' is not known; use jsonl, csv or parquet");
      }
    }
    if (st["compression"]) {
      cfg.staging.compression = ctx.Str(st["compression"], "compression");
      if (cfg.staging.compression != "none" && cfg.staging.compression != "gzip" &&
          cfg.staging.compression != "zstd")
        ctx.Bad(st["compression"], "staging.compression must be none, gzip or zstd");
    }
    if (st["max_pending_bytes"]) {
      cfg.staging.max_pending_bytes =
          ParseSize(ctx.Str(st["max_pending_bytes"], "max_pending_bytes"), ctx.Where(st["max_pending_bytes"]));
      if (cfg.staging.max_pending_bytes == 0)
        ctx.Bad(st["max_pending_bytes"], "staging.max_pending_bytes must be above 0 (like 10GB)");
    }
    if (st["retention"]) {
      std::string r = ctx.Str(st["retention"], "retention");
      if (r == "forever") cfg.staging.retention = std::nullopt;
      else cfg.staging.retention = ParseDuration(r, ctx.Where(st["retention"]) + " (staging.retention: a duration like 0s or 7d, or forever)");
    }
    if (auto b = st["batch"]) {
      ctx.CheckKeys(b, "staging.batch", {"max_bytes", "max_interval"});
      if (b["max_bytes"]) cfg.staging.batch_max_bytes = ParseSize(ctx.Str(b["max_bytes"], "max_bytes"), ctx.Where(b["max_bytes"]));
      if (b["max_interval"]) cfg.staging.batch_max_interval = ParseDuration(ctx.Str(b["max_interval"], "max_interval"), ctx.Where(b["max_interval"]));
    }
  }
  if (auto t = root["target"]) {
    ctx.CheckKeys(t, "target",
                  {"type", "path", "dsn", "mode", "tables", "memory_limit", "numeric", "dropped_columns",
                   "read_replica"});
    if (t["type"]) cfg.target.type = ctx.Str(t["type"], "type");
    if (cfg.target.type != "duckdb" && cfg.target.type != "postgres") {
      ctx.Bad(t["type"], "target.type '" + cfg.target.type +
                             "' is not available in this build; use duckdb or postgres");
    }
    if (t["path"]) {
      if (cfg.target.type != "duckdb")
        ctx.Bad(t["path"], "target.path is the DuckDB file; a postgres target takes target.dsn");
      cfg.target.path = ctx.Str(t["path"], "path");
    }
    if (t["dsn"]) {
      if (cfg.target.type != "postgres")
        ctx.Bad(t["dsn"], "target.dsn is for target.type postgres; a duckdb target takes target.path");
      cfg.target.dsn = ctx.Str(t["dsn"], "dsn");
    }
    if (cfg.target.type == "postgres" && cfg.target.dsn.empty()) {
      ctx.Bad(t, "target.type postgres needs target.dsn, e.g. dsn: postgres://wharf@host/warehouse");
    }
    if (t["mode"]) {
      cfg.target.mode = ctx.Str(t["mode"], "mode");
      if (!load::ParseLoadMode(cfg.target.mode)) {
        ctx.Bad(t["mode"], "target.mode '" + cfg.target.mode + "' is not a load mode; use " + load::ModeNames());
      }
    }
    if (auto tables = t["tables"]) {
      // Per-table modes: {"schema.table glob": {mode: history}, ...}, in file order.
      if (!tables.IsMap()) ctx.Bad(tables, "target.tables must map table names (globs) to {mode: ...}");
      for (auto it = tables.begin(); it != tables.end(); ++it) {
        core::TableModeRule rule;
        rule.pattern = ctx.Str(it->first, "a target.tables name");
        rule.where = ctx.Where(it->first);
        if (rule.pattern.find('.') == std::string::npos) {
          ctx.Bad(it->first, "target.tables name '" + rule.pattern + "' must be schema.table (globs allowed)");
        }
        ctx.CheckKeys(it->second, "target.tables." + rule.pattern, {"mode"});
        if (!it->second["mode"]) ctx.Bad(it->second, "target.tables." + rule.pattern + " needs a mode");
        rule.mode = ctx.Str(it->second["mode"], "mode");
        if (!load::ParseLoadMode(rule.mode)) {
          ctx.Bad(it->second["mode"], "mode '" + rule.mode + "' is not a load mode; use " + load::ModeNames());
        }
        cfg.target.table_modes.push_back(std::move(rule));
      }
    }
    if (t["memory_limit"]) cfg.target.memory_limit = ctx.Str(t["memory_limit"], "memory_limit");
    if (t["read_replica"]) {
      if (cfg.target.type != "duckdb")
        ctx.Bad(t["read_replica"], "target.read_replica is a copy of a DuckDB file; a postgres target serves readers itself");
      cfg.target.read_replica = ctx.Str(t["read_replica"], "read_replica");
    }
    if (t["numeric"]) {
      std::string n = ctx.Str(t["numeric"], "numeric");
      if (n == "decimal") cfg.target.types.unconstrained_numeric = core::NumericMapping::kDecimal;
      else if (n == "string") cfg.target.types.unconstrained_numeric = core::NumericMapping::kString;
      else if (n == "double") cfg.target.types.unconstrained_numeric = core::NumericMapping::kDouble;
      else ctx.Bad(t["numeric"], "target.numeric must be decimal, string or double");
    }
    if (t["dropped_columns"]) {
      cfg.target.dropped_columns = ctx.Str(t["dropped_columns"], "dropped_columns");
      if (cfg.target.dropped_columns != "keep" && cfg.target.dropped_columns != "drop")
        ctx.Bad(t["dropped_columns"], "target.dropped_columns must be keep or drop");
    }
  }
  if (auto f = root["full_load"]) {
    ctx.CheckKeys(f, "full_load", {"workers", "batch_bytes"});
    if (f["batch_bytes"]) {
      cfg.full_load.batch_bytes = ParseSize(ctx.Str(f["batch_bytes"], "batch_bytes"), ctx.Where(f["batch_bytes"]));
      if (cfg.full_load.batch_bytes == 0) ctx.Bad(f["batch_bytes"], "full_load.batch_bytes must be more than 0");
    }
    if (f["workers"]) {
      std::string w = ctx.Str(f["workers"], "workers");
      char* end = nullptr;
      long n = std::strtol(w.c_str(), &end, 10);
      if (*end || n < 1 || n > 64) ctx.Bad(f["workers"], "full_load.workers must be a number from 1 to 64");
      cfg.full_load.workers = static_cast<size_t>(n);
    }
  }
  if (auto m = root["models"]) {
    ctx.CheckKeys(m, "models", {"project", "every", "select", "exclude", "schema", "command"});
    if (m["project"]) cfg.models.project = ctx.Str(m["project"], "project");
    if (m["every"]) cfg.models.every = ParseDuration(ctx.Str(m["every"], "every"), ctx.Where(m["every"]));
    if (m["select"]) cfg.models.select = ctx.StrList(m["select"], "select");
    if (m["exclude"]) cfg.models.exclude = ctx.StrList(m["exclude"], "exclude");
    if (m["schema"]) cfg.models.schema = ctx.Str(m["schema"], "schema");
    if (m["command"]) {
      cfg.models.command = ctx.Str(m["command"], "command");
      if (cfg.models.command != "build" && cfg.models.command != "run") {
        ctx.Bad(m["command"], "models.command must be build (models, seeds, snapshots and tests) or run (models only)");
      }
    }
  }
  if (auto g = root["slot_guard"]) {
    ctx.CheckKeys(g, "slot_guard", {"warn_at", "drop_slot_at"});
    if (g["warn_at"]) cfg.slot_guard.warn_at = ParseSize(ctx.Str(g["warn_at"], "warn_at"), ctx.Where(g["warn_at"]));
    if (g["drop_slot_at"]) {
      std::string v = ctx.Str(g["drop_slot_at"], "drop_slot_at");
      if (v != "off") cfg.slot_guard.drop_slot_at = ParseSize(v, ctx.Where(g["drop_slot_at"]) + " (slot_guard.drop_slot_at: a size like 50GB, or off)");
    }
  }
  if (auto v = root["validate"]) {
    ctx.CheckKeys(v, "validate", {"every"});
    if (v["every"]) {
      std::string e = ctx.Str(v["every"], "every");
      if (e != "off") cfg.validate.every = ParseDuration(e, ctx.Where(v["every"]) + " (validate.every: a duration like 6h, or off)");
    }
  }
  if (auto s = root["server"]) {
    ctx.CheckKeys(s, "server", {"listen", "token"});
    if (s["token"]) {
      cfg.server.token = ctx.Str(s["token"], "token");
      core::RegisterSecret(cfg.server.token);
    }
    if (s["listen"]) {
      cfg.server.listen = ctx.Str(s["listen"], "listen");
      if (cfg.server.listen != "off") {
        try {
          server::ParseListen(cfg.server.listen);
        } catch (const Error& e) {
          ctx.Bad(s["listen"], e.message() + ", or off");
        }
        if (!server::IsLoopback(server::ParseListen(cfg.server.listen).host) && cfg.server.token.empty()) {
          ctx.Bad(s["listen"], "server.listen " + cfg.server.listen +
                                   " is reachable from other machines, and the server runs models and shows the "
                                   "pipeline: set server.token (e.g. token: ${WHARF_TOKEN}) or listen on 127.0.0.1");
        }
      }
    }
  }
  return cfg;
}

core::Config LoadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    Fail(ErrorKind::kConfig, "cannot read config file {}: {}; create one with `wharf init --source DSN`",
         path, std::strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

}  // namespace wharf::cli
