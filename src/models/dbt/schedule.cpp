#include "models/dbt/schedule.hpp"

#include <map>

namespace wharf::models::dbt {

std::vector<std::string> BuildGate(const graph::Graph& graph, const std::string& unique_id) {
  std::vector<std::string> out;
  const graph::GraphNode* self = graph.Find(unique_id);
  if (!self || self->resource_type == "test") return out;
  for (const auto& parent : graph.Parents(unique_id)) {
    for (const auto& child : graph.Children(parent)) {
      const graph::GraphNode* c = graph.Find(child);
      // A test that also reads this node (a relationships test) cannot gate it.
      if (c && c->resource_type == "test" && !graph.Ancestors(child).count(unique_id)) out.push_back(child);
    }
  }
  return out;
}

std::vector<std::string> Schedule(const graph::Graph& graph, const std::set<std::string>& chosen, bool build) {
  std::vector<std::string> topo;
  for (const auto& id : graph.TopologicalOrder())
    if (chosen.count(id)) topo.push_back(id);
  if (!build) return topo;
  // Kahn's algorithm over the topological order, with the gates as extra edges;
  // the earliest ready node in topological order goes next, so the order is stable.
  std::map<std::string, std::set<std::string>> waits;
  for (const auto& id : topo) {
    for (const auto& p : graph.Parents(id))
      if (chosen.count(p)) waits[id].insert(p);
    for (const auto& t : BuildGate(graph, id))
      if (chosen.count(t)) waits[id].insert(t);
  }
  std::vector<std::string> out;
  std::set<std::string> done;
  while (out.size() < topo.size()) {
    bool progressed = false;
    for (const auto& id : topo) {
      if (done.count(id)) continue;
      bool ready = true;
      for (const auto& w : waits[id]) ready = ready && done.count(w);
      if (!ready) continue;
      out.push_back(id);
      done.insert(id);
      progressed = true;
      break;
    }
    if (!progressed) {  // gates that would wait on each other: fall back to plain order
      for (const auto& id : topo)
        if (!done.count(id)) out.push_back(id), done.insert(id);
    }
  }
  return out;
}

}  // namespace wharf::models::dbt
