#pragma once
// The order nodes run in. Parents before children; in `build`, also the tests
// of a node before the nodes that read it, so a failing test stops its
// downstream (dbt's build semantics).
#include <set>
#include <string>
#include <vector>

#include "models/graph/graph.hpp"

namespace wharf::models::dbt {

// Tests on the parents of `unique_id` (none for a test itself).
std::vector<std::string> BuildGate(const graph::Graph& graph, const std::string& unique_id);
std::vector<std::string> Schedule(const graph::Graph& graph, const std::set<std::string>& chosen, bool build);

}  // namespace wharf::models::dbt
