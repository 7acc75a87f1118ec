#include "pipeline/start_checks.hpp"

#include <map>

#include "capture/source_setup.hpp"
#include "core/error.hpp"
#include "load/load_mode.hpp"
#include "pg/connection.hpp"
#include "pipeline/models_request.hpp"

namespace wharf::pipeline {

void CheckTableNames(const core::Config& config) {
  for (const auto& s : config.sources) {
    auto conn = pg::Connection::Open(s.dsn, false, "wharf check " + s.name);
    capture::CheckTableNames(conn, s);
  }
}

void CheckTargetCollisions(const core::Config& config) {
  if (config.sources.size() < 2) return;
  std::map<std::string, std::string> owner;
  for (const auto& s : config.sources) {
    auto conn = pg::Connection::Open(s.dsn, false, "wharf check " + s.name);
    for (const auto& t : capture::SelectTables(conn, s).tables) {
      std::string target = config.TargetSchema(s, t.name.schema) + "." + t.name.name;
      auto [it, fresh] = owner.emplace(target, s.name);
      if (!fresh) {
        Fail(ErrorKind::kConfig,
             "sources {} and {} both map a table to warehouse table {}; give one of them a "
             "target_schema in wharf.yaml",
             it->second, s.name, target);
      }
    }
  }
}

void CheckModeRules(const core::Config& config) {
  if (config.target.table_modes.empty()) return;
  std::vector<load::ModeRules::Table> tables;
  for (const auto& s : config.sources) {
    auto conn = pg::Connection::Open(s.dsn, false, "wharf check " + s.name);
    for (const auto& t : capture::SelectTables(conn, s).tables)
      tables.push_back({t.name, {config.TargetSchema(s, t.name.schema), t.name.name}});
  }
  load::ModeRules(config.target).CheckAllMatch(tables);
}

models::project::Project CheckModelsProject(const core::Config& config) {
  try {
    return models::project::LoadProject(ModelsOptions(ModelsArgs{}, &config).project);
  } catch (Error& e) {
    throw e.AddContext("reading models.project of " + config.path);
  }
}

}  // namespace wharf::pipeline
