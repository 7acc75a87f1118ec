#pragma once
// Models inside `wharf run`: after applied batches, at most every
// models.every, the configured dbt project is built in the loader's thread,
// between batches, so it reads a warehouse where every batch is whole. A
// failing model or test is logged (and recorded in the project's
// target/run_results.json, which `wharf status` reads); loading goes on.
#include <chrono>
#include <map>
#include <string>
#include <optional>

#include "core/config.hpp"
#include "pipeline/models_request.hpp"
#include "load/warehouse.hpp"
#include "staging/object_store.hpp"

namespace wharf::pipeline {

class ModelsAfterLoad {
 public:
  explicit ModelsAfterLoad(const core::Config& config) : config_(config) {}
  bool enabled() const { return !config_.models.project.empty(); }
  // Called after each catch-up with how many batches are applied in all;
  // builds when that grew and models.every has passed (or `force`, at the end
  // of --once), once every source's first full load is in the warehouse
  // (models over half-copied tables would only report false failures).
  // Never throws.
  // Returns whether it built.
  bool AfterCatchUp(load::Warehouse& warehouse, staging::ObjectStore& store, uint64_t applied_batches, bool force);
  // Runs a `wharf models` command from another shell (the local API) on
  // this process's warehouse; returns its exit code, its output in `output`.
  int RunRequest(load::Warehouse& warehouse, const ModelsArgs& args, std::string& output);

 private:
  const core::Config& config_;
  uint64_t built_at_batches_ = 0;
  bool built_once_ = false;
  bool copies_done_ = false;  // every source's tables were ready and applied once
  // Per source: the last batch staged when its copies were first seen ready.
  std::map<std::string, uint64_t> ready_at_seq_;
  bool CopiesApplied(load::Warehouse& warehouse, staging::ObjectStore& store);
  // The project built on this process's warehouse (its open DuckDB database).
  models::dbt::CommandResult Build(load::Warehouse& warehouse, const ModelsArgs& args, std::ostream& out);
  std::chrono::steady_clock::time_point last_run_{};
};

}  // namespace wharf::pipeline
