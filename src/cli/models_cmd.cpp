#include "cli/models_cmd.hpp"

#include <filesystem>
#include <iostream>

#include "cli/models_api.hpp"
#include "core/error.hpp"
#include "load/warehouse.hpp"

namespace wharf::cli {

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

models::project::Project CheckModelsProject(const core::Config& config) {
  try {
    return models::project::LoadProject(ModelsOptions(ModelsArgs{}, &config).project);
  } catch (Error& e) {
    throw e.AddContext("reading models.project of " + config.path);
  }
}

int Models(const ModelsArgs& args, const core::Config* config) {
  // A running `wharf run` holds a DuckDB warehouse: the command runs there.
  if (config) {
    if (auto code = ModelsThroughRunningWharf(args, config->server.listen)) return *code;
  }
  auto options = ModelsOptions(args, config);
  auto result = models::dbt::RunCommand(options, models::dbt::DefaultOpenDb(), std::cout);
  return result.exit_code;
}

}  // namespace wharf::cli
