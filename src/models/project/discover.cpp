// DiscoverNodes: files -> nodes, schema files -> descriptions, configs,
// generic tests and sources; then configs resolved and disabled nodes (with
// their tests) left out.
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "core/error.hpp"
#include "core/nearest.hpp"
#include "models/project/internal.hpp"

namespace wharf::models::project {

namespace {

using jinja::Dict;
using Key = std::pair<NodeKind, std::string>;  // (kind, name)

// Every .yml/.yaml under the resource paths, each file once.
std::vector<SchemaFile> ReadSchemaFiles(const Project& p, const YamlRenderer& renderer) {
  std::vector<SchemaFile> out;
  std::set<std::string> seen;
  for (const auto* list : {&p.model_paths, &p.seed_paths, &p.snapshot_paths, &p.test_paths,
                           &p.analysis_paths, &p.macro_paths}) {
    for (const auto& dir : *list) {
      for (const auto& rel : FilesUnder(p.root, dir, {".yml", ".yaml"})) {
        if (seen.insert(JoinPath(dir, rel)).second)
          out.push_back(ParseSchemaFile(p, dir, rel, renderer));
      }
    }
  }
  return out;
}

std::map<Key, const Patch*> IndexPatches(const std::vector<SchemaFile>& files) {
  std::map<Key, const Patch*> out;
  for (const auto& file : files) {
    for (const auto& patch : file.patches) {
      auto [it, fresh] = out.emplace(Key{patch.kind, patch.name}, &patch);
      if (!fresh) {
        Fail(ErrorKind::kConfig, "{}: {} '{}' is also described at {}; merge the two entries",
             patch.where, NodeKindName(patch.kind), patch.name, it->second->where);
      }
    }
  }
  return out;
}

// dbt 1.9 snapshots defined in YAML: `relation:` and a config, no SQL file.
void AddYamlSnapshots(const Project& p, const std::vector<SchemaFile>& files,
                      std::vector<Node>& nodes) {
  for (const auto& file : files) {
    for (const auto& patch : file.patches) {
      if (patch.kind != NodeKind::kSnapshot || patch.relation.empty()) continue;
      Node n;
      n.kind = NodeKind::kSnapshot;
      n.name = patch.name;
      n.package_name = p.name;
      n.unique_id = "snapshot." + p.name + "." + patch.name;
      n.path = file.resource_rel + "/" + patch.name + ".sql";
      n.original_file_path = file.path;
      n.fqn = {p.name};
      for (auto& f : Folders(file.resource_rel)) n.fqn.push_back(f);
      n.fqn.push_back(patch.name);
      n.raw_code = "select * from {{ " + patch.relation + " }}";
      nodes.push_back(std::move(n));
    }
  }
}

void ApplyPatch(Node& n, const Patch& patch, const std::string& file) {
  n.description = patch.description;
  for (const auto& c : patch.columns) n.columns.push_back(c.spec);
  n.patch_path = file;
}

bool Refable(NodeKind k) {
  return k == NodeKind::kModel || k == NodeKind::kSeed || k == NodeKind::kSnapshot;
}

// Two enabled nodes one ref() could mean, or two tests of one name: dbt's errors.
void CheckDuplicates(const std::vector<Node>& nodes) {
  std::map<std::string, const Node*> names, ids;
  for (const auto& n : nodes) {
    const Node*& same = Refable(n.kind) ? names[n.name] : ids[n.unique_id];
    if (same == nullptr) {
      same = &n;
      continue;
    }
    Fail(ErrorKind::kConfig, "dbt found two {}s named '{}': {} and {}; rename one{}",
         same->kind == n.kind ? NodeKindName(n.kind) : "resource", n.name, same->original_file_path,
         n.original_file_path,
         n.kind == NodeKind::kTest ? " (a generic test takes name: to set its own)" : "");
  }
}

struct Discovery {
  const Project& project;
  const YamlRenderer& renderer;
  const ConfigResolver& resolver;
  Manifest manifest;
  std::map<Key, std::string> enabled;  // unique_ids by kind and name, once configs are resolved
  std::set<Key> disabled;

  void ResolveNodes(std::vector<Node> nodes, const std::map<Key, const Patch*>& patches,
                    const std::vector<SchemaFile>& files);
  void AddPatchTests(const SchemaFile& file);
  void AddSources(const SchemaFile& file);
  void AddTests(const SchemaFile& file, const TestTarget& target,
                const std::vector<ColumnYaml>& columns, const std::vector<YAML::Node>& tests,
                bool table_tests_first);
};

void Discovery::ResolveNodes(std::vector<Node> nodes, const std::map<Key, const Patch*>& patches,
                             const std::vector<SchemaFile>& files) {
  std::map<const Patch*, std::string> patch_file;
  for (const auto& f : files)
    for (const auto& patch : f.patches) patch_file[&patch] = f.path;
  for (auto& n : nodes) {
    auto it = Refable(n.kind) ? patches.find({n.kind, n.name}) : patches.end();
    const Patch* patch = it == patches.end() ? nullptr : it->second;
    n.config = resolver.Resolve(n.kind, n.fqn, patch ? &patch->config : nullptr);
    if (patch) ApplyPatch(n, *patch, patch_file[patch]);
    if (!n.config.Find("enabled")->Truthy()) {
      disabled.insert({n.kind, n.name});
      continue;
    }
    enabled[{n.kind, n.name}] = n.unique_id;
    manifest.nodes.push_back(std::move(n));
  }
}

void Discovery::AddTests(const SchemaFile& file, const TestTarget& target,
                         const std::vector<ColumnYaml>& columns,
                         const std::vector<YAML::Node>& tests, bool table_tests_first) {
  auto add = [&](const ColumnYaml* column, const YAML::Node& entry) {
    if (auto node = BuildGenericTest(project, resolver, renderer, file, target, column, entry))
      manifest.nodes.push_back(std::move(*node));
  };
  if (table_tests_first)  // dbt's order for sources; models list column tests first
    for (const auto& t : tests) add(nullptr, t);
  for (const auto& c : columns)
    for (const auto& t : c.tests) add(&c, t);
  if (!table_tests_first)
    for (const auto& t : tests) add(nullptr, t);
}

void Discovery::AddPatchTests(const SchemaFile& file) {
  for (const auto& patch : file.patches) {
    Key key{patch.kind, patch.name};
    auto it = enabled.find(key);
    if (it == enabled.end()) {
      if (disabled.count(key)) continue;  // its tests go with it
      std::vector<std::string> names;
      for (const auto& [k, _] : enabled)
        if (k.first == patch.kind) names.push_back(k.second);
      auto near = core::Nearest(patch.name, names, 3);
      spdlog::warn("{}: no {} named '{}' was found; this entry and its tests are ignored{}",
                   patch.where, NodeKindName(patch.kind), patch.name,
                   near ? " (did you mean '" + *near + "'?)" : "");
      continue;
    }
    TestTarget target{false, patch.name, "ref('" + patch.name + "')", it->second, {}};
    AddTests(file, target, patch.columns, patch.tests, false);
  }
}

void Discovery::AddSources(const SchemaFile& file) {
  for (const auto& s : file.sources) {
    SourceTable table = s.table;
    table.config = resolver.ResolveSource(table.fqn, s.config_patch);
    if (!table.config.Find("enabled")->Truthy()) continue;
    for (const auto& other : manifest.sources) {
      if (other.unique_id == table.unique_id) {
        Fail(ErrorKind::kConfig,
             "{}: source '{}' table '{}' is also defined in {}; define each source once", file.path,
             table.source_name, table.name, other.original_file_path);
      }
    }
    TestTarget target{true, table.source_name + "_" + table.name,
                      "source('" + table.source_name + "', '" + table.name + "')", table.unique_id,
                      s.tags};
    manifest.sources.push_back(std::move(table));
    AddTests(file, target, s.columns, s.tests, true);
  }
}

}  // namespace

Manifest DiscoverNodes(const Project& project, const Profile& profile) {
  YamlRenderer renderer(project.cli_vars, project.vars, profile.target);
  ConfigResolver resolver(project, renderer);
  FileNodes files = ReadFileNodes(project);
  std::vector<SchemaFile> schemas = ReadSchemaFiles(project, renderer);
  auto patches = IndexPatches(schemas);
  AddYamlSnapshots(project, schemas, files.nodes);

  Discovery d{project, renderer, resolver, {}, {}, {}};
  d.ResolveNodes(std::move(files.nodes), patches, schemas);
  CheckDuplicates(d.manifest.nodes);  // before tests pick a node by name
  for (const auto& file : schemas) d.AddPatchTests(file);
  for (const auto& file : schemas) d.AddSources(file);
  CheckDuplicates(d.manifest.nodes);
  d.manifest.macros = std::move(files.macros);
  d.manifest.docs = std::move(files.docs);
  return std::move(d.manifest);
}

}  // namespace wharf::models::project
