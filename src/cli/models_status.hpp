#pragma once
// The models' part of `wharf status`: the last build of models.project, read
// from the run_results.json it wrote (inside `wharf run` or from a shell).
#include <nlohmann/json.hpp>

#include "core/config.hpp"

namespace wharf::cli {

// null when no project is configured; {"error": ...} when it cannot be read.
nlohmann::json ModelsStatus(const core::Config& config);
void PrintModelsStatus(const nlohmann::json& status);

}  // namespace wharf::cli
