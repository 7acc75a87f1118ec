#pragma once
// `wharf models <command>`: dbt's commands over a dbt project, run by wharf.
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "models/dbt/runner.hpp"

namespace wharf::cli {

struct ModelsArgs {
  std::string command;  // run | test | seed | snapshot | build | compile | ls | show
  std::optional<std::string> project_dir;
  std::optional<std::string> profiles_dir;
  std::optional<std::string> target;
  std::vector<std::string> select, exclude, resource_types;
  std::string vars;
  std::string output = "selector";
  int limit = 5;
  std::string inline_sql;
  bool full_refresh = false;
  bool fail_fast = false;
  bool store_failures = false;
};

// The options for a command; with a wharf.yaml, the project defaults to
// models.project and the profile to wharf's own warehouse.
models::dbt::CommandOptions ModelsOptions(const ModelsArgs& args, const core::Config* config);
int Models(const ModelsArgs& args, const core::Config* config);
// Reads models.project's dbt_project.yml; throws what is wrong, naming the setting.
models::project::Project CheckModelsProject(const core::Config& config);

}  // namespace wharf::cli
