#pragma once
// The facts `wharf status` shows, as JSON: per source the staged and applied
// batches, the full load, the capture's disk budget, and per table its phase,
// copy progress and warehouse rows. Read from the staging store (capture's
// state, manifests) and, when given, the warehouse: by `wharf status` when
// no process runs, and by a running `wharf run` on its loader thread.
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <optional>

#include "core/config.hpp"
#include "load/warehouse.hpp"
#include "staging/object_store.hpp"

namespace wharf::pipeline {

// Warehouse row counts for status. A PostgreSQL count(*) reads the whole
// table, so a running process, which reports every few seconds, recounts a
// table at most every `max_age` there; DuckDB counts from its metadata at once.
class RowCounter {
 public:
  explicit RowCounter(std::chrono::seconds max_age) : max_age_(max_age) {}
  std::optional<uint64_t> Count(load::Warehouse& warehouse, const std::string& type, const core::TableName& table);

 private:
  struct Counted {
    std::optional<uint64_t> rows;
    std::chrono::steady_clock::time_point at;
  };
  std::chrono::seconds max_age_;
  std::map<std::string, Counted> counted_;
};

// `warehouse` may be null (unavailable: `warehouse_note` says why).
// `counter`: null counts every table now.
nlohmann::json BuildStatusReport(const core::Config& config, staging::ObjectStore& store,
                                 load::Warehouse* warehouse, const std::string& warehouse_note,
                                 RowCounter* counter = nullptr);

}  // namespace wharf::pipeline
