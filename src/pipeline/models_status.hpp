#pragma once
// The last models build as `wharf status` shows it: read from the project's
// target/run_results.json, which every build writes (as dbt does).
#include <nlohmann/json.hpp>

#include "core/config.hpp"

namespace wharf::pipeline {

// null when no models.project is configured.
nlohmann::json ModelsStatus(const core::Config& config);

}  // namespace wharf::pipeline
