#include "cli/init_config.hpp"

#include <fmt/format.h>

#include <cctype>
#include <map>

namespace wharf::cli {

std::string SourceNameFor(const std::string& database) {
  std::string out;
  for (char c : database) {
    unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "db_" + out;
  return out.substr(0, 40);  // the longest source name wharf.yaml takes
}

namespace {

std::string Quoted(const std::string& schema, const std::string& name) {
  auto q = [](const std::string& s) {
    bool plain = !s.empty() && (std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_');
    for (char c : s) plain = plain && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_');
    if (plain) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  return q(schema) + "." + q(name);
}

std::string TableLine(const InitTable& t) {
  std::string name = t.schema + "." + t.name;
  if (!t.key.empty() && t.replica_identity == 'd') {
    std::string key;
    for (const auto& k : t.key) key += (key.empty() ? "" : ", ") + k;
    return fmt::format("    #   {:<40} primary key ({})\n", name, key);
  }
  if (t.replicable) return fmt::format("    #   {:<40} replica identity {}\n", name, t.replica_identity == 'f' ? "full" : "index");
  return fmt::format("    #   {:<40} NEEDS: ALTER TABLE {} REPLICA IDENTITY FULL; (or a primary key)\n", name,
                     Quoted(t.schema, t.name));
}

}  // namespace

std::string InitConfigText(const InitInput& in) {
  std::map<std::string, int> per_schema;
  int keyed = 0, blocked = 0;
  for (const auto& t : in.tables) {
    per_schema[t.schema]++;
    keyed += !t.key.empty();
    blocked += !t.replicable;
  }
  std::string out = fmt::format(
      "# wharf.yaml, written by `wharf init` on {}.\n"
      "# Check it, then: wharf doctor -c wharf.yaml && wharf run -c wharf.yaml\n"
      "# Every key is described in the README's configuration reference.\n\n",
      in.generated_at);
  out += "sources:\n";
  out += fmt::format("  - name: {}\n", in.source_name);
  if (!in.password_env.empty()) {
    out += fmt::format("    # The password is read from ${} (export it before running wharf).\n", in.password_env);
  }
  out += fmt::format("    dsn: {}\n", in.dsn);
  out += fmt::format("    # {} table(s) found, {} with a primary key", in.tables.size(), keyed);
  out += blocked ? fmt::format(", {} that cannot be replicated until fixed (wharf holds them back):\n", blocked) : ":\n";
  for (const auto& t : in.tables) out += TableLine(t);
  out += "    tables:";
  if (per_schema.empty()) out += " [\"public.*\"]   # no tables yet: they are picked up when created\n";
  else {
    out += "\n";
    for (const auto& [schema, n] : per_schema) out += fmt::format("      - \"{}.*\"   # {} table(s)\n", schema, n);
  }
  out += "    # exclude: [\"public.audit_*\"]\n";
  out +=
      "staging:\n"
      "  url: file://./wharf-stage        # or s3://bucket/prefix\n"
      "  format: jsonl                    # jsonl | csv | parquet\n"
      "  compression: zstd\n"
      "  batch: { max_bytes: 64MB, max_interval: 1s }\n"
      "target:\n"
      "  type: duckdb                     # duckdb | postgres (then dsn: instead of path:)\n"
      "  path: ./warehouse.duckdb\n"
      "  mode: mirror                     # mirror | soft_delete | history | append\n"
      "# models:                          # a dbt project built after loads\n"
      "#   project: ./analytics\n"
      "#   every: 60s\n"
      "server:\n"
      "  listen: 127.0.0.1:9187           # status, the models API; \"off\" disables\n";
  return out;
}

}  // namespace wharf::cli
