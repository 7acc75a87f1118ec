// One `tests:` / `data_tests:` entry of a schema file -> a generic test node,
// following dbt-core's TestBuilder (core/dbt/parser/generic_test_builders.py)
// with dbt 1.10's require_generic_test_arguments_property behaviour (its
// default): arguments may sit under `arguments:` or beside the test name.

#include <algorithm>
#include <regex>

#include "core/error.hpp"
#include "models/project/internal.hpp"

namespace wharf::models::project {

namespace {

using jinja::Dict;
using jinja::Value;

// TestBuilder.CONFIG_ARGS: keys beside the arguments that are configs.
constexpr const char* kConfigArgs[] = {
    "severity",  "tags",           "enabled",           "where", "limit",    "warn_if", "error_if",
    "fail_calc", "store_failures", "store_failures_as", "meta",  "database", "schema",  "alias"};

struct TestDef {
  std::string name;  // "unique", "dbt_utils.expression_is_true"
  Dict args;
};

Value Pop(Dict& d, const std::string& key) {
  const Value* v = d.Find(key);
  if (v == nullptr) return Value();
  Value out = *v;
  d.Erase(key);
  return out;
}

// `- unique`, `- accepted_values: {...}`, or `- {test_name: unique, name: ...}`.
TestDef ExtractTestArgs(const YAML::Node& entry, const std::string& column,
                        const std::string& where) {
  Value raw = ToValue(entry);
  TestDef def;
  if (raw.IsString()) {
    def.name = raw.AsString();
  } else if (raw.IsDict() && raw.AsDict().Find("test_name")) {
    def.args = raw.AsDict();
    def.name = Pop(def.args, "test_name").Str();
  } else if (raw.IsDict() && raw.AsDict().size() == 1) {
    const auto& [name, args] = *raw.AsDict().begin();
    if (!args.IsDict() && !args.IsNone())
      Fail(ErrorKind::kConfig, "{}: the arguments of test '{}' must be a mapping", where, name);
    def.name = name;
    if (args.IsDict()) def.args = args.AsDict();
  } else {
    Fail(ErrorKind::kConfig,
         "{}: a test is a name (- unique) or a mapping with one key "
         "(- accepted_values: {{values: [...]}}), or has test_name:",
         where);
  }
  if (!column.empty()) def.args.Set("column_name", column);
  Value arguments = Pop(def.args, "arguments");  // dbt 1.10: merged over the rest
  if (arguments.IsDict()) {
    for (const auto& [k, v] : arguments.AsDict()) def.args.Set(k, v);
  } else if (!arguments.IsNone()) {
    Fail(ErrorKind::kConfig, "{}: arguments: of test '{}' must be a mapping", where, def.name);
  }
  return def;
}

// Configs beside the arguments (legacy) and under config:, rendered.
Dict TestConfig(Dict& args, const YamlRenderer& renderer, const std::string& where) {
  Value nested_value = Pop(args, "config");
  if (!nested_value.IsDict() && !nested_value.IsNone())
    Fail(ErrorKind::kConfig, "{}: a test's config: must be a mapping", where);
  Dict nested = nested_value.IsDict() ? nested_value.AsDict() : Dict{};
  Dict config;
  for (const char* key : kConfigArgs) {
    Value v = Pop(args, key);
    if (v.Truthy() && nested.Find(key)) {
      Fail(ErrorKind::kConfig,
           "{}: '{}' is set both beside the test arguments and under config:; keep the one under "
           "config:",
           where, key);
    }
    if (!v.Truthy() && nested.Find(key)) v = Pop(nested, key);
    if (!v.IsNone()) config.Set(key, v);
  }
  for (const auto& [k, v] : nested) config.Set(k, v);
  for (const auto& [k, v] : Dict(config))
    if (v.IsString()) config.Set(k, renderer.RenderText(v.AsString(), where));
  return config;
}

// The fqn dbt gives a generic test: the yml's path minus its first folder.
std::vector<std::string> TestFqn(const Project& project, const SchemaFile& file,
                                 const std::string& name) {
  std::vector<std::string> fqn{project.name};
  auto folders = Folders(file.path);
  if (!folders.empty()) fqn.insert(fqn.end(), folders.begin() + 1, folders.end());
  fqn.push_back(name);
  return fqn;
}

void AddTags(Dict& config, const std::vector<std::string>& tags, const std::string& where) {
  MergeConfig(config, Dict{{"tags", jinja::List(tags.begin(), tags.end())}});
  std::vector<std::string> all = StringList(*config.Find("tags"), "tags", where);
  std::sort(all.begin(), all.end());  // dbt sorts a test's tags
  config.Set("tags", jinja::List(all.begin(), all.end()));
}

}  // namespace

std::optional<Node> BuildGenericTest(const Project& project, const ConfigResolver& resolver,
                                     const YamlRenderer& renderer, const SchemaFile& file,
                                     const TestTarget& target, const ColumnYaml* column,
                                     const YAML::Node& entry) {
  const std::string where = Where(file.path, entry);
  std::string column_name;
  if (column)
    column_name = column->spec.quote ? "\"" + column->spec.name + "\"" : column->spec.name;
  TestDef def = ExtractTestArgs(entry, column_name, where);
  if (def.args.Find("model"))
    Fail(ErrorKind::kConfig,
         "{}: test '{}' has an argument named 'model'; dbt passes the model itself, remove it",
         where, def.name);
  static const std::regex pattern(R"((?:([A-Za-z_][0-9A-Za-z_]*)\.)?([A-Za-z_][0-9A-Za-z_]*))");
  std::smatch m;
  if (!std::regex_match(def.name, m, pattern))
    Fail(ErrorKind::kConfig, "{}: '{}' is not a test name (name or package.name)", where, def.name);
  GenericTest test;
  test.test_name = m[2];
  test.namespace_ = m[1];

  Dict config = TestConfig(def.args, renderer, where);
  Value description = Pop(def.args, "description");  // not an argument of the macro
  Value custom = Pop(def.args, "name");

  std::string type = (target.is_source ? "source_" : "") + test.test_name;
  if (!test.namespace_.empty()) type = test.namespace_ + "_" + type;
  auto [short_name, full_name] = custom.IsNone() ? SynthesizeTestNames(type, target.name, def.args)
                                                 : std::pair{custom.Str(), custom.Str()};
  if (short_name != full_name && !config.Find("alias")) config.Set("alias", short_name);

  test.kwargs = def.args;
  test.attached_to = target.unique_id;
  test.column_name = column_name;
  test.model_arg = "{{ get_where_subquery(" + target.relation + ") }}";
  Dict with_model = def.args;
  with_model.Set("model", test.model_arg);

  Node node;
  node.kind = NodeKind::kTest;
  node.name = full_name;
  node.package_name = project.name;
  node.unique_id = "test." + project.name + "." + full_name + "." +
                   TestHash(full_name, test.namespace_, test.test_name, with_model);
  node.path = short_name + ".sql";
  node.original_file_path = file.path;
  node.patch_path = file.path;
  node.fqn = TestFqn(project, file, full_name);
  node.config = resolver.Resolve(NodeKind::kTest, node.fqn, &config);
  std::vector<std::string> tags = target.tags;
  if (column) tags.insert(tags.end(), column->tags.begin(), column->tags.end());
  AddTags(node.config, tags, where);
  if (!node.config.Find("enabled")->Truthy()) return std::nullopt;
  node.description = description.IsNone() ? "" : description.Str();
  node.test = std::move(test);
  return node;
}

}  // namespace wharf::models::project
