#pragma once
// The CLI's side of the local API: while `wharf run` holds the warehouse
// (DuckDB lets one process open the file for writing), `wharf status`,
// `validate` and `models` ask that process at server.listen instead of
// opening the file. With no process answering there they run by themselves.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/config.hpp"

namespace wharf::cli {

// POSTs `body` to `path`; nullopt when no wharf answers at server.listen.
// Throws kConfig when one answers with an error (a bad token, a refusal).
std::optional<nlohmann::json> CallRunningWharf(const core::Config& config, const std::string& path,
                                               const std::string& body);
// GETs `path`; nullopt when no wharf answers.
std::optional<nlohmann::json> GetFromRunningWharf(const core::Config& config, const std::string& path);

}  // namespace wharf::cli
