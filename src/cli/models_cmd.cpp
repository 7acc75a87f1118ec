#include "cli/models_cmd.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/local_client.hpp"
#include "core/error.hpp"

namespace wharf::cli {

int Models(const pipeline::ModelsArgs& args, const core::Config* config) {
  // A running `wharf run` holds a DuckDB warehouse: the command runs there.
  if (config) {
    if (auto reply = CallRunningWharf(*config, "/api/models", pipeline::ModelsArgsToJson(args))) {
      std::cout << reply->value("output", std::string());
      return reply->value("exit_code", 2);
    }
  }
  auto options = pipeline::ModelsOptions(args, config);
  auto result = models::dbt::RunCommand(options, models::dbt::DefaultOpenDb(), std::cout);
  return result.exit_code;
}

}  // namespace wharf::cli
