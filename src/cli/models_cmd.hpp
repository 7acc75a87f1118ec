#pragma once
// `wharf models <command>`: dbt's commands over a dbt project, run by wharf;
// through a running `wharf run` when one holds the warehouse.
#include "core/config.hpp"
#include "pipeline/models_request.hpp"

namespace wharf::cli {

int Models(const pipeline::ModelsArgs& args, const core::Config* config);

}  // namespace wharf::cli
