// dbt_project.yml -> Project. Rendered as dbt's DbtProjectYamlRenderer does:
// everything but vars, hooks and the config trees (rendered per node later,
// with `target`), which are kept as written.
#include <spdlog/spdlog.h>

#include <regex>
#include <set>

#include "core/error.hpp"
#include "core/nearest.hpp"
#include "models/project/internal.hpp"

namespace fs = std::filesystem;

namespace wharf::models::project {

namespace {

using jinja::Dict;
using jinja::Value;

// Keys dbt_project.yml may hold (dbt's schema for it); others get a warning.
const std::vector<std::string>& KnownKeys() {
  static const std::vector<std::string> keys = {"name",
                                                "version",
                                                "config-version",
                                                "profile",
                                                "model-paths",
                                                "seed-paths",
                                                "test-paths",
                                                "analysis-paths",
                                                "macro-paths",
                                                "snapshot-paths",
                                                "docs-paths",
                                                "asset-paths",
                                                "function-paths",
                                                "target-path",
                                                "log-path",
                                                "packages-install-path",
                                                "clean-targets",
                                                "query-comment",
                                                "require-dbt-version",
                                                "on-run-start",
                                                "on-run-end",
                                                "dispatch",
                                                "vars",
                                                "models",
                                                "seeds",
                                                "snapshots",
                                                "tests",
                                                "data_tests",
                                                "sources",
                                                "analyses",
                                                "exposures",
                                                "metrics",
                                                "semantic-models",
                                                "saved-queries",
                                                "unit_tests",
                                                "functions",
                                                "quoting",
                                                "flags",
                                                "restrict-access",
                                                "dbt-cloud"};
  return keys;
}

// Top-level keys kept unrendered (see the file comment).
bool Unrendered(const std::string& key) {
  static const std::set<std::string> keys = {
      "models",    "seeds",        "snapshots",  "tests",           "data_tests",    "sources",
      "analyses",  "exposures",    "metrics",    "semantic-models", "saved-queries", "unit_tests",
      "functions", "on-run-start", "on-run-end", "query-comment",   "vars"};
  return keys.count(key) > 0;
}

void CheckKeys(const YAML::Node& doc, const std::string& file) {
  for (const auto& kv : doc) {
    std::string key = ScalarText(kv.first);
    if (key == "source-paths" || key == "data-paths") {
      Fail(ErrorKind::kConfig, "{}: '{}' was renamed in dbt 1.0: use '{}' instead",
           Where(file, kv.first), key, key == "source-paths" ? "model-paths" : "seed-paths");
    }
    const auto& known = KnownKeys();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    auto near = core::Nearest(key, known, 3);
    spdlog::warn("{}: unknown key '{}' ignored{}", Where(file, kv.first), key,
                 near ? " (did you mean '" + *near + "'?)" : "");
  }
}

// vars: {x: 1, my_project: {y: 2}}: a mapping under this project's name holds
// vars scoped to it, which win over the global ones of the same name.
Dict ProjectVars(const YAML::Node& node, const std::string& project, const std::string& where) {
  Value all = ToValue(node);
  if (all.IsNone()) return {};
  if (!all.IsDict())
    Fail(ErrorKind::kConfig, "{}: vars must be a mapping of names to values", where);
  Dict out;
  const Value* scoped = nullptr;
  for (const auto& [k, v] : all.AsDict()) {
    if (k == project && v.IsDict())
      scoped = &v;
    else
      out.Set(k, v);
  }
  if (scoped)
    for (const auto& [k, v] : scoped->AsDict()) out.Set(k, v);
  return out;
}

std::vector<std::string> Hooks(const YAML::Node& node, const std::string& file) {
  Value v = ToValue(node);
  if (v.IsDict()) v = Value(jinja::List{v});  // {sql: ..., transaction: ...}
  std::vector<std::string> out;
  for (const Value& item : v.IsList() ? v.AsList() : jinja::List{v}) {
    if (item.IsNone()) continue;
    const Value* sql = item.IsDict() ? item.AsDict().Find("sql") : nullptr;
    if (item.IsDict() && sql == nullptr)
      Fail(ErrorKind::kConfig, "{}: a hook mapping needs a 'sql' key", Where(file, node));
    out.push_back(sql ? sql->Str() : item.Str());
  }
  return out;
}

std::map<std::string, std::vector<std::string>> Dispatch(const Value& v, const std::string& where) {
  std::map<std::string, std::vector<std::string>> out;
  if (v.IsNone() || v.IsUndefined()) return out;
  if (!v.IsList())
    Fail(ErrorKind::kConfig, "{}: dispatch must be a list of {{macro_namespace, search_order}}",
         where);
  for (const Value& item : v.AsList()) {
    const Value* ns = item.IsDict() ? item.AsDict().Find("macro_namespace") : nullptr;
    const Value* order = item.IsDict() ? item.AsDict().Find("search_order") : nullptr;
    if (!ns || !order)
      Fail(ErrorKind::kConfig, "{}: each dispatch entry needs macro_namespace and search_order",
           where);
    out[ns->Str()] = StringList(*order, "dispatch search_order", where);
  }
  return out;
}

void ReadPaths(Project& p, const Dict& d, const std::string& file) {
  auto paths = [&](const char* key, std::vector<std::string>& into) {
    const Value* v = d.Find(key);
    if (v == nullptr || v->IsNone()) return;
    into = StringList(*v, key, file);
    for (auto& path : into)
      while (path.size() > 1 && path.back() == '/') path.pop_back();
  };
  paths("model-paths", p.model_paths);
  paths("seed-paths", p.seed_paths);
  paths("test-paths", p.test_paths);
  paths("macro-paths", p.macro_paths);
  paths("snapshot-paths", p.snapshot_paths);
  paths("analysis-paths", p.analysis_paths);
  paths("docs-paths", p.docs_paths);
  paths("clean-targets", p.clean_targets);
  if (const Value* v = d.Find("target-path"); v && !v->IsNone()) p.target_path = v->Str();
}

std::string RequiredName(const Dict& d, const std::string& file) {
  const Value* name = d.Find("name");
  if (name == nullptr || name->IsNone() || name->Str().empty())
    Fail(ErrorKind::kConfig, "{}: no 'name:'; give the project a name (e.g. name: my_project)",
         file);
  static const std::regex identifier("[A-Za-z_][A-Za-z0-9_]*");
  if (!std::regex_match(name->Str(), identifier)) {
    Fail(ErrorKind::kConfig,
         "{}: project name '{}' must be letters, digits and underscores, not starting with a digit",
         file, name->Str());
  }
  return name->Str();
}

}  // namespace

Project LoadProject(const ProjectOptions& options) {
  Project p;
  p.cli_vars = options.cli_vars;
  p.root = fs::absolute(options.project_dir).lexically_normal();
  if (p.root.filename().empty()) p.root = p.root.parent_path();  // "dir/" -> "dir"
  fs::path path = p.root / "dbt_project.yml";
  if (!fs::exists(path)) {
    Fail(ErrorKind::kConfig,
         "no dbt_project.yml in {}; pass --project-dir or set models.project in wharf.yaml",
         p.root.string());
  }
  const std::string file = path.string();
  // const: operator[] on a mutable node would add the keys it looks up.
  const YAML::Node doc = LoadYamlFile(path, file);
  if (!doc.IsMap())
    Fail(ErrorKind::kConfig, "{}: must be a YAML mapping (name:, profile:, ...)", file);
  CheckKeys(doc, file);

  // var() in dbt_project.yml: dbt sees --vars only; the project's own vars are
  // also visible here (a superset of dbt).
  std::string raw_name = ScalarText(doc["name"]);
  p.vars = ProjectVars(doc["vars"], raw_name, Where(file, doc["vars"]));
  YamlRenderer renderer(options.cli_vars, p.vars);
  SkipKey skip = [](const std::vector<std::string>& keypath) { return Unrendered(keypath[0]); };
  Dict d = renderer.Render(doc, file, skip).AsDict();

  p.name = RequiredName(d, file);
  if (p.name != raw_name) p.vars = ProjectVars(doc["vars"], p.name, Where(file, doc["vars"]));
  const Value* profile = d.Find("profile");
  p.profile = profile && !profile->IsNone() ? profile->Str() : p.name;
  p.version = ScalarText(doc["version"]);  // as written: 1.0 stays "1.0"
  p.config_version = doc["config-version"] ? ScalarText(doc["config-version"]) : "2";
  if (p.config_version != "2") {
    Fail(ErrorKind::kConfig,
         "{}: config-version {} is not supported; dbt 1.x projects use config-version: 2",
         Where(file, doc["config-version"]), p.config_version);
  }
  ReadPaths(p, d, file);
  // Assigning a missing key's node would throw (yaml-cpp): copy defined ones only.
  auto keep = [&](const char* key, YAML::Node& into) {
    if (doc[key]) into = doc[key];  // shares the parsed node (keeps its marks)
  };
  keep("models", p.models);
  keep("seeds", p.seeds);
  keep("snapshots", p.snapshots);
  keep("sources", p.sources);
  if (doc["tests"] && doc["data_tests"])
    Fail(ErrorKind::kConfig, "{}: both tests: and data_tests: are set; keep data_tests: only",
         file);
  keep(doc["data_tests"] ? "data_tests" : "tests", p.tests);
  p.on_run_start = Hooks(doc["on-run-start"], file);
  p.on_run_end = Hooks(doc["on-run-end"], file);
  if (const Value* v = d.Find("dispatch")) p.dispatch = Dispatch(*v, Where(file, doc["dispatch"]));
  return p;
}

}  // namespace wharf::models::project
