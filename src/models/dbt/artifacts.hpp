#pragma once
// dbt's artifacts, where dbt writes them: target/manifest.json (every node,
// source and macro with its config and dependencies, parent_map/child_map)
// and target/run_results.json (one entry per executed node). Their shape
// follows dbt's schemas (manifest v12, run-results v6) for the fields tools read.
#include <string>

#include "models/dbt/runner.hpp"
#include "models/dbt/session.hpp"

namespace wharf::models::dbt {

void WriteManifest(const Session& session);
void WriteRunResults(const Session& session, const CommandResult& result, const CommandOptions& options);
// One line of `ls --output json`.
std::string ListJson(const graph::GraphNode& node);
// "Found 8 models, 2 seeds, 20 data tests, 5 sources, ..."
std::string FoundLine(const Session& session);

}  // namespace wharf::models::dbt
