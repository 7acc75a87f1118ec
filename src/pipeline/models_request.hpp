#pragma once
// A `wharf models <command>` request: dbt's commands over a dbt project, run
// by wharf. With a wharf.yaml the project defaults to models.project and the
// profile to wharf's own warehouse. Requests travel as JSON through the
// local API to a running `wharf run` (DuckDB has one writer process).
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "models/dbt/runner.hpp"

namespace wharf::pipeline {

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

models::dbt::CommandOptions ModelsOptions(const ModelsArgs& args, const core::Config* config);

std::string ModelsArgsToJson(const ModelsArgs& args);
// Throws kConfig on a body that is not a models request.
ModelsArgs ModelsArgsFromJson(const std::string& body);

}  // namespace wharf::pipeline
