#pragma once
// The facts `wharf status` shows, as JSON: per source the staged and applied
// batches, the full load, the capture's disk budget, and per table its phase,
// copy progress and warehouse rows. Read from the staging store (capture's
// state, manifests) and, when given, the warehouse: by `wharf status` when
// no process runs, and by a running `wharf run` on its loader thread.
#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "load/warehouse.hpp"
#include "staging/object_store.hpp"

namespace wharf::pipeline {

// `warehouse` may be null (unavailable: `warehouse_note` says why).
nlohmann::json BuildStatusReport(const core::Config& config, staging::ObjectStore& store,
                                 load::Warehouse* warehouse, const std::string& warehouse_note);

}  // namespace wharf::pipeline
