// Node configs as dbt resolves them (dbt/context/context_config.py): the kind's
// defaults, then each level of the project's config tree along the node's fqn
// (fqn_search: the tree's root, then the project name, folders and the node's
// own name), then the schema file's config:.
#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "models/project/internal.hpp"

namespace wharf::models::project {

namespace {

using jinja::Dict;
using jinja::List;
using jinja::Value;

// NodeConfig's fields with non-None defaults (dbt/artifacts/resources/v1/config.py).
Dict NodeDefaults(const char* materialized) {
  return Dict{{"enabled", true},
              {"tags", List{}},
              {"meta", Dict{}},
              {"materialized", materialized},
              {"persist_docs", Dict{}},
              {"post-hook", List{}},
              {"pre-hook", List{}},
              {"quoting", Dict{}},
              {"column_types", Dict{}},
              {"on_schema_change", "ignore"},
              {"on_configuration_change", "apply"},
              {"grants", Dict{}},
              {"packages", List{}},
              {"docs", Dict{{"show", true}}},
              {"contract", Dict{{"enforced", false}, {"alias_types", true}}},
              {"lookback", 1}};
}

Dict TestDefaults() {
  return Dict{{"enabled", true},         {"tags", List{}},
              {"meta", Dict{}},          {"schema", "dbt_test__audit"},
              {"materialized", "test"},  {"severity", "ERROR"},
              {"fail_calc", "count(*)"}, {"warn_if", "!= 0"},
              {"error_if", "!= 0"}};
}

enum class Merge { kClobber, kAppend, kUpdate, kDictKeyAppend };

Merge MergeOf(const std::string& key) {
  if (key == "tags" || key == "pre-hook" || key == "post-hook" || key == "packages")
    return Merge::kAppend;
  if (key == "meta" || key == "quoting" || key == "column_types" || key == "docs" ||
      key == "contract")
    return Merge::kUpdate;
  if (key == "grants") return Merge::kDictKeyAppend;
  return Merge::kClobber;
}

List Listify(const Value& v) {
  if (v.IsList()) return v.AsList();
  if (v.IsNone() || v.IsUndefined()) return {};
  return List{v};
}

Value Append(const std::string& key, const Value& old, const Value& add) {
  List out = Listify(old);
  for (const Value& item : Listify(add)) {
    // Tags are a set to users (dbt dedupes them on the node); hooks may repeat.
    if (key == "tags" && std::find(out.begin(), out.end(), item) != out.end()) continue;
    out.push_back(item);
  }
  return Value(std::move(out));
}

Value Update(const Value& old, const Value& add, bool key_append) {
  if (!add.IsDict()) return add;
  Dict out = old.IsDict() ? old.AsDict() : Dict{};
  for (const auto& [k, v] : add.AsDict()) {
    // grants: {"+select": [...]} adds grantees instead of replacing them.
    if (key_append && !k.empty() && k[0] == '+') {
      std::string name = k.substr(1);
      const Value* existing = out.Find(name);
      out.Set(name, Append(name, existing ? *existing : Value(), v));
    } else {
      out.Set(k, v);
    }
  }
  return Value(std::move(out));
}

std::string CanonicalKey(std::string key) {
  if (key == "pre_hook") return "pre-hook";
  if (key == "post_hook") return "post-hook";
  return key;
}

// One tree level (or the root when fqn is exhausted) applied along `fqn`.
void ApplyTree(Dict& result, const Value& tree, const std::vector<std::string>& fqn) {
  if (!tree.IsDict()) return;
  const Dict* level = &tree.AsDict();
  MergeConfig(result, LevelConfigs(*level));
  for (const std::string& name : fqn) {
    const Value* next = level->Find(name);
    if (next == nullptr || !next->IsDict()) break;
    level = &next->AsDict();
    MergeConfig(result, LevelConfigs(*level));
  }
}

// The trees as dbt renders dbt_project.yml: strings rendered, hooks kept.
Value RenderTree(const YAML::Node& tree, const YamlRenderer& renderer) {
  if (!tree || tree.IsNull()) return Value(Dict{});
  SkipKey hooks = [](const std::vector<std::string>& keypath) {
    return std::any_of(keypath.begin(), keypath.end(),
                       [](const std::string& k) { return IsHookKey(k); });
  };
  return renderer.Render(tree, "dbt_project.yml", hooks);
}

}  // namespace

Dict DefaultConfig(NodeKind kind) {
  switch (kind) {
    case NodeKind::kModel:
    case NodeKind::kAnalysis: {
      Dict d = NodeDefaults("view");
      d.Set("access", "protected");
      return d;
    }
    case NodeKind::kSeed: {
      Dict d = NodeDefaults("seed");
      d.Set("delimiter", ",");
      d.Set("quote_columns", Value());  // None: the adapter's default (quoted)
      return d;
    }
    case NodeKind::kSnapshot: {
      Dict d = NodeDefaults("snapshot");
      d.Set("snapshot_meta_column_names", Dict{});
      return d;
    }
    case NodeKind::kTest:
      return TestDefaults();
  }
  return {};
}

Dict DefaultSourceConfig() { return Dict{{"enabled", true}, {"tags", List{}}, {"meta", Dict{}}}; }

void MergeConfig(Dict& into, const Dict& partial) {
  for (const auto& [raw_key, value] : partial) {
    std::string key = CanonicalKey(raw_key);
    const Value* old = into.Find(key);
    switch (MergeOf(key)) {
      case Merge::kAppend:
        into.Set(key, Append(key, old ? *old : Value(), value));
        break;
      case Merge::kUpdate:
        into.Set(key, Update(old ? *old : Value(), value, false));
        break;
      case Merge::kDictKeyAppend:
        into.Set(key, Update(old ? *old : Value(), value, true));
        break;
      case Merge::kClobber:
        into.Set(key, value);
        break;
    }
  }
}

Dict LevelConfigs(const Dict& level) {
  Dict out;
  for (const auto& [key, value] : level) {
    if (!key.empty() && key[0] == '+') {
      size_t start = key.find_first_not_of("+ ");
      if (start != std::string::npos) out.Set(key.substr(start), value);
    } else if (!value.IsDict()) {
      out.Set(key, value);
    }
  }
  return out;
}

ConfigResolver::ConfigResolver(const Project& project, const YamlRenderer& renderer)
    : models_(RenderTree(project.models, renderer)),
      seeds_(RenderTree(project.seeds, renderer)),
      snapshots_(RenderTree(project.snapshots, renderer)),
      tests_(RenderTree(project.tests, renderer)),
      sources_(RenderTree(project.sources, renderer)) {}

Dict ConfigResolver::Resolve(NodeKind kind, const std::vector<std::string>& fqn,
                             const Dict* patch) const {
  Dict result = DefaultConfig(kind);
  const Value* tree = &models_;  // analyses read models: as in dbt
  if (kind == NodeKind::kSeed) tree = &seeds_;
  if (kind == NodeKind::kSnapshot) tree = &snapshots_;
  if (kind == NodeKind::kTest) tree = &tests_;
  ApplyTree(result, *tree, fqn);
  if (patch) MergeConfig(result, *patch);
  return result;
}

Dict ConfigResolver::ResolveSource(const std::vector<std::string>& fqn, const Dict& patch) const {
  Dict result = DefaultSourceConfig();
  ApplyTree(result, sources_, fqn);
  MergeConfig(result, patch);
  return result;
}

}  // namespace wharf::models::project
