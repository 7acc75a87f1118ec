#include "pipeline/models_request.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.hpp"
#include "load/warehouse.hpp"

namespace wharf::pipeline {

using json = nlohmann::json;
namespace fs = std::filesystem;

models::dbt::CommandOptions ModelsOptions(const ModelsArgs& args, const core::Config* config) {
  models::dbt::CommandOptions o;
  o.command = args.command;
  o.select = args.select;
  o.exclude = args.exclude;
  o.full_refresh = args.full_refresh;
  o.fail_fast = args.fail_fast;
  o.store_failures = args.store_failures;
  o.resource_types = args.resource_types;
  o.output = args.output;
  o.limit = args.limit;
  o.inline_sql = args.inline_sql;
  o.project.cli_vars = models::project::ParseVars(args.vars);
  if (args.profiles_dir) o.project.profiles_dir = *args.profiles_dir;
  o.project.target = args.target;
  if (args.project_dir) {
    o.project.project_dir = *args.project_dir;
  } else if (config && !config->models.project.empty()) {
    fs::path p = config->models.project;
    o.project.project_dir = p.is_relative() ? fs::path(config->base_dir) / p : p;
  }
  if (config) {
    models::project::ProjectOptions::Fallback f;
    f.type = config->target.type;
    f.path = load::DuckDbFile(config->target, config->base_dir);
    f.dsn = config->target.dsn;
    f.schema = config->models.schema;
    o.project.fallback_profile = f;
  }
  return o;
}

std::string ModelsArgsToJson(const ModelsArgs& a) {
  // Paths are made absolute: the server runs in another directory.
  auto path = [](const std::optional<std::string>& p) -> json {
    return p ? json(fs::absolute(*p).string()) : json(nullptr);
  };
  return json{{"command", a.command},         {"project_dir", path(a.project_dir)},
              {"profiles_dir", path(a.profiles_dir)}, {"target", a.target ? json(*a.target) : json(nullptr)},
              {"select", a.select},           {"exclude", a.exclude},
              {"resource_types", a.resource_types}, {"vars", a.vars},
              {"output", a.output},           {"limit", a.limit},
              {"inline", a.inline_sql},       {"full_refresh", a.full_refresh},
              {"fail_fast", a.fail_fast},      {"store_failures", a.store_failures}}
      .dump();
}

ModelsArgs ModelsArgsFromJson(const std::string& body) {
  ModelsArgs a;
  try {
    auto j = json::parse(body);
    a.command = j.at("command").get<std::string>();
    auto opt = [&](const char* key, std::optional<std::string>& out) {
      if (j.contains(key) && j[key].is_string()) out = j[key].get<std::string>();
    };
    opt("project_dir", a.project_dir);
    opt("profiles_dir", a.profiles_dir);
    opt("target", a.target);
    a.select = j.value("select", std::vector<std::string>{});
    a.exclude = j.value("exclude", std::vector<std::string>{});
    a.resource_types = j.value("resource_types", std::vector<std::string>{});
    a.vars = j.value("vars", std::string());
    a.output = j.value("output", std::string("selector"));
    a.limit = j.value("limit", 5);
    a.inline_sql = j.value("inline", std::string());
    a.full_refresh = j.value("full_refresh", false);
    a.fail_fast = j.value("fail_fast", false);
    a.store_failures = j.value("store_failures", false);
  } catch (const json::exception& e) {
    Fail(ErrorKind::kConfig, "a models request that is not valid JSON: {}", e.what());
  }
  static const std::set<std::string> kCommands{"run", "test", "seed", "snapshot", "build", "compile", "ls", "show"};
  if (!kCommands.count(a.command)) Fail(ErrorKind::kConfig, "unknown models command '{}'", a.command);
  return a;
}

}  // namespace wharf::pipeline
