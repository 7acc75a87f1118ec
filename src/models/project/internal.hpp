#pragma once
// Pieces shared by the files of wharf::models::project. Not part of its API:
// only this folder (and its unit test) include it.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/jinja/environment.hpp"
#include "models/project/project.hpp"

namespace wharf::models::project {

// ---- YAML (yaml_value.cpp) --------------------------------------------------

// Reads and parses a YAML file. `display` names it in errors, which carry
// line:column ("models/schema.yml:4:7: ..."). An empty file is a null node.
YAML::Node LoadYamlFile(const std::filesystem::path& path, const std::string& display);
// "file:line:column" of `node` (1-based), or just "file" when YAML has no mark.
std::string Where(const std::string& file, const YAML::Node& node);
// A plain scalar's text, the empty string for null; other nodes are dumped.
std::string ScalarText(const YAML::Node& node);
// `value` as a list of strings: one string, or a list of scalars. `what` and
// `where` name it in the error for anything else.
std::vector<std::string> StringList(const jinja::Value& value, const std::string& what,
                                    const std::string& where);

// ---- Jinja in YAML values (render.cpp) ---------------------------------------

// True for the key paths whose values must stay as written (hooks, tests...).
using SkipKey = std::function<bool(const std::vector<std::string>& keypath)>;

// Renders strings found in YAML the way dbt's YAML renderers do: env_var(),
// var() and (where dbt has one) `target` are defined; a string holding no
// Jinja is kept; a string that is one `{{ expression }}` becomes the
// expression's value (dbt's native rendering: `{{ target.name == 'prod' }}`
// is a bool, `{{ 3 }}` an int; as_bool/as_number/as_native convert strings);
// anything else renders to a string.
class YamlRenderer {
 public:
  // `target` is null where dbt has no target (profiles.yml, the top level of
  // dbt_project.yml). var() reads cli_vars first, then project_vars.
  YamlRenderer(jinja::Dict cli_vars, jinja::Dict project_vars,
               std::optional<jinja::Dict> target = std::nullopt);

  // `where` ("models/schema.yml:3:9") prefixes errors.
  jinja::Value RenderText(const std::string& text, const std::string& where) const;
  // `node` as a Value with its strings rendered, except below key paths for
  // which `skip` is true (those are converted as written).
  jinja::Value Render(const YAML::Node& node, const std::string& file,
                      const SkipKey& skip = {}) const;
  // A scalar rendered to a string ("" for null).
  std::string RenderScalar(const YAML::Node& node, const std::string& file) const;

 private:
  jinja::Value RenderAt(const YAML::Node& node, const std::string& file, const SkipKey& skip,
                        std::vector<std::string>& keypath) const;

  jinja::Environment env_;
  jinja::Dict context_;
  // Where the one-expression form leaves its value (see RenderText).
  std::shared_ptr<jinja::Value> captured_;
};

// dbt's hook keys ("pre-hook", "+post_hook", ...): never rendered at load.
bool IsHookKey(std::string_view key);

// ---- Profiles (profile_targets.cpp) --------------------------------------------

// A Profile from one rendered output of profiles.yml (`where` names it in errors).
Profile BuildProfile(const std::string& profile_name, const std::string& target_name,
                     const jinja::Dict& output, const std::string& where);
// The profile wharf.yaml supplies when no profiles.yml has the project's.
Profile FallbackProfile(const Project& project, const ProjectOptions::Fallback& fallback);
// A value for a libpq "key=value" connection string, quoted when it must be.
std::string DsnValue(const std::string& value);

// ---- Config (config_tree.cpp) ------------------------------------------------

// dbt's defaults for a node kind (NodeConfig, SeedConfig, SnapshotConfig,
// TestConfig), without the keys whose default is None.
jinja::Dict DefaultConfig(NodeKind kind);
jinja::Dict DefaultSourceConfig();
// Applies `partial` over `into` with dbt's merge behaviours: tags, pre-hook,
// post-hook and packages append (tags without repeats); meta, quoting,
// column_types, docs and contract merge key by key; grants merge with "+role"
// keys appending; everything else is replaced.
void MergeConfig(jinja::Dict& into, const jinja::Dict& partial);

// The project's config trees, rendered once, applied along a node's fqn.
class ConfigResolver {
 public:
  ConfigResolver(const Project& project, const YamlRenderer& renderer);
  // defaults <- tree levels along fqn <- `patch` (a schema file's config:, or
  // a generic test's own config).
  jinja::Dict Resolve(NodeKind kind, const std::vector<std::string>& fqn,
                      const jinja::Dict* patch = nullptr) const;
  jinja::Dict ResolveSource(const std::vector<std::string>& fqn, const jinja::Dict& patch) const;

 private:
  jinja::Value models_, seeds_, snapshots_, tests_, sources_;
};

// The configs one level of a tree sets: "+key" entries, and bare keys whose
// value is not a mapping (a mapping is a folder or node name: dbt's rule).
jinja::Dict LevelConfigs(const jinja::Dict& level);

// ---- Files and blocks (files.cpp) ---------------------------------------------

// Regular files under root/dir (recursively) whose names end in one of
// `extensions`, as paths relative to root/dir with '/' separators, sorted.
std::vector<std::string> FilesUnder(const std::filesystem::path& root, const std::string& dir,
                                    const std::vector<std::string>& extensions);
// "models/staging" + "x.sql" -> "models/staging/x.sql" (normalized, '/').
std::string JoinPath(const std::string& dir, const std::string& rel);
// "staging/sub/x.sql" -> {"staging", "sub"}.
std::vector<std::string> Folders(const std::string& rel);
// "staging/x.sql" -> "x".
std::string Stem(const std::string& rel);

struct Block {
  std::string name;
  std::string body;  // raw text between the tags
  int line = 0;      // of the opening tag, 1-based
};
// `{% tag name %}...{% endtag %}` blocks (with or without '-' whitespace
// control). `file` names errors: an unclosed or nested block.
std::vector<Block> ExtractBlocks(std::string_view text, std::string_view tag,
                                 const std::string& file);

// ---- Files as nodes (discover_files.cpp) --------------------------------------

// What the SQL, CSV and Markdown files hold, before schema files and configs:
// models, seeds, snapshots, analyses and singular tests (config unresolved),
// macro files and docs blocks.
struct FileNodes {
  std::vector<Node> nodes;
  std::vector<MacroFile> macros;
  std::vector<DocBlock> docs;
};
FileNodes ReadFileNodes(const Project& project);

// ---- Schema files (schema_yaml.cpp) ------------------------------------------

struct ColumnYaml {
  ColumnSpec spec;
  std::vector<std::string> tags;  // column tags and config.tags
  std::vector<YAML::Node> tests;  // tests / data_tests entries, as written
};

// A `models:` / `seeds:` / `snapshots:` entry.
struct Patch {
  NodeKind kind = NodeKind::kModel;
  std::string name;
  std::string where;  // file:line:col of the entry
  std::string description;
  jinja::Dict config;  // config: (rendered, hooks as written), plus top-level docs/meta
  std::vector<ColumnYaml> columns;
  std::vector<YAML::Node> tests;
  std::string relation;  // snapshots defined in YAML (dbt 1.9): "ref('orders')"
};

struct SourceTableYaml {
  SourceTable table;              // unique_id, names, columns, description; config not resolved
  jinja::Dict config_patch;       // source config, then table config, tags and meta merged
  std::vector<std::string> tags;  // source + table tags, for the tests
  std::vector<ColumnYaml> columns;
  std::vector<YAML::Node> tests;
};

struct SchemaFile {
  std::string path;          // relative to the project root: "models/staging/schema.yml"
  std::string resource_rel;  // relative to its resource path: "staging/schema.yml"
  std::vector<Patch> patches;
  std::vector<SourceTableYaml> sources;
};

SchemaFile ParseSchemaFile(const Project& project, const std::string& resource_dir,
                           const std::string& rel, const YamlRenderer& renderer);

// ---- Generic tests (generic_tests.cpp, test_names.cpp) -------------------------

// What a generic test is attached to.
struct TestTarget {
  bool is_source = false;
  std::string name;               // model name, or "<source>_<table>" (dbt's name for naming)
  std::string relation;           // "ref('orders')" or "source('shop', 'orders')"
  std::string unique_id;          // of the tested node or source
  std::vector<std::string> tags;  // sources: source and table tags
};

// Builds the test node for one `tests:` entry, or nullopt when its config
// disables it. `column` is null for a model-level test.
std::optional<Node> BuildGenericTest(const Project& project, const ConfigResolver& resolver,
                                     const YamlRenderer& renderer, const SchemaFile& file,
                                     const TestTarget& target, const ColumnYaml* column,
                                     const YAML::Node& entry);

// dbt's synthesize_generic_test_names: {short name (<64 chars, hashed when
// long: the compiled file and alias), full name (unique_id and fqn)}.
// `test_type` is e.g. "unique", "source_not_null" or "dbt_utils_expression_is_true";
// `args` the kwargs (a "model" key is skipped).
std::pair<std::string, std::string> SynthesizeTestNames(const std::string& test_type,
                                                        const std::string& target_name,
                                                        const jinja::Dict& args);
// The 10-character suffix of a generic test's unique_id: the tail of md5(name +
// repr(get_hashable_md({namespace, name, kwargs}))) as in dbt's create_test_node.
std::string TestHash(const std::string& node_name, const std::string& namespace_,
                     const std::string& test_name, const jinja::Dict& kwargs_with_model);
// Python's str() and repr() of a YAML-born value (what dbt's names and hashes use).
std::string PyStr(const jinja::Value& v);
std::string PyRepr(const jinja::Value& v);
std::string Md5Hex(std::string_view data);

}  // namespace wharf::models::project
