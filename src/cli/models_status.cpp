#include "cli/models_status.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli/models_cmd.hpp"
#include "core/error.hpp"
#include "models/project/project.hpp"

namespace wharf::cli {

namespace fs = std::filesystem;
using json = nlohmann::json;

json ModelsStatus(const core::Config& config) {
  if (config.models.project.empty()) return nullptr;
  auto options = ModelsOptions(ModelsArgs{}, &config).project;
  json out{{"project", options.project_dir.string()}};
  try {
    auto project = models::project::LoadProject(options);
    fs::path results = project.root / project.target_path / "run_results.json";
    std::ifstream in(results);
    if (!in) {
      out["last_run"] = nullptr;
      return out;
    }
    json doc = json::parse(in);
    std::map<std::string, int> counts;
    json problems = json::array();
    for (const auto& r : doc["results"]) {
      std::string status = r.value("status", "");
      counts[status]++;
      if (status == "error" || status == "fail" || status == "warn")
        problems.push_back({{"unique_id", r["unique_id"]}, {"status", status}, {"message", r["message"]}});
    }
    out["last_run"] = {{"command", doc["args"].value("which", "")},
                       {"generated_at", doc["metadata"].value("generated_at", "")},
                       {"elapsed_seconds", doc.value("elapsed_time", 0.0)},
                       {"counts", counts},
                       {"problems", problems}};
  } catch (const std::exception& e) {
    out["error"] = e.what();
  }
  return out;
}

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
