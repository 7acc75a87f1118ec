#pragma once
// GET /metrics: the facts of the status document (pipeline::Board::Status)
// in Prometheus text, so the two never disagree. Pure.
#include <nlohmann/json.hpp>
#include <string>

namespace wharf::server {

std::string MetricsPage(const nlohmann::json& status);

}  // namespace wharf::server
