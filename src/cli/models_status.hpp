#pragma once
// The models' part of `wharf status` in the terminal (the facts:
// pipeline/models_status.hpp).
#include <nlohmann/json.hpp>


namespace wharf::cli {

void PrintModelsStatus(const nlohmann::json& status);

}  // namespace wharf::cli
