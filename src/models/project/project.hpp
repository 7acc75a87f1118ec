#pragma once
// wharf::models::project: a dbt project as files on disk, read into plain
// structs. Nothing here talks to a database or renders model SQL; the dbt layer
// (models/dbt) compiles and runs what this finds.
//
//   ProjectOptions o{.project_dir = "analytics", .cli_vars = vars};
//   Project p = LoadProject(o);          // dbt_project.yml
//   Profile prof = LoadProfile(p, o);    // profiles.yml, dbt's lookup order
//   Manifest m = DiscoverNodes(p);       // models, seeds, tests, snapshots, sources, macros, docs
//
// Errors are wharf::Error(kConfig) naming the file (and line:column where YAML
// gives one) and saying what to do.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/jinja/environment.hpp"
#include "models/jinja/value.hpp"

namespace wharf::models::project {

struct ProjectOptions {
  std::filesystem::path project_dir = ".";            // --project-dir
  std::optional<std::filesystem::path> profiles_dir;  // --profiles-dir
  std::optional<std::string> target;                  // --target
  jinja::Dict cli_vars;                               // --vars (parsed YAML dict)
  // When set, the profile used if no profiles.yml names the project's profile
  // (wharf run: the models build in wharf's own warehouse).
  struct Fallback {
    std::string type;    // "duckdb" | "postgres"
    std::string path;    // duckdb file
    std::string dsn;     // postgres
    std::string schema;  // models' schema
  };
  std::optional<Fallback> fallback_profile;
};

struct Project {
  std::filesystem::path root;  // absolute
  std::string name;
  std::string profile;  // profile name (dbt_project.yml `profile:`; defaults to name)
  std::string version;
  std::string config_version;
  std::vector<std::string> model_paths{"models"};
  std::vector<std::string> seed_paths{"seeds"};
  std::vector<std::string> test_paths{"tests"};
  std::vector<std::string> macro_paths{"macros"};
  std::vector<std::string> snapshot_paths{"snapshots"};
  std::vector<std::string> analysis_paths{"analyses"};
  std::vector<std::string> docs_paths;  // empty: dbt's default (all resource paths)
  std::string target_path = "target";
  std::vector<std::string> clean_targets;
  // `vars:` of dbt_project.yml: {name: value} (a var scoped by project name,
  // `vars: {my_project: {x: 1}}`, is flattened in when it is this project's,
  // winning over a global var of the same name). Kept as written: dbt renders
  // a var's Jinja when var() reads it.
  jinja::Dict vars;
  // options.cli_vars, kept for var() when DiscoverNodes renders configs.
  jinja::Dict cli_vars;
  // The config trees, as written (keys may start with '+'). Jinja inside their
  // string values is rendered when a node's config is resolved.
  YAML::Node models, seeds, snapshots, tests, sources;
  std::vector<std::string> on_run_start, on_run_end;
  // `dispatch:` search orders: macro_namespace -> packages (kept for adapter.dispatch).
  std::map<std::string, std::vector<std::string>> dispatch;
};

// Reads <project_dir>/dbt_project.yml. Jinja in values ({{ env_var('X') }},
// {{ var('y') }}) is rendered, except in vars, the config trees (see above) and
// hooks. var() here reads --vars, then the project's vars (dbt: --vars only).
Project LoadProject(const ProjectOptions& options);

struct Profile {
  std::string profile_name;
  std::string target_name;  // "dev", or "wharf" for the fallback
  std::string type;         // "duckdb" | "postgres"
  std::string schema;       // target.schema (duckdb default "main")
  std::string database;     // duckdb: the catalog, i.e. the file's stem ("memory" for :memory:);
                            // postgres: dbname
  int threads = 1;
  // duckdb
  std::string path;  // absolute, or ":memory:"
  // postgres: a libpq connection string built from host, port, user, password
  // (or pass), dbname (or database), sslmode, connect_timeout, keepalives_idle.
  std::string dsn;
  // Every field of the output with Jinja rendered, password removed: `target`
  // in templates (name, type, schema, database, threads, profile_name, ...).
  jinja::Dict target;
  // Where it was read from, for messages ("~/.dbt/profiles.yml", or "wharf.yaml").
  std::string origin;
};

// dbt's lookup: --profiles-dir, then $DBT_PROFILES_DIR, then the current
// directory, then ~/.dbt/. The output is options.target, else the profile's
// `target:`. When no profiles.yml names the profile and a fallback is set,
// the fallback is used. A relative duckdb path is relative to the current
// directory (as in dbt). Jinja in the output is rendered with env_var() and
// var() (--vars only), as dbt's profile renderer does.
Profile LoadProfile(const Project& project, const ProjectOptions& options);

// ---- Nodes ----------------------------------------------------------------

enum class NodeKind { kModel, kSeed, kSnapshot, kTest, kAnalysis };
const char* NodeKindName(NodeKind kind);  // "model", "seed", "snapshot", "test", "analysis"

struct ColumnSpec {
  std::string name;
  std::string description;
  std::string data_type;  // "" when not given
  bool quote = false;
};

// A generic test instance from YAML: `- unique`, `- accepted_values: {values: [...]}`,
// `- relationships: {to: ref('x'), field: id}` or dbt 1.10's `arguments:`.
struct GenericTest {
  std::string test_name;   // "unique", "not_null", "accepted_values", "relationships", or a user
                           // generic test
  std::string namespace_;  // "dbt_utils" in `dbt_utils.unique_combination...`; "" for none
  // The test's arguments as written (Jinja not rendered: dbt renders them at
  // compile time), column_name included when on a column; `model` is not in
  // here (see model_arg). Config keys (severity, where, ...) are in the node's config.
  jinja::Dict kwargs;
  std::string attached_to;  // unique_id of the model/seed/snapshot/source tested
  std::string column_name;  // "" for a model-level test; "\"Name\"" for a column with quote: true
  // The `model` argument as dbt writes it: "{{ get_where_subquery(ref('orders')) }}"
  // or "{{ get_where_subquery(source('shop', 'orders')) }}".
  std::string model_arg;
};

struct Node {
  std::string
      unique_id;  // model.<project>.<name>, seed..., snapshot..., test.<project>.<name>.<hash10>
  NodeKind kind = NodeKind::kModel;
  std::string name;
  std::string package_name;        // the project's name
  std::string path;                // relative to its resource path: "staging/stg_orders.sql"
  std::string original_file_path;  // relative to the project root: "models/staging/stg_orders.sql"
  std::vector<std::string> fqn;    // [project, folders..., name]
  // SQL as written. Snapshots: the body inside {% snapshot name %}...{% endsnapshot %}
  // (YAML snapshots: "select * from {{ <relation> }}"); generic tests: empty (the
  // compiler builds the call from `test`).
  std::string raw_code;
  std::string seed_file;  // seeds: absolute path of the CSV
  // Resolved config: dbt's defaults for the kind, the project's config tree
  // from the root folder down to the node, then the YAML `config:` of the
  // node (for a generic test: its own config and severity/where/... keys).
  // Keys without '+'. In-file config() calls are merged later, at parse.
  jinja::Dict config;
  std::string description;
  std::vector<ColumnSpec> columns;
  std::optional<GenericTest> test;  // generic tests only
  std::string patch_path;           // the YAML file that described it, if any
};

struct SourceTable {
  std::string unique_id;  // source.<project>.<source_name>.<table_name>
  std::string source_name;
  std::string name;        // the table name templates use
  std::string identifier;  // the relation name (defaults to name)
  std::string schema;      // defaults to source_name
  std::string database;    // "" : the target's
  std::string description;
  std::vector<ColumnSpec> columns;
  jinja::Dict
      config;  // enabled, tags, meta (+ freshness, loaded_at_field, quoting, loader when set)
  std::vector<std::string> fqn;  // [project, folders of the yml..., source_name, table]
  std::string original_file_path;
};

struct MacroFile {
  std::string path;  // relative to the project root
  std::string text;
};

struct DocBlock {
  std::string name;
  std::string text;
};

struct Manifest {
  std::vector<Node> nodes;  // models, seeds, snapshots, tests, analyses
  std::vector<SourceTable> sources;
  std::vector<MacroFile>
      macros;  // every .sql under macro_paths (and generic tests under tests/generic)
  std::vector<DocBlock> docs;  // {% docs name %}...{% enddocs %} in .md files
};

// Walks the project's paths (sorted, so the result is the same on every
// machine): .sql models, .csv seeds, .sql singular tests (tests/generic/ holds
// macros), snapshots, macros, .md docs, and every .yml/.yaml under the model,
// seed, snapshot and test paths for descriptions, configs, columns, tests
// and sources. Disabled nodes (config enabled: false) are left out, with the
// tests attached to them. A YAML entry naming a missing model is a warning
// (dbt's behaviour), two models of one name an error. Configs are rendered
// with `target` (profile.target), var() and env_var().
Manifest DiscoverNodes(const Project& project, const Profile& profile);

// dbt's value filters (as_bool, as_number, as_native, as_text), in every context.
void AddNativeFilters(jinja::Environment& env);

// Reads a whole file; kConfig error naming `display` when it cannot.
std::string ReadTextFile(const std::filesystem::path& path, const std::string& display);

// YAML <-> Jinja values (scalars typed as YAML 1.1 core: ints, floats, true/false, null).
jinja::Value ToValue(const YAML::Node& node);
// Parses --vars: a YAML (or JSON) mapping; "{}" and "" give an empty dict.
jinja::Dict ParseVars(const std::string& text);

}  // namespace wharf::models::project
