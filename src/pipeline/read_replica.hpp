#pragma once
// target.read_replica: a read-only copy of the DuckDB warehouse for readers
// such as BI tools. DuckDB lets one process open a file for writing, and a
// reader cannot open it while `wharf run` holds it; the copy can be opened
// by any number of readers. It is refreshed on the loader's thread, between
// batches, after each models build (or, with no models, at most every
// models.every once batches were applied): checkpoint, copy to a temporary
// file, fsync, rename over the replica, so a reader sees either the old
// copy or the new one, never half of it.
#include <chrono>
#include <cstdint>
#include <string>

#include "core/config.hpp"
#include "load/warehouse.hpp"

namespace wharf::pipeline {

class ReadReplica {
 public:
  explicit ReadReplica(const core::Config& config);
  // Never throws: a failed refresh is logged and tried again next time.
  void AfterLoad(load::Warehouse& warehouse, uint64_t applied_batches, bool models_built, bool final_pass);
  const std::string& path() const { return path_; }

 private:
  void Refresh(load::Warehouse& warehouse);
  const core::Config& config_;
  std::string path_;
  uint64_t refreshed_at_batches_ = 0;
  bool refreshed_once_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace wharf::pipeline
