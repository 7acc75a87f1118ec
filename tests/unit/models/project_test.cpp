// Tests of the dbt project loader (models/project): dbt_project.yml,
// profiles.yml lookup and targets, config resolution, node discovery, schema
// files, sources and generic test naming. Expected test names and unique_id
// hashes come from dbt-core's own algorithm (generic_test_builders.py and
// schema_generic_tests.py run in Python); the jaffle_shop ones
// (unique_orders_order_id.fed79b3a6e, ...) also appear in real dbt manifests.
#include "models/project/project.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "core/error.hpp"
#include "models/project/internal.hpp"
#include "unit/support/temp_dir.hpp"

namespace wharf::models::project {
namespace {

namespace fs = std::filesystem;
using jinja::Value;

// Sets (or unsets, with nullptr) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

class ScopedCwd {
 public:
  explicit ScopedCwd(const fs::path& dir) : old_(fs::current_path()) { fs::current_path(dir); }
  ~ScopedCwd() { fs::current_path(old_); }

 private:
  fs::path old_;
};

// The wharf::Error `fn` throws: its kind and message ("" and kInternal if none).
std::pair<ErrorKind, std::string> ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return {e.kind(), e.message()};
  }
  ADD_FAILURE() << "no error thrown";
  return {ErrorKind::kInternal, ""};
}

std::string Str(const jinja::Dict& d, const char* key) {
  const Value* v = d.Find(key);
  return v ? v->Str() : "<missing>";
}

std::vector<std::string> Strings(const Value& v) {
  std::vector<std::string> out;
  for (const auto& item : v.AsList()) out.push_back(item.Str());
  return out;
}

class DbtProjectTest : public ::testing::Test {
 protected:
  DbtProjectTest()
      : home_("HOME", dir_.path().string().c_str()), env_dir_("DBT_PROFILES_DIR", nullptr) {}

  void Write(const std::string& rel, const std::string& text) {
    fs::path path = dir_.path() / rel;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  void WriteProject(const std::string& extra = "") {
    Write("dbt_project.yml", "name: shop\n" + extra);
  }
  // Isolated from the machine's profiles: $HOME is the temp dir, and no
  // profiles.yml is found unless a test writes one.
  ProjectOptions Options() const {
    ProjectOptions o;
    o.project_dir = dir_.path();
    o.fallback_profile = ProjectOptions::Fallback{"duckdb", ":memory:", "", ""};
    return o;
  }
  Manifest Discover(const ProjectOptions& o) {
    Project p = LoadProject(o);
    return DiscoverNodes(p, LoadProfile(p, o));
  }
  Manifest Discover() { return Discover(Options()); }

  static const Node* FindNode(const Manifest& m, const std::string& name) {
    for (const auto& n : m.nodes)
      if (n.name == name) return &n;
    return nullptr;
  }
  static const Node& Get(const Manifest& m, const std::string& name) {
    const Node* n = FindNode(m, name);
    if (n == nullptr) throw std::runtime_error("no node named " + name);
    return *n;
  }
  static std::vector<std::string> TestIds(const Manifest& m) {
    std::vector<std::string> out;
    for (const auto& n : m.nodes)
      if (n.test) out.push_back(n.unique_id);
    return out;
  }

  test::TempDir dir_{"wharf_dbt_project"};
  ScopedEnv home_, env_dir_;
};

// ---- dbt_project.yml ----

TEST_F(DbtProjectTest, ProjectDefaults) {
  WriteProject();
  Project p = LoadProject(Options());
  EXPECT_EQ(p.name, "shop");
  EXPECT_EQ(p.profile, "shop");
  EXPECT_EQ(p.config_version, "2");
  EXPECT_EQ(p.model_paths, std::vector<std::string>{"models"});
  EXPECT_EQ(p.seed_paths, std::vector<std::string>{"seeds"});
  EXPECT_EQ(p.test_paths, std::vector<std::string>{"tests"});
  EXPECT_EQ(p.snapshot_paths, std::vector<std::string>{"snapshots"});
  EXPECT_TRUE(p.docs_paths.empty());
  EXPECT_EQ(p.target_path, "target");
  EXPECT_EQ(p.root, fs::absolute(dir_.path()).lexically_normal());
}

TEST_F(DbtProjectTest, ProjectFields) {
  WriteProject(
      "profile: warehouse\nversion: 1.0\nconfig-version: 2\n"
      "model-paths: [transform, more/]\nseed-paths: data\ntarget-path: out\n"
      "clean-targets: [out, dbt_packages]\n"
      "on-run-start: \"create schema if not exists {{ target.schema }}\"\n"
      "on-run-end: [\"grant 1\", {sql: \"grant 2\", transaction: false}]\n"
      "dispatch:\n  - macro_namespace: dbt_utils\n    search_order: [shop, dbt_utils]\n"
      "models:\n  shop:\n    +materialized: table\n");
  Project p = LoadProject(Options());
  EXPECT_EQ(p.profile, "warehouse");
  EXPECT_EQ(p.version, "1.0");
  EXPECT_EQ(p.model_paths, (std::vector<std::string>{"transform", "more"}));
  EXPECT_EQ(p.seed_paths, std::vector<std::string>{"data"});
  EXPECT_EQ(p.target_path, "out");
  EXPECT_EQ(p.clean_targets, (std::vector<std::string>{"out", "dbt_packages"}));
  // Hooks are not rendered at load: they run later with the real context.
  EXPECT_EQ(p.on_run_start,
            std::vector<std::string>{"create schema if not exists {{ target.schema }}"});
  EXPECT_EQ(p.on_run_end, (std::vector<std::string>{"grant 1", "grant 2"}));
  EXPECT_EQ(p.dispatch.at("dbt_utils"), (std::vector<std::string>{"shop", "dbt_utils"}));
  EXPECT_EQ(p.models["shop"]["+materialized"].Scalar(), "table");
}

TEST_F(DbtProjectTest, ProjectScopedVarsWinAndStayUnrendered) {
  WriteProject(
      "vars:\n  region: eu\n  start: \"{{ env_var('NOPE') }}\"\n  shop:\n    region: us\n  "
      "other_pkg:\n    x: 1\n");
  Project p = LoadProject(Options());
  EXPECT_EQ(Str(p.vars, "region"), "us");
  EXPECT_EQ(Str(p.vars, "start"), "{{ env_var('NOPE') }}");  // dbt renders vars when read
  ASSERT_NE(p.vars.Find("other_pkg"), nullptr);              // another package's scope: kept as is
}

TEST_F(DbtProjectTest, MissingProjectFileSaysWhatToDo) {
  auto [kind, msg] = ErrorOf([&] { LoadProject(Options()); });
  EXPECT_EQ(kind, ErrorKind::kConfig);
  EXPECT_NE(msg.find("no dbt_project.yml in " + dir_.path().string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("pass --project-dir or set models.project in wharf.yaml"), std::string::npos);
}

TEST_F(DbtProjectTest, YamlErrorsCarryLineAndColumn) {
  Write("dbt_project.yml", "name: shop\nmodels:\n  shop: [unclosed\n");
  auto [kind, msg] = ErrorOf([&] { LoadProject(Options()); });
  EXPECT_EQ(kind, ErrorKind::kConfig);
  EXPECT_NE(msg.find("dbt_project.yml:4:1: invalid YAML"), std::string::npos) << msg;
}

TEST_F(DbtProjectTest, EnvVarAndVarRenderedInProject) {
  ScopedEnv env("WHARF_T_PROFILE", "from_env");
  WriteProject(
      "profile: \"{{ env_var('WHARF_T_PROFILE') }}\"\n"
      "target-path: \"{{ env_var('WHARF_T_UNSET', 'fallback') }}/{{ var('sub') }}\"\n"
      "vars:\n  sub: project\n");
  ProjectOptions o = Options();
  EXPECT_EQ(LoadProject(o).target_path, "fallback/project");
  o.cli_vars.Set("sub", "cli");  // --vars win over the project's vars
  Project p = LoadProject(o);
  EXPECT_EQ(p.profile, "from_env");
  EXPECT_EQ(p.target_path, "fallback/cli");
}

TEST_F(DbtProjectTest, MissingEnvVarNamesTheVariableAndPlace) {
  ScopedEnv env("WHARF_T_MISSING", nullptr);
  WriteProject("profile: \"{{ env_var('WHARF_T_MISSING') }}\"\n");
  auto [kind, msg] = ErrorOf([&] { LoadProject(Options()); });
  EXPECT_EQ(kind, ErrorKind::kConfig);
  EXPECT_NE(msg.find("dbt_project.yml:2:10"), std::string::npos) << msg;
  EXPECT_NE(msg.find("environment variable WHARF_T_MISSING is not set"), std::string::npos) << msg;
}

TEST_F(DbtProjectTest, RenamedPathKeysAreErrors) {
  WriteProject("source-paths: [models]\n");
  auto [kind, msg] = ErrorOf([&] { LoadProject(Options()); });
  EXPECT_NE(msg.find("use 'model-paths'"), std::string::npos) << msg;
}

// ---- YAML values ----

TEST(DbtYamlValues, PlainScalarsTypedQuotedKeptAsText) {
  jinja::Dict v = ParseVars(
      "{a: 1, b: '1', c: true, d: 1.5, e: null, f: yes, g: y, h: \"true\", i: 1e3, j: [1, x]}");
  EXPECT_TRUE(v.Find("a")->IsInt());
  EXPECT_TRUE(v.Find("b")->IsString());
  EXPECT_TRUE(v.Find("c")->IsBool());
  EXPECT_TRUE(v.Find("d")->IsFloat());
  EXPECT_TRUE(v.Find("e")->IsNone());
  EXPECT_TRUE(v.Find("f")->IsBool());    // YAML 1.1, as PyYAML reads it
  EXPECT_TRUE(v.Find("g")->IsString());  // PyYAML keeps y/n as text
  EXPECT_TRUE(v.Find("h")->IsString());
  EXPECT_TRUE(v.Find("i")->IsString());  // PyYAML floats need a '.'
  EXPECT_EQ(v.Find("j")->Repr(), "[1, 'x']");
  EXPECT_TRUE(ParseVars("").empty());
  EXPECT_TRUE(ParseVars("{}").empty());
  EXPECT_NE(ErrorOf([] { ParseVars("[1, 2]"); }).second.find("--vars must be a YAML mapping"),
            std::string::npos);
}

// ---- profiles.yml ----

const char* kDuckProfile =
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: %s\n";

std::string DuckProfile(const std::string& path) {
  char buf[256];
  std::snprintf(buf, sizeof buf, kDuckProfile, path.c_str());
  return buf;
}

TEST_F(DbtProjectTest, ProfilesLookupOrder) {
  WriteProject();
  Write("flag/profiles.yml", DuckProfile("flag.duckdb"));
  Write("envdir/profiles.yml", DuckProfile("env.duckdb"));
  Write("cwd/profiles.yml", DuckProfile("cwd.duckdb"));
  Write(".dbt/profiles.yml", DuckProfile("home.duckdb"));  // $HOME is the temp dir
  fs::create_directories(dir_.path() / "empty");
  ProjectOptions o = Options();
  o.fallback_profile.reset();
  Project p = LoadProject(o);
  auto stem = [&](const ProjectOptions& opts) {
    return fs::path(LoadProfile(p, opts).path).stem().string();
  };
  {
    ScopedCwd cwd(dir_.path() / "empty");
    EXPECT_EQ(stem(o), "home");
  }
  {
    ScopedCwd cwd(dir_.path() / "cwd");
    EXPECT_EQ(stem(o), "cwd");
    ScopedEnv env("DBT_PROFILES_DIR", (dir_.path() / "envdir").c_str());
    EXPECT_EQ(stem(o), "env");
    ProjectOptions with_flag = o;
    with_flag.profiles_dir = dir_.path() / "flag";
    EXPECT_EQ(stem(with_flag), "flag");
    EXPECT_EQ(LoadProfile(p, with_flag).origin, (dir_.path() / "flag" / "profiles.yml").string());
  }
}

TEST_F(DbtProjectTest, DuckdbTargetDefaults) {
  WriteProject();
  Write("p/profiles.yml",
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        "    file:\n      type: duckdb\n      path: data/wh.duckdb\n      schema: analytics\n      "
        "threads: 4\n"
        "      extensions: [httpfs]\n");
  ProjectOptions o = Options();
  o.profiles_dir = dir_.path() / "p";
  Project p = LoadProject(o);
  Profile mem = LoadProfile(p, o);
  EXPECT_EQ(mem.target_name, "dev");
  EXPECT_EQ(mem.path, ":memory:");
  EXPECT_EQ(mem.database, "memory");
  EXPECT_EQ(mem.schema, "main");
  o.target = "file";  // --target wins over the profile's target:
  ScopedCwd cwd(dir_.path());
  Profile f = LoadProfile(p, o);
  EXPECT_EQ(f.path, (fs::current_path() / "data/wh.duckdb").string());  // relative to the cwd
  EXPECT_EQ(f.database, "wh");
  EXPECT_EQ(f.schema, "analytics");
  EXPECT_EQ(f.threads, 4);
  EXPECT_EQ(Str(f.target, "name"), "file");
  EXPECT_EQ(Str(f.target, "profile_name"), "shop");
  EXPECT_EQ(f.target.Find("extensions")->Repr(), "['httpfs']");
}

TEST_F(DbtProjectTest, PostgresDsnAndTargetWithoutPassword) {
  ScopedEnv pass("WHARF_T_PG_PASS", "it's s3cret\\");
  ScopedEnv port("WHARF_T_PG_PORT", "6543");
  WriteProject();
  Write("p/profiles.yml",
        "shop:\n  target: prod\n  outputs:\n    prod:\n      type: postgres\n      host: "
        "db.internal\n"
        "      port: \"{{ env_var('WHARF_T_PG_PORT') | as_number }}\"\n      user: dbt\n"
        "      password: \"{{ env_var('WHARF_T_PG_PASS') }}\"\n      dbname: analytics\n      "
        "schema: marts\n"
        "      sslmode: require\n      keepalives_idle: 30\n      search_path: \"a, b\"\n      "
        "threads: 8\n");
  ProjectOptions o = Options();
  o.profiles_dir = dir_.path() / "p";
  Profile prof = LoadProfile(LoadProject(o), o);
  EXPECT_EQ(prof.type, "postgres");
  EXPECT_EQ(
      prof.dsn,
      "host=db.internal port=6543 user=dbt password='it\\'s s3cret\\\\' dbname=analytics "
      "sslmode=require connect_timeout=10 keepalives_idle=30 options='-c search_path=a,\\\\ b'");
  EXPECT_EQ(prof.database, "analytics");
  EXPECT_EQ(prof.schema, "marts");
  EXPECT_EQ(prof.threads, 8);
  EXPECT_EQ(prof.target.Find("password"), nullptr);
  EXPECT_EQ(Str(prof.target, "database"), "analytics");
  EXPECT_TRUE(prof.target.Find("port")->IsInt());
}

TEST_F(DbtProjectTest, PostgresNeedsItsFieldsAndUsesPass) {
  WriteProject();
  Write("p/profiles.yml",
        "shop:\n  target: a\n  outputs:\n    a: {type: postgres, host: h, user: u, pass: pw, "
        "database: d, schema: s}\n"
        "    b: {type: postgres, host: h, user: u, dbname: d}\n");
  ProjectOptions o = Options();
  o.profiles_dir = dir_.path() / "p";
  Project p = LoadProject(o);
  EXPECT_EQ(LoadProfile(p, o).dsn,
            "host=h port=5432 user=u password=pw dbname=d connect_timeout=10");
  o.target = "b";
  auto [kind, msg] = ErrorOf([&] { LoadProfile(p, o); });
  EXPECT_NE(msg.find("postgres target 'b' needs schema"), std::string::npos) << msg;
}

TEST(DbtProfiles, DsnValuesQuotedOnlyWhenNeeded) {
  EXPECT_EQ(DsnValue("plain"), "plain");
  EXPECT_EQ(DsnValue(""), "''");
  EXPECT_EQ(DsnValue("a b"), "'a b'");
  EXPECT_EQ(DsnValue("x=y"), "'x=y'");
  EXPECT_EQ(DsnValue("o'k\\"), "'o\\'k\\\\'");
}

TEST_F(DbtProjectTest, FallbackProfileWhenNoProfilesYml) {
  WriteProject("profile: nowhere\n");
  ProjectOptions o = Options();
  o.fallback_profile =
      ProjectOptions::Fallback{"duckdb", (dir_.path() / "wh.duckdb").string(), "", "models"};
  Profile p = LoadProfile(LoadProject(o), o);
  EXPECT_EQ(p.origin, "wharf.yaml");
  EXPECT_EQ(p.target_name, "wharf");
  EXPECT_EQ(p.profile_name, "nowhere");
  EXPECT_EQ(p.database, "wh");
  EXPECT_EQ(p.schema, "models");
  o.fallback_profile = ProjectOptions::Fallback{"postgres", "", "host=h dbname=wh_db user=u", ""};
  Profile pg = LoadProfile(LoadProject(o), o);
  EXPECT_EQ(pg.dsn, "host=h dbname=wh_db user=u");
  EXPECT_EQ(pg.database, "wh_db");
  EXPECT_EQ(Str(pg.target, "type"), "postgres");
  // A profiles.yml that has the profile wins over the fallback.
  Write(".dbt/profiles.yml", "nowhere:\n  target: dev\n  outputs:\n    dev: {type: duckdb}\n");
  EXPECT_EQ(LoadProfile(LoadProject(o), o).target_name, "dev");
}

TEST_F(DbtProjectTest, ProfileErrors) {
  WriteProject();
  Write(".dbt/profiles.yml",
        "shoop:\n  outputs:\n    dev: {type: duckdb}\n"
        "shop:\n  target: dev\n  outputs:\n    dev: {type: snowflake}\n    prod: {type: duckdb}\n");
  ProjectOptions o = Options();
  o.fallback_profile.reset();
  Project p = LoadProject(o);
  auto [kind, msg] = ErrorOf([&] { LoadProfile(p, o); });
  EXPECT_NE(msg.find("has type 'snowflake'; wharf supports type: duckdb and type: postgres"),
            std::string::npos)
      << msg;
  o.target = "prd";
  msg = ErrorOf([&] { LoadProfile(p, o); }).second;
  EXPECT_NE(msg.find("has no target 'prd' (did you mean 'prod'?)"), std::string::npos) << msg;
  WriteProject("profile: shopp\n");
  msg = ErrorOf([&] { LoadProfile(LoadProject(o), o); }).second;
  EXPECT_NE(msg.find("has no profile 'shopp'"), std::string::npos) << msg;
}

// ---- configs ----

TEST(DbtConfig, DefaultsPerKind) {
  jinja::Dict model = DefaultConfig(NodeKind::kModel);
  EXPECT_EQ(Str(model, "materialized"), "view");
  EXPECT_TRUE(model.Find("enabled")->AsBool());
  EXPECT_EQ(model.Find("tags")->Repr(), "[]");
  EXPECT_EQ(model.Find("persist_docs")->Repr(), "{}");
  jinja::Dict seed = DefaultConfig(NodeKind::kSeed);
  EXPECT_EQ(Str(seed, "materialized"), "seed");
  EXPECT_EQ(Str(seed, "delimiter"), ",");
  EXPECT_EQ(seed.Find("column_types")->Repr(), "{}");
  EXPECT_EQ(Str(DefaultConfig(NodeKind::kSnapshot), "materialized"), "snapshot");
  jinja::Dict test = DefaultConfig(NodeKind::kTest);
  EXPECT_EQ(Str(test, "severity"), "ERROR");
  EXPECT_EQ(Str(test, "materialized"), "test");
  EXPECT_EQ(Str(test, "warn_if"), "!= 0");
  EXPECT_EQ(Str(test, "error_if"), "!= 0");
  EXPECT_EQ(Str(test, "fail_calc"), "count(*)");
}

TEST(DbtConfig, MergeBehaviours) {
  jinja::Dict c = DefaultConfig(NodeKind::kModel);
  MergeConfig(c, {{"tags", "a"},
                  {"meta", jinja::Dict{{"x", 1}, {"y", 1}}},
                  {"pre_hook", "h1"},
                  {"materialized", "table"},
                  {"grants", jinja::Dict{{"select", jinja::List{"r1"}}}}});
  MergeConfig(c, {{"tags", jinja::List{"b", "a"}},
                  {"meta", jinja::Dict{{"y", 2}}},
                  {"pre-hook", jinja::List{"h2"}},
                  {"materialized", "incremental"},
                  {"grants", jinja::Dict{{"+select", jinja::List{"r2"}}}}});
  EXPECT_EQ(Strings(*c.Find("tags")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.Find("meta")->Repr(), "{'x': 1, 'y': 2}");
  EXPECT_EQ(Strings(*c.Find("pre-hook")), (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(Str(c, "materialized"), "incremental");
  EXPECT_EQ(c.Find("grants")->Repr(), "{'select': ['r1', 'r2']}");
  EXPECT_EQ(c.Find("pre_hook"), nullptr);
}

TEST(DbtConfig, LevelConfigsPlusAndBareKeys) {
  jinja::Dict level{{"+schema", "stg"},
                    {"materialized", "table"},
                    {"staging", jinja::Dict{{"x", 1}}},
                    {"+meta", jinja::Dict{{"owner", "me"}}}};
  jinja::Dict configs = LevelConfigs(level);
  EXPECT_EQ(Str(configs, "schema"), "stg");
  EXPECT_EQ(Str(configs, "materialized"), "table");
  EXPECT_EQ(configs.Find("staging"), nullptr);  // a mapping without '+' is a folder
  EXPECT_EQ(configs.Find("meta")->Repr(), "{'owner': 'me'}");
}

TEST_F(DbtProjectTest, ConfigTreeFollowsFoldersAndNodes) {
  WriteProject(
      "models:\n  +meta: {team: data}\n  shop:\n    materialized: table\n    +tags: [all]\n    "
      "staging:\n"
      "      +materialized: view\n      +schema: stg\n      tags: staging\n      +meta: {layer: "
      "stg}\n"
      "      stg_orders:\n        +alias: orders_v\n        +tags: [orders]\n"
      "      +post-hook: \"grant select on {{ this }} to r\"\n"
      "    marts:\n      +schema: \"{{ target.name }}_marts\"\n      +enabled: \"{{ target.name == "
      "'wharf' }}\"\n");
  Write("models/staging/stg_orders.sql", "select 1");
  Write("models/staging/stg_customers.sql", "select 1");
  Write("models/marts/orders.sql", "select 1");
  Write("models/top.sql", "select 1");
  Manifest m = Discover();
  const Node& stg = Get(m, "stg_orders");
  EXPECT_EQ(stg.fqn, (std::vector<std::string>{"shop", "staging", "stg_orders"}));
  EXPECT_EQ(Str(stg.config, "materialized"), "view");
  EXPECT_EQ(Str(stg.config, "schema"), "stg");
  EXPECT_EQ(Str(stg.config, "alias"), "orders_v");
  EXPECT_EQ(Strings(*stg.config.Find("tags")),
            (std::vector<std::string>{"all", "staging", "orders"}));
  EXPECT_EQ(stg.config.Find("meta")->Repr(), "{'team': 'data', 'layer': 'stg'}");
  EXPECT_EQ(Strings(*stg.config.Find("post-hook")),
            std::vector<std::string>{"grant select on {{ this }} to r"});
  EXPECT_EQ(Get(m, "stg_customers").config.Find("alias"), nullptr);
  const Node& orders = Get(m, "orders");
  EXPECT_EQ(Str(orders.config, "materialized"), "table");
  EXPECT_EQ(Str(orders.config, "schema"), "wharf_marts");  // target rendered in the tree
  EXPECT_TRUE(orders.config.Find("enabled")->IsBool());    // native rendering: a bool
  EXPECT_EQ(Str(Get(m, "top").config, "materialized"), "table");
}

TEST_F(DbtProjectTest, SchemaYamlConfigOverridesTree) {
  WriteProject(
      "models:\n  shop:\n    +materialized: table\n    +tags: [a]\nseeds:\n  shop:\n    "
      "+delimiter: \";\"\n");
  Write("models/orders.sql", "select 1");
  Write("seeds/countries.csv", "code\nfr\n");
  Write("models/schema.yml",
        "version: 2\nmodels:\n  - name: orders\n    description: All orders\n"
        "    config:\n      materialized: incremental\n      unique_key: id\n      tags: [b]\n"
        "      incremental_strategy: \"{{ var('strategy', 'merge') }}\"\n"
        "    columns:\n      - name: id\n        description: The id\n        data_type: bigint\n"
        "seeds:\n  - name: countries\n    config:\n      column_types: {code: varchar}\n");
  Manifest m = Discover();
  const Node& orders = Get(m, "orders");
  EXPECT_EQ(Str(orders.config, "materialized"), "incremental");
  EXPECT_EQ(Str(orders.config, "unique_key"), "id");
  EXPECT_EQ(Str(orders.config, "incremental_strategy"), "merge");
  EXPECT_EQ(Strings(*orders.config.Find("tags")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(orders.description, "All orders");
  ASSERT_EQ(orders.columns.size(), 1u);
  EXPECT_EQ(orders.columns[0].data_type, "bigint");
  EXPECT_EQ(orders.patch_path, "models/schema.yml");
  const Node& seed = Get(m, "countries");
  EXPECT_EQ(Str(seed.config, "delimiter"), ";");
  EXPECT_EQ(seed.config.Find("column_types")->Repr(), "{'code': 'varchar'}");
  EXPECT_EQ(seed.seed_file, (dir_.path() / "seeds/countries.csv").string());
}

TEST_F(DbtProjectTest, YamlMergeKeysApplied) {
  WriteProject();
  Write("models/orders.sql", "select 1");
  Write("models/customers.sql", "select 1");
  Write("models/schema.yml",
        "models:\n  - name: orders\n    config: &cfg {materialized: table, tags: [x]}\n"
        "  - name: customers\n    config:\n      <<: *cfg\n      tags: [y]\n");
  Manifest m = Discover();
  const Node& customers = Get(m, "customers");
  EXPECT_EQ(Str(customers.config, "materialized"), "table");
  EXPECT_EQ(Strings(*customers.config.Find("tags")), std::vector<std::string>{"y"});
  EXPECT_EQ(customers.config.Find("<<"), nullptr);
}

TEST_F(DbtProjectTest, DisabledNodesDroppedWithTheirTests) {
  WriteProject("models:\n  shop:\n    legacy:\n      +enabled: false\n");
  Write("models/legacy/old.sql", "select 1");
  Write("models/new.sql", "select 1");
  Write("models/gone.sql", "select 1");
  Write("models/schema.yml",
        "models:\n  - name: old\n    columns: [{name: id, tests: [unique]}]\n"
        "  - name: gone\n    config: {enabled: false}\n    tests: [{dbt_utils.recency: {field: "
        "at}}]\n"
        "  - name: new\n    columns:\n      - name: id\n        tests:\n          - unique\n"
        "          - not_null: {config: {enabled: false}}\n");
  Manifest m = Discover();
  EXPECT_EQ(FindNode(m, "old"), nullptr);
  EXPECT_EQ(FindNode(m, "gone"), nullptr);
  EXPECT_EQ(TestIds(m), std::vector<std::string>{"test.shop.unique_new_id.75c0487620"});
}

// ---- discovery ----

TEST_F(DbtProjectTest, NodesOfEveryKind) {
  WriteProject();
  Write("models/staging/stg_orders.sql", "select * from {{ source('shop', 'orders') }}");
  Write("models/notes.txt", "not a model");
  Write("seeds/lookups/countries.csv", "code\nfr\n");
  Write("analyses/adhoc.sql", "select 1");
  Write("tests/assert_positive.sql", "select 1 where false");
  Write("tests/generic/is_even.sql", "{% test is_even(model, column_name) %}select 1{% endtest %}");
  Write("macros/util/cents.sql", "{% macro cents(x) %}{{ x }} * 100{% endmacro %}");
  Manifest m = Discover();
  const Node& stg = Get(m, "stg_orders");
  EXPECT_EQ(stg.unique_id, "model.shop.stg_orders");
  EXPECT_EQ(stg.path, "staging/stg_orders.sql");
  EXPECT_EQ(stg.original_file_path, "models/staging/stg_orders.sql");
  EXPECT_EQ(stg.raw_code, "select * from {{ source('shop', 'orders') }}");
  const Node& seed = Get(m, "countries");
  EXPECT_EQ(seed.unique_id, "seed.shop.countries");
  EXPECT_EQ(seed.fqn, (std::vector<std::string>{"shop", "lookups", "countries"}));
  const Node& analysis = Get(m, "adhoc");
  EXPECT_EQ(analysis.kind, NodeKind::kAnalysis);
  EXPECT_EQ(analysis.unique_id, "analysis.shop.adhoc");
  EXPECT_EQ(analysis.path, "analysis/adhoc.sql");
  EXPECT_EQ(analysis.fqn, (std::vector<std::string>{"shop", "analysis", "adhoc"}));
  const Node& singular = Get(m, "assert_positive");
  EXPECT_EQ(singular.unique_id, "test.shop.assert_positive");
  EXPECT_EQ(Str(singular.config, "severity"), "ERROR");
  EXPECT_EQ(FindNode(m, "is_even"), nullptr);
  ASSERT_EQ(m.macros.size(), 2u);
  EXPECT_EQ(m.macros[0].path, "tests/generic/is_even.sql");
  EXPECT_EQ(m.macros[1].path, "macros/util/cents.sql");
  EXPECT_EQ(m.nodes.size(), 4u);
}

TEST_F(DbtProjectTest, PythonModelIsUnsupported) {
  WriteProject();
  Write("models/ml/score.py", "def model(dbt, session): pass");
  auto [kind, msg] = ErrorOf([&] { Discover(); });
  EXPECT_EQ(kind, ErrorKind::kUnsupported);
  EXPECT_NE(msg.find("models/ml/score.py: python models are not supported"), std::string::npos)
      << msg;
}

TEST_F(DbtProjectTest, DuplicateModelNamesAreAnError) {
  WriteProject();
  Write("models/a/orders.sql", "select 1");
  Write("models/b/orders.sql", "select 2");
  auto [kind, msg] = ErrorOf([&] { Discover(); });
  EXPECT_EQ(kind, ErrorKind::kConfig);
  EXPECT_NE(msg.find("two models named 'orders': models/a/orders.sql and models/b/orders.sql"),
            std::string::npos)
      << msg;
  // One of them disabled: no conflict (as in dbt).
  Write("models/schema.yml", "models:\n  - name: orders\n    config: {enabled: false}\n");
  EXPECT_EQ(FindNode(Discover(), "orders"), nullptr);
}

TEST_F(DbtProjectTest, SnapshotBlocksExtracted) {
  WriteProject("snapshots:\n  shop:\n    +target_schema: snapshots\n");
  Write("snapshots/history/orders.sql",
        "-- leading comment\n{% snapshot orders_snapshot %}\n{{ config(unique_key='id', "
        "strategy='timestamp') }}\n"
        "select * from {{ source('shop', 'orders') }}\n{% endsnapshot %}\n\n"
        "{%- snapshot customers_snapshot -%}select 2{%- endsnapshot -%}\n");
  Manifest m = Discover();
  const Node& orders = Get(m, "orders_snapshot");
  EXPECT_EQ(orders.kind, NodeKind::kSnapshot);
  EXPECT_EQ(orders.unique_id, "snapshot.shop.orders_snapshot");
  EXPECT_EQ(orders.raw_code,
            "\n{{ config(unique_key='id', strategy='timestamp') }}\nselect * from {{ "
            "source('shop', 'orders') }}\n");
  EXPECT_EQ(orders.fqn, (std::vector<std::string>{"shop", "history", "orders", "orders_snapshot"}));
  EXPECT_EQ(orders.path, "history/orders.sql");
  EXPECT_EQ(Str(orders.config, "target_schema"), "snapshots");
  EXPECT_EQ(Str(orders.config, "materialized"), "snapshot");
  EXPECT_EQ(Get(m, "customers_snapshot").raw_code, "select 2");
}

TEST_F(DbtProjectTest, UnclosedSnapshotIsAnError) {
  WriteProject();
  Write("snapshots/s.sql", "\n{% snapshot s %}\nselect 1\n");
  auto msg = ErrorOf([&] { Discover(); }).second;
  EXPECT_NE(msg.find("snapshots/s.sql:2: {% snapshot s %} is never closed"), std::string::npos)
      << msg;
}

TEST_F(DbtProjectTest, YamlSnapshotWithRelation) {
  WriteProject();
  Write("snapshots/snaps.yml",
        "snapshots:\n  - name: orders_history\n    relation: source('shop', 'orders')\n"
        "    config: {unique_key: id, strategy: check, check_cols: all}\n");
  Manifest m = Discover();
  const Node& s = Get(m, "orders_history");
  EXPECT_EQ(s.raw_code, "select * from {{ source('shop', 'orders') }}");
  EXPECT_EQ(Str(s.config, "strategy"), "check");
  EXPECT_EQ(s.fqn, (std::vector<std::string>{"shop", "orders_history"}));
}

TEST_F(DbtProjectTest, DocsBlocks) {
  WriteProject();
  Write("models/docs.md",
        "{% docs orders %}\n  All the orders.\n{% enddocs %}\n{%- docs status -%}One of: placed{%- "
        "enddocs -%}");
  Write("macros/more.md", "{% docs macro_doc %}x{% enddocs %}");
  Manifest m = Discover();
  ASSERT_EQ(m.docs.size(), 3u);
  EXPECT_EQ(m.docs[0].name, "orders");
  EXPECT_EQ(m.docs[0].text, "All the orders.");
  EXPECT_EQ(m.docs[1].text, "One of: placed");
  EXPECT_EQ(m.docs[2].name, "macro_doc");
  Write("models/again.md", "{% docs orders %}dup{% enddocs %}");
  EXPECT_NE(ErrorOf([&] { Discover(); }).second.find("docs block 'orders' is also defined in"),
            std::string::npos);
}

TEST_F(DbtProjectTest, DocsPathsRestrictWhereDocsAreRead) {
  WriteProject("docs-paths: [docs]\n");
  Write("models/ignored.md", "{% docs a %}a{% enddocs %}");
  Write("docs/kept.md", "{% docs b %}b{% enddocs %}");
  Manifest m = Discover();
  ASSERT_EQ(m.docs.size(), 1u);
  EXPECT_EQ(m.docs[0].name, "b");
}

TEST_F(DbtProjectTest, Sources) {
  WriteProject("sources:\n  shop:\n    staging:\n      raw:\n        +meta: {owner: ingest}\n");
  Write("models/staging/sources.yml",
        "version: 2\nsources:\n  - name: raw\n    database: lake\n    description: From the app\n  "
        "  tags: [app]\n"
        "    loaded_at_field: _loaded_at\n    tables:\n      - name: orders\n        identifier: "
        "orders_v2\n"
        "        columns:\n          - name: id\n            tests: [unique, not_null]\n"
        "      - name: customers\n        config: {enabled: false}\n        tests: "
        "[{dbt_utils.recency: {field: at}}]\n"
        "  - name: erp\n    schema: \"{{ target.schema }}_erp\"\n    tables: [{name: invoices}]\n");
  Manifest m = Discover();
  ASSERT_EQ(m.sources.size(), 2u);
  const SourceTable& orders = m.sources[0];
  EXPECT_EQ(orders.unique_id, "source.shop.raw.orders");
  EXPECT_EQ(orders.identifier, "orders_v2");
  EXPECT_EQ(orders.schema, "raw");
  EXPECT_EQ(orders.database, "lake");
  EXPECT_EQ(orders.fqn, (std::vector<std::string>{"shop", "staging", "raw", "orders"}));
  EXPECT_EQ(orders.original_file_path, "models/staging/sources.yml");
  EXPECT_EQ(orders.config.Find("meta")->Repr(), "{'owner': 'ingest'}");
  EXPECT_EQ(Strings(*orders.config.Find("tags")), std::vector<std::string>{"app"});
  EXPECT_EQ(Str(orders.config, "loaded_at_field"), "_loaded_at");
  const SourceTable& invoices = m.sources[1];
  EXPECT_EQ(invoices.schema, "main_erp");
  EXPECT_EQ(invoices.identifier, "invoices");
  EXPECT_EQ(TestIds(m),
            (std::vector<std::string>{"test.shop.source_unique_raw_orders_id.56401af608",
                                      "test.shop.source_not_null_raw_orders_id.f232a64478"}));
  const Node& unique = Get(m, "source_unique_raw_orders_id");
  EXPECT_EQ(unique.test->model_arg, "{{ get_where_subquery(source('raw', 'orders')) }}");
  EXPECT_EQ(unique.test->attached_to, "source.shop.raw.orders");
  EXPECT_EQ(Strings(*unique.config.Find("tags")), std::vector<std::string>{"app"});
  EXPECT_EQ(unique.fqn,
            (std::vector<std::string>{"shop", "staging", "source_unique_raw_orders_id"}));
}

// ---- generic tests ----

const char* kOrdersModels = "select 1";

class DbtGenericTests : public DbtProjectTest {
 protected:
  void SetUp() override {
    WriteProject();
    Write("models/orders.sql", kOrdersModels);
    Write("models/customers.sql", kOrdersModels);
  }
};

// The four builtin tests in jaffle_shop's form; the ids are jaffle_shop's.
TEST_F(DbtGenericTests, NamesAndIdsMatchDbt) {
  Write("models/schema.yml",
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: order_id\n        "
        "tests:\n"
        "          - unique\n          - not_null\n      - name: status\n        tests:\n"
        "          - accepted_values:\n              values: ['placed', 'shipped', 'completed', "
        "'return_pending', 'returned']\n"
        "      - name: customer_id\n        tests:\n          - relationships:\n              to: "
        "ref('customers')\n"
        "              field: customer_id\n");
  Manifest m = Discover();
  EXPECT_EQ(
      TestIds(m),
      (std::vector<std::string>{
          "test.shop.unique_orders_order_id.fed79b3a6e",
          "test.shop.not_null_orders_order_id.cf6c17daed",
          "test.shop.accepted_values_orders_status__placed__shipped__completed__return_pending__"
          "returned.be6b5b5ec3",
          "test.shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2"}));
  const Node& unique = Get(m, "unique_orders_order_id");
  EXPECT_EQ(unique.test->test_name, "unique");
  EXPECT_EQ(unique.test->kwargs.Find("column_name")->Str(), "order_id");
  EXPECT_EQ(unique.test->model_arg, "{{ get_where_subquery(ref('orders')) }}");
  EXPECT_EQ(unique.test->attached_to, "model.shop.orders");
  EXPECT_EQ(unique.test->column_name, "order_id");
  EXPECT_EQ(unique.raw_code, "");
  EXPECT_EQ(unique.path, "unique_orders_order_id.sql");
  EXPECT_EQ(unique.original_file_path, "models/schema.yml");
  EXPECT_EQ(unique.fqn, (std::vector<std::string>{"shop", "unique_orders_order_id"}));
  // A name of 64+ characters: the file and alias get the hashed short name.
  const Node& values =
      Get(m, "accepted_values_orders_status__placed__shipped__completed__return_pending__returned");
  EXPECT_EQ(values.path, "accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758.sql");
  EXPECT_EQ(Str(values.config, "alias"), "accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758");
  EXPECT_EQ(values.test->kwargs.Find("values")->Repr(),
            "['placed', 'shipped', 'completed', 'return_pending', 'returned']");
  const Node& rel = Get(m, "relationships_orders_customer_id__customer_id__ref_customers_");
  EXPECT_EQ(rel.test->kwargs.Find("to")->Str(), "ref('customers')");
  EXPECT_EQ(rel.test->kwargs.Find("field")->Str(), "customer_id");
  EXPECT_EQ(rel.config.Find("alias"), nullptr);
}

// data_tests:, dbt 1.10's arguments: and config: give the same tests.
TEST_F(DbtGenericTests, DataTestsAndArgumentsForms) {
  Write("models/schema.yml",
        "models:\n  - name: orders\n    columns:\n      - name: order_id\n        data_tests:\n"
        "          - unique: {config: {severity: warn}}\n          - not_null:\n              "
        "config:\n"
        "                where: \"order_id > {{ var('min_id', 0) }}\"\n      - name: status\n      "
        "  data_tests:\n"
        "          - accepted_values:\n              arguments:\n                values: "
        "['placed', 'shipped', 'completed', 'return_pending', 'returned']\n"
        "              config: {severity: warn, tags: [contract]}\n      - name: customer_id\n     "
        "   data_tests:\n"
        "          - relationships:\n              arguments: {to: \"ref('customers')\", field: "
        "customer_id}\n");
  Manifest m = Discover();
  EXPECT_EQ(
      TestIds(m),
      (std::vector<std::string>{
          "test.shop.unique_orders_order_id.fed79b3a6e",
          "test.shop.not_null_orders_order_id.cf6c17daed",
          "test.shop.accepted_values_orders_status__placed__shipped__completed__return_pending__"
          "returned.be6b5b5ec3",
          "test.shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2"}));
  EXPECT_EQ(Str(Get(m, "unique_orders_order_id").config, "severity"), "warn");
  EXPECT_EQ(Str(Get(m, "not_null_orders_order_id").config, "where"), "order_id > 0");  // rendered
  const Node& values =
      Get(m, "accepted_values_orders_status__placed__shipped__completed__return_pending__returned");
  EXPECT_EQ(Strings(*values.config.Find("tags")), std::vector<std::string>{"contract"});
  EXPECT_EQ(values.test->kwargs.Find("arguments"), nullptr);
  EXPECT_EQ(values.test->kwargs.Find("config"), nullptr);
  EXPECT_EQ(Get(m, "relationships_orders_customer_id__customer_id__ref_customers_")
                .test->kwargs.Find("to")
                ->Str(),
            "ref('customers')");
}

TEST_F(DbtGenericTests, LegacyConfigKeysCustomNamesNamespaces) {
  Write("models/schema.yml",
        "models:\n  - name: orders\n    tests:\n      - dbt_utils.expression_is_true:\n          "
        "expression: \"amount > 0\"\n"
        "          severity: warn\n    columns:\n      - name: order_id\n        tags: [keys]\n    "
        "    tests:\n"
        "          - unique:\n              name: my_unique\n              description: Ids are "
        "unique\n"
        "          - name: still_unique\n            test_name: unique\n            config: "
        "{where: \"1=1\"}\n"
        "      - name: status\n        tests:\n          - accepted_values: {values: [placed, "
        "shipped], quote: false}\n");
  Manifest m = Discover();
  const Node& expr = Get(m, "dbt_utils_expression_is_true_orders_amount_0");
  EXPECT_EQ(expr.unique_id, "test.shop.dbt_utils_expression_is_true_orders_amount_0.5789afd631");
  EXPECT_EQ(expr.test->namespace_, "dbt_utils");
  EXPECT_EQ(expr.test->test_name, "expression_is_true");
  EXPECT_EQ(expr.test->column_name, "");
  EXPECT_EQ(Str(expr.config, "severity"), "warn");
  EXPECT_EQ(expr.test->kwargs.Find("severity"), nullptr);
  const Node& mine = Get(m, "my_unique");
  EXPECT_EQ(mine.unique_id, "test.shop.my_unique.7a8313691d");
  EXPECT_EQ(mine.description, "Ids are unique");
  EXPECT_EQ(Strings(*mine.config.Find("tags")),
            std::vector<std::string>{"keys"});  // the column's tags
  const Node& still = Get(m, "still_unique");
  EXPECT_EQ(still.test->test_name, "unique");
  EXPECT_EQ(Str(still.config, "where"), "1=1");
  EXPECT_EQ(Get(m, "accepted_values_orders_status__False__placed__shipped").unique_id,
            "test.shop.accepted_values_orders_status__False__placed__shipped.0d74ba43fb");
  // Models list column tests before model-level tests, as dbt does.
  EXPECT_EQ(TestIds(m).back(), expr.unique_id);
}

TEST_F(DbtGenericTests, QuotedColumnAndScalarArgumentsInNames) {
  Write(
      "models/schema.yml",
      "models:\n  - name: orders\n    columns:\n      - name: Order ID\n        quote: true\n      "
      "  tests: [unique]\n"
      "      - name: status\n        tests: [{accepted_values: {values: [1, 2.5, true, null]}}]\n");
  Manifest m = Discover();
  const Node& unique = Get(m, "unique_orders__Order_ID_");
  EXPECT_EQ(unique.unique_id, "test.shop.unique_orders__Order_ID_.e0e3e24f1c");
  EXPECT_EQ(unique.test->column_name, "\"Order ID\"");
  EXPECT_EQ(Get(m, "accepted_values_orders_status__1__2_5__True__None").unique_id,
            "test.shop.accepted_values_orders_status__1__2_5__True__None.2682054dc8");
}

TEST_F(DbtGenericTests, ProjectTestsTreeAppliesByYamlFolder) {
  WriteProject(
      "data_tests:\n  +store_failures: true\n  shop:\n    marts:\n      +severity: warn\n");
  Write("models/marts/m.sql", "select 1");
  Write("models/marts/schema.yml",
        "models:\n  - name: m\n    columns: [{name: id, tests: [not_null]}]\n");
  Write("models/schema.yml",
        "models:\n  - name: orders\n    columns: [{name: id, tests: [not_null]}]\n");
  Manifest m = Discover();
  const Node& marts = Get(m, "not_null_m_id");
  EXPECT_EQ(marts.fqn, (std::vector<std::string>{"shop", "marts", "not_null_m_id"}));
  EXPECT_EQ(Str(marts.config, "severity"), "warn");
  EXPECT_TRUE(marts.config.Find("store_failures")->AsBool());
  EXPECT_EQ(Str(Get(m, "not_null_orders_id").config, "severity"), "ERROR");
}

TEST_F(DbtGenericTests, MissingModelIsAWarningAndItsTestsSkipped) {
  Write("models/schema.yml",
        "models:\n  - name: orderz\n    columns: [{name: id, tests: [unique]}]\n"
        "  - name: orders\n    columns: [{name: id, tests: [unique]}]\n");
  Manifest m = Discover();
  EXPECT_EQ(TestIds(m), std::vector<std::string>{"test.shop.unique_orders_id.1360ecc70e"});
}

TEST_F(DbtGenericTests, BadTestDefinitions) {
  Write("models/schema.yml",
        "models:\n  - name: orders\n    tests:\n      - {unique: {}, not_null: {}}\n");
  auto msg = ErrorOf([&] { Discover(); }).second;
  EXPECT_NE(msg.find("models/schema.yml:4:9: a test is a name"), std::string::npos) << msg;
  Write("models/schema.yml",
        "models:\n  - name: orders\n    tests:\n      - unique: {severity: warn, config: "
        "{severity: error}}\n");
  msg = ErrorOf([&] { Discover(); }).second;
  EXPECT_NE(msg.find("'severity' is set both beside the test arguments and under config:"),
            std::string::npos)
      << msg;
  Write("models/schema.yml",
        "models:\n  - name: orders\n    tests: [unique]\n    data_tests: [unique]\n");
  msg = ErrorOf([&] { Discover(); }).second;
  EXPECT_NE(msg.find("both tests: and data_tests: are set"), std::string::npos) << msg;
}

TEST_F(DbtGenericTests, IgnoredSchemaKeysAndDuplicatePatches) {
  Write("models/schema.yml",
        "version: 2\nexposures: [{name: dash}]\nmetrics: []\nsemantic_models: []\nunit_tests: "
        "[{name: t}]\n"
        "macros: [{name: cents, description: x}]\nmodels:\n  - name: orders\n");
  EXPECT_NO_THROW(Discover());
  Write("models/more.yml", "models:\n  - name: orders\n");
  auto msg = ErrorOf([&] { Discover(); }).second;
  EXPECT_NE(msg.find("model 'orders' is also described at"), std::string::npos) << msg;
}

TEST(DbtTestNames, Md5AndPythonRepr) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex(std::string(100, 'a')), "36a92cc94a9e0fa21f625f8bfb007adf");
  EXPECT_EQ(PyRepr(Value("it's")), "\"it's\"");
  EXPECT_EQ(PyRepr(Value("a'b\"c\n")), "'a\\'b\"c\\n'");
  EXPECT_EQ(PyStr(Value(jinja::List{Value("a"), Value(1), Value()})), "['a', 1, None]");
  auto [short_name, full] =
      SynthesizeTestNames("unique", "orders", {{"column_name", "id"}, {"model", "x"}});
  EXPECT_EQ(short_name, "unique_orders_id");
  EXPECT_EQ(full, "unique_orders_id");
  auto [s2, f2] = SynthesizeTestNames("my_test", "orders", {});
  EXPECT_EQ(f2, "my_test_orders_");  // dbt keeps the trailing underscore
}

}  // namespace
}  // namespace wharf::models::project
