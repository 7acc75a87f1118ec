#include "pipeline/models_after_load.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

#include "staging/staged_log.hpp"
#include "staging/state_store.hpp"

namespace wharf::pipeline {

namespace {

// Opens the warehouse a profile names: wharf's own DuckDB through the
// loader's open database (the file has one writer), anything else as usual.
models::dbt::OpenDb OpenThrough(load::Warehouse& warehouse, const core::Config& config) {
  std::string target_path = load::DuckDbFile(config.target, config.base_dir);
  return [&warehouse, &config, target_path](const models::project::Profile& p) -> std::unique_ptr<models::dbt::Db> {
    auto embedded = warehouse.EmbeddedDatabase();
    bool same_file = p.type == "duckdb" && std::filesystem::weakly_canonical(p.path) ==
                                               std::filesystem::weakly_canonical(target_path);
    if (embedded && same_file) {
      return models::dbt::ConnectDuckDb(embedded->database, embedded->catalog);
    }
    return models::dbt::DefaultOpenDb()(p);
  };
}

}  // namespace

// Every selected table of every source is copied (phase ready) and the
// warehouse has applied every batch staged by the time that was seen:
// capture saves "ready" only after a copy's last batch is durable, so the
// batches listed after reading the state include all of the copy's.
bool ModelsAfterLoad::CopiesApplied(load::Warehouse& warehouse, staging::ObjectStore& store) {
  auto progress = warehouse.Progress();
  for (const auto& s : config_.sources) {
    auto state = staging::StateStore(store, s.name).Load();
    if (!state || !state->AllReady()) return false;
    uint64_t applied_seq = warehouse.AppliedSeq(s.name);
    auto [it, first] = ready_at_seq_.emplace(s.name, applied_seq);
    if (first) {
      auto staged = staging::ListManifests(store, s.name, applied_seq);
      if (!staged.empty()) it->second = staged.back();
    }
    if (applied_seq < it->second) return false;
    Lsn applied;
    for (const auto& p : progress)
      if (p.source == s.name) applied = p.end_lsn;
    for (const auto& t : state->tables)
      if (applied < t.catchup_lsn) return false;
  }
  return true;
}

models::dbt::CommandResult ModelsAfterLoad::Build(load::Warehouse& warehouse, const ModelsArgs& args,
                                                  std::ostream& out) {
  return models::dbt::RunCommand(ModelsOptions(args, &config_), OpenThrough(warehouse, config_), out);
}

int ModelsAfterLoad::RunRequest(load::Warehouse& warehouse, const ModelsArgs& args, std::string& output) {
  std::ostringstream out;
  auto result = Build(warehouse, args, out);
  output = out.str();
  return result.exit_code;
}

bool ModelsAfterLoad::AfterCatchUp(load::Warehouse& warehouse, staging::ObjectStore& store, uint64_t applied_batches,
                                   bool force) {
  if (!enabled()) return false;
  // New batches since the last build (or, at the end of --once, any build at all).
  bool news = applied_batches > built_at_batches_ || (force && !built_once_);
  auto now = std::chrono::steady_clock::now();
  bool due = force || !built_once_ || now - last_run_ >= config_.models.every;
  if (!news || !due) return false;
  // Checked only when a build is due: it reads capture's state from staging.
  if (!copies_done_) {
    try {
      copies_done_ = CopiesApplied(warehouse, store);
    } catch (const std::exception& e) {
      spdlog::debug("models: cannot tell whether the full load is applied yet: {}", e.what());
    }
    if (!copies_done_ && !force) return false;
  }
  ModelsArgs args;
  args.command = config_.models.command;
  args.select = config_.models.select;
  args.exclude = config_.models.exclude;
  std::ostringstream out;
  try {
    auto result = Build(warehouse, args, out);
    int ok = 0, bad = 0;
    for (const auto& r : result.results) (r.outcome.status == "error" || r.outcome.status == "fail" ? bad : ok)++;
    if (result.exit_code == 0) {
      spdlog::info("models: {} built or passed in {:.2f} s ({} {})", ok, result.elapsed, config_.models.command,
                   config_.models.project);
    } else {
      std::string detail = result.error;
      for (const auto& r : result.results)
        if (r.outcome.status == "error" || r.outcome.status == "fail")
          detail += "\n  " + r.unique_id + ": " + r.outcome.message;
      spdlog::error("models: {} failed (exit {}), {} ok; loading goes on:{}", bad ? std::to_string(bad) + " node(s)" : "the project",
                    result.exit_code, ok, detail);
    }
    spdlog::debug("models output:\n{}", out.str());
  } catch (const std::exception& e) {
    spdlog::error("models: could not run {}: {}; loading goes on", config_.models.project, e.what());
  }
  built_once_ = true;
  built_at_batches_ = applied_batches;
  last_run_ = now;
  return true;
}

}  // namespace wharf::pipeline
