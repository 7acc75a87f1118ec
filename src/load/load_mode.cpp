#include "load/load_mode.hpp"

#include <cstdio>

#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/nearest.hpp"

namespace wharf::load {

namespace {
constexpr std::pair<LoadMode, std::string_view> kModes[] = {
    {LoadMode::kMirror, "mirror"},
    {LoadMode::kSoftDelete, "soft_delete"},
    {LoadMode::kHistory, "history"},
    {LoadMode::kAppend, "append"},
};
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

}  // namespace

std::vector<ModeColumn> ModeColumns(LoadMode mode) {
  switch (mode) {
    case LoadMode::kMirror:
      return {};
    case LoadMode::kSoftDelete:
      return {{"_wharf_deleted", "BOOLEAN"}};
    case LoadMode::kHistory:
      return {{"_wharf_op", "VARCHAR"},
              {"_wharf_seq", "BIGINT"},
              {"_wharf_valid_from", "TIMESTAMPTZ"},
              {"_wharf_valid_to", "TIMESTAMPTZ"}};
    case LoadMode::kAppend:
      return {{"_wharf_op", "VARCHAR"},
              {"_wharf_seq", "BIGINT"},
              {"_wharf_ts", "TIMESTAMPTZ"},
              {"_wharf_unchanged", "JSON"}};
  }
  return {};
}

LoadMode ModeOfColumns(const std::set<std::string>& columns) {
  if (columns.count("_wharf_valid_to")) return LoadMode::kHistory;
  if (columns.count("_wharf_deleted")) return LoadMode::kSoftDelete;
  if (columns.count("_wharf_op")) return LoadMode::kAppend;
  return LoadMode::kMirror;
}

std::string UnchangedColumnsJson(const core::RelationSchema& schema,
                                 const std::vector<uint32_t>& columns) {
  std::string names = "[";
  for (uint32_t c : columns) names += (names.size() > 1 ? "," : "") + JsonString(schema.columns[c].name);
  return names + "]";
}

std::string_view ModeName(LoadMode mode) {
  for (const auto& [m, name] : kModes)
    if (m == mode) return name;
  return "mirror";
}

std::optional<LoadMode> ParseLoadMode(std::string_view name) {
  for (const auto& [m, n] : kModes)
    if (n == name) return m;
  return std::nullopt;
}

std::string ModeNames() { return "mirror, soft_delete, history or append"; }

ModeRules::ModeRules(const core::TargetConfig& target) {
  auto parse = [](const std::string& name, const std::string& where) {
    auto m = ParseLoadMode(name);
    if (!m)
      Fail(ErrorKind::kConfig, "{}mode '{}' is not a load mode; use {}", where, name, ModeNames());
    return *m;
  };
  default_ = parse(target.mode, "target.");
  for (const auto& r : target.table_modes) rules_.push_back({r, parse(r.mode, r.where + ": ")});
}

LoadMode ModeRules::For(const core::TableName& source_table, const core::TableName& target) const {
  const std::string source_name = source_table.ToString(), target_name = target.ToString();
  for (const auto& r : rules_) {
    if (core::GlobMatch(r.config.pattern, source_name) ||
        core::GlobMatch(r.config.pattern, target_name))
      return r.mode;
  }
  return default_;
}

void ModeRules::CheckAllMatch(const std::vector<Table>& tables) const {
  std::vector<std::string> names;
  for (const auto& t : tables) {
    names.push_back(t.source_table.ToString());
    if (t.target != t.source_table) names.push_back(t.target.ToString());
  }
  for (const auto& r : rules_) {
    bool matched = false;
    for (const auto& n : names) matched |= core::GlobMatch(r.config.pattern, n);
    if (matched) continue;
    auto nearest = core::Nearest(r.config.pattern, names, r.config.pattern.size());
    Fail(ErrorKind::kConfig,
         "{}: target.tables entry '{}' matches no replicated table{}; correct the name (source "
         "schema.table or warehouse schema.table, globs allowed) or remove the entry",
         r.config.where, r.config.pattern, nearest ? "; did you mean '" + *nearest + "'?" : "");
  }
}

void ExpectSameMode(const core::TableName& target, LoadMode existing, LoadMode wanted,
                    const core::TableName& source) {
  if (existing == wanted) return;
  Fail(ErrorKind::kConfig,
       "warehouse table {} was created in {} mode, but wharf.yaml now loads it in {} mode; a "
       "table cannot change mode in place: set its mode back (target.mode / target.tables), "
       "or drop the table and run `wharf resync --table {}` to rebuild it",
       target.ToString(), ModeName(existing), ModeName(wanted), source.ToString());
}

}  // namespace wharf::load
