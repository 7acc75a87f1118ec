// Schema files (version: 2 YAML under the resource paths): models:, seeds:,
// snapshots: patches and sources:. Rendered as dbt's SchemaYamlRenderer does:
// names and configs are rendered, descriptions and tests are not (tests are
// rendered by the test builder, descriptions by the docs layer).
#include <spdlog/spdlog.h>

#include <set>

#include "core/error.hpp"
#include "models/project/internal.hpp"

namespace wharf::models::project {

namespace {

using jinja::Dict;
using jinja::Value;

struct Reader {
  const Project& project;
  const YamlRenderer& renderer;
  const std::string& file;

  Value Rendered(const YAML::Node& node) const {
    SkipKey hooks = [](const std::vector<std::string>& keypath) { return IsHookKey(keypath[0]); };
    return renderer.Render(node, file, hooks);
  }
  Dict Mapping(const YAML::Node& node, const char* what) const {
    if (!node || node.IsNull()) return {};
    Value v = Rendered(node);
    if (!v.IsDict()) Fail(ErrorKind::kConfig, "{}: {} must be a mapping", Where(file, node), what);
    return v.AsDict();
  }
  std::string Name(const YAML::Node& entry, const char* what) const {
    if (!entry.IsMap() || !entry["name"]) {
      Fail(ErrorKind::kConfig, "{}: each {} entry needs a name: (and is a mapping)",
           Where(file, entry), what);
    }
    return renderer.RenderScalar(entry["name"], file);
  }
  std::vector<std::string> Tags(const YAML::Node& node) const {
    return StringList(Rendered(node), "tags", Where(file, node));
  }
  // tests: or data_tests: (dbt 1.8 renamed it; both at once is an error there too).
  std::vector<YAML::Node> Tests(const YAML::Node& entry) const {
    if (entry["tests"] && entry["data_tests"]) {
      Fail(ErrorKind::kConfig, "{}: both tests: and data_tests: are set; keep data_tests: only",
           Where(file, entry));
    }
    YAML::Node list = entry["data_tests"] ? entry["data_tests"] : entry["tests"];
    if (!list || list.IsNull()) return {};
    if (!list.IsSequence()) Fail(ErrorKind::kConfig, "{}: tests must be a list", Where(file, list));
    return {list.begin(), list.end()};
  }

  ColumnYaml Column(const YAML::Node& node) const;
  std::vector<ColumnYaml> Columns(const YAML::Node& entry) const;
  Patch ReadPatch(NodeKind kind, const YAML::Node& entry) const;
  void ReadSource(const YAML::Node& source, SchemaFile& out) const;
};

ColumnYaml Reader::Column(const YAML::Node& node) const {
  ColumnYaml c;
  c.spec.name = Name(node, "columns");
  c.spec.description = ScalarText(node["description"]);
  c.spec.data_type = renderer.RenderScalar(node["data_type"], file);
  c.spec.quote = ToValue(node["quote"]).Truthy();
  c.tags = Tags(node["tags"]);
  Dict config = Mapping(node["config"], "a column's config");
  if (const Value* tags = config.Find("tags"))
    for (auto& t : StringList(*tags, "tags", Where(file, node))) c.tags.push_back(t);
  c.tests = Tests(node);
  return c;
}

std::vector<ColumnYaml> Reader::Columns(const YAML::Node& entry) const {
  YAML::Node list = entry["columns"];
  if (!list || list.IsNull()) return {};
  if (!list.IsSequence())
    Fail(ErrorKind::kConfig, "{}: columns must be a list of {{name: ...}}", Where(file, list));
  std::vector<ColumnYaml> out;
  for (const auto& col : list) out.push_back(Column(col));
  return out;
}

Patch Reader::ReadPatch(NodeKind kind, const YAML::Node& entry) const {
  Patch p;
  p.kind = kind;
  p.name = Name(entry, NodeKindName(kind));
  p.where = Where(file, entry);
  p.description = ScalarText(entry["description"]);
  // Top-level docs: and meta: predate config: and still patch the config.
  if (entry["docs"]) MergeConfig(p.config, Dict{{"docs", Rendered(entry["docs"])}});
  if (entry["meta"]) MergeConfig(p.config, Dict{{"meta", Rendered(entry["meta"])}});
  MergeConfig(p.config, Mapping(entry["config"], "config"));
  p.columns = Columns(entry);
  p.tests = Tests(entry);
  p.relation = ScalarText(entry["relation"]);
  if (entry["versions"]) {
    spdlog::warn("{}: model versions are not supported; the versions: of '{}' are ignored",
                 Where(file, entry["versions"]), p.name);
  }
  return p;
}

// dbt's source config: source config, then table config; tags and meta are
// gathered from both levels, top-level and config:.
void Reader::ReadSource(const YAML::Node& source, SchemaFile& out) const {
  std::string name = Name(source, "sources");
  Dict source_config = Mapping(source["config"], "config");
  std::vector<std::string> source_tags = Tags(source["tags"]);
  Dict meta = Mapping(source["meta"], "meta");
  YAML::Node tables = source["tables"];
  if (tables && !tables.IsSequence())
    Fail(ErrorKind::kConfig, "{}: tables must be a list", Where(file, tables));
  std::set<std::string> seen;
  for (const auto& t : tables ? tables : YAML::Node(YAML::NodeType::Sequence)) {
    SourceTableYaml s;
    s.table.source_name = name;
    s.table.name = Name(t, "tables");
    if (!seen.insert(s.table.name).second)
      Fail(ErrorKind::kConfig, "{}: table '{}' is listed twice in source '{}'", Where(file, t),
           s.table.name, name);
    s.table.unique_id = "source." + project.name + "." + name + "." + s.table.name;
    s.table.identifier =
        t["identifier"] ? renderer.RenderScalar(t["identifier"], file) : s.table.name;
    s.table.schema = source["schema"] ? renderer.RenderScalar(source["schema"], file) : name;
    s.table.database = renderer.RenderScalar(source["database"], file);
    s.table.description = ScalarText(t["description"]);
    s.table.original_file_path = out.path;
    s.table.fqn = {project.name};
    for (auto& f : Folders(out.resource_rel)) s.table.fqn.push_back(f);
    s.table.fqn.insert(s.table.fqn.end(), {name, s.table.name});
    s.tags = source_tags;
    for (auto& tag : Tags(t["tags"])) s.tags.push_back(tag);
    Dict table_config = Mapping(t["config"], "config");
    s.config_patch = source_config;
    MergeConfig(s.config_patch, table_config);
    MergeConfig(s.config_patch, Dict{{"tags", jinja::List(s.tags.begin(), s.tags.end())}});
    // meta: source's, source config's, table's, table config's, later keys winning.
    Dict merged_meta{{"meta", meta}};
    MergeConfig(merged_meta, Dict{{"meta", source_config.Find("meta") ? *source_config.Find("meta")
                                                                      : Value(Dict{})}});
    MergeConfig(merged_meta, Dict{{"meta", Mapping(t["meta"], "meta")}});
    MergeConfig(merged_meta, Dict{{"meta", table_config.Find("meta") ? *table_config.Find("meta")
                                                                     : Value(Dict{})}});
    s.config_patch.Set("meta", *merged_meta.Find("meta"));
    for (const char* key : {"freshness", "loaded_at_field", "quoting", "loader"}) {
      if (t[key])
        s.config_patch.Set(key, Rendered(t[key]));
      else if (source[key])
        s.config_patch.Set(key, Rendered(source[key]));
    }
    s.columns = Columns(t);
    for (const auto& c : s.columns) s.table.columns.push_back(c.spec);
    s.tests = Tests(t);
    out.sources.push_back(std::move(s));
  }
}

// Top-level keys read elsewhere or not at all (no warning for them).
bool IgnoredKey(const std::string& key) {
  static const std::set<std::string> keys = {
      "version",       "macros", "exposures", "metrics",    "semantic_models", "unit_tests",
      "saved_queries", "groups", "analyses",  "data_tests", "functions"};
  return keys.count(key) > 0;
}

}  // namespace

SchemaFile ParseSchemaFile(const Project& project, const std::string& resource_dir,
                           const std::string& rel, const YamlRenderer& renderer) {
  SchemaFile out;
  out.path = JoinPath(resource_dir, rel);
  out.resource_rel = rel;
  const YAML::Node doc = LoadYamlFile(project.root / out.path, out.path);
  if (doc.IsNull()) return out;
  if (!doc.IsMap())
    Fail(ErrorKind::kConfig, "{}: a schema file must be a mapping (version: 2, models: ...)",
         out.path);
  Reader reader{project, renderer, out.path};
  for (const auto& kv : doc) {
    std::string key = ScalarText(kv.first);
    const YAML::Node& list = kv.second;
    if (IgnoredKey(key) || list.IsNull()) continue;
    bool patches = key == "models" || key == "seeds" || key == "snapshots";
    if (!patches && key != "sources") {
      spdlog::warn("{}: unknown key '{}' ignored", Where(out.path, kv.first), key);
      continue;
    }
    if (!list.IsSequence())
      Fail(ErrorKind::kConfig, "{}: {} must be a list of entries with name:", Where(out.path, list),
           key);
    NodeKind kind = key == "seeds"       ? NodeKind::kSeed
                    : key == "snapshots" ? NodeKind::kSnapshot
                                         : NodeKind::kModel;
    for (const auto& entry : list) {
      if (patches)
        out.patches.push_back(reader.ReadPatch(kind, entry));
      else
        reader.ReadSource(entry, out);
    }
  }
  return out;
}

}  // namespace wharf::models::project
