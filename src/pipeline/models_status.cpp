#include "pipeline/models_status.hpp"

#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.hpp"
#include "models/project/project.hpp"
#include "pipeline/models_request.hpp"

namespace wharf::pipeline {

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

}  // namespace wharf::pipeline
