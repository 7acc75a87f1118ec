#include "cli/models_status.hpp"

#include <fmt/format.h>



namespace wharf::cli {

using json = nlohmann::json;

void PrintModelsStatus(const json& s) {
  if (s.is_null()) return;
  fmt::print("models {}\n", s["project"].get<std::string>());
  if (s.contains("error")) {
    fmt::print("  cannot read the project: {}\n", s["error"].get<std::string>());
    return;
  }
  if (s["last_run"].is_null()) {
    fmt::print("  not built yet\n");
    return;
  }
  const auto& r = s["last_run"];
  std::string counts;
  for (auto it = r["counts"].begin(); it != r["counts"].end(); ++it)
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", it.value().get<int>(), it.key());
  fmt::print("  last {} at {} in {:.2f} s: {}\n", r["command"].get<std::string>(), r["generated_at"].get<std::string>(),
             r["elapsed_seconds"].get<double>(), counts.empty() ? "nothing selected" : counts);
  for (const auto& p : r["problems"]) {
    std::string message = p["message"].is_string() ? p["message"].get<std::string>() : "";
    fmt::print("  {} {}: {}\n", p["status"].get<std::string>(), p["unique_id"].get<std::string>(),
               message.substr(0, message.find('\n')));
  }
}

}  // namespace wharf::cli
