// Session::BuildGraph: the DAG of the parsed nodes and the project's sources,
// with the nodes on a cycle named and kept out of it.
#include <functional>

#include "models/dbt/session.hpp"

namespace wharf::models::dbt {

using jinja::Value;
using project::NodeKind;

namespace {

// The nodes on cycles of `edges` (node -> parents): Tarjan's strongly
// connected components of more than one node, or with a self-edge.
std::set<std::string> NodesOnCycles(const std::map<std::string, std::vector<std::string>>& edges) {
  std::map<std::string, int> index, low;
  std::vector<std::string> stack;
  std::set<std::string> on_stack, out;
  int counter = 0;
  std::function<void(const std::string&)> visit = [&](const std::string& v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack.insert(v);
    auto it = edges.find(v);
    if (it != edges.end()) {
      for (const auto& w : it->second) {
        if (!edges.count(w)) continue;
        if (!index.count(w)) {
          visit(w);
          low[v] = std::min(low[v], low[w]);
        } else if (on_stack.count(w)) {
          low[v] = std::min(low[v], index[w]);
        }
      }
    }
    if (low[v] == index[v]) {
      std::vector<std::string> component;
      std::string w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack.erase(w);
        component.push_back(w);
      } while (w != v);
      bool self = it != edges.end() && std::count(it->second.begin(), it->second.end(), v);
      if (component.size() > 1 || self) out.insert(component.begin(), component.end());
    }
  };
  for (const auto& [v, _] : edges)
    if (!index.count(v)) visit(v);
  return out;
}

}  // namespace

void Session::BuildGraph() {
  std::map<std::string, std::vector<std::string>> edges;
  for (auto& [id, state] : nodes_) edges[id] = state.depends_on;
  std::set<std::string> cyclic = NodesOnCycles(edges);
  if (!cyclic.empty()) {
    std::string names;
    for (const auto& id : cyclic) names += (names.empty() ? "" : " --> ") + id;
    graph_error_ = "Found a cycle: " + names;
    for (const auto& id : cyclic) {
      NodeState& s = node(id);
      if (s.parse_error.empty()) s.parse_error = graph_error_;
      // Kept apart from the graph: their descendants are skipped by the runner.
      s.depends_on.erase(std::remove_if(s.depends_on.begin(), s.depends_on.end(),
                                        [&](const std::string& p) { return cyclic.count(p) > 0; }),
                         s.depends_on.end());
    }
  }
  std::vector<graph::GraphNode> gnodes;
  for (const auto& [id, state] : nodes_) {
    const project::Node& n = *state.node;
    graph::GraphNode g;
    g.unique_id = id;
    g.resource_type = project::NodeKindName(n.kind);
    g.name = n.name;
    g.package_name = n.package_name;
    g.fqn = n.fqn;
    g.original_file_path = n.original_file_path;
    if (const Value* tags = state.config.Find("tags"); tags && tags->IsList())
      for (const auto& t : tags->AsList()) g.tags.push_back(t.Str());
    for (const auto& [k, v] : state.config) {
      if (v.IsList()) {
        std::string joined;
        for (const auto& item : v.AsList()) joined += (joined.empty() ? "" : "\n") + item.Str();
        g.config[k] = joined;
      } else if (!v.IsDict()) {
        g.config[k] = v.Str();
      }
    }
    g.config["materialized"] = state.materialized();
    for (const auto& d : state.depends_on)
      if (nodes_.count(d) || sources_.count(d)) g.depends_on.push_back(d);
    if (n.test) {
      g.test_type = "generic";
      g.test_name = n.test->test_name;
    } else if (n.kind == NodeKind::kTest) {
      g.test_type = "singular";
    }
    gnodes.push_back(std::move(g));
  }
  for (const auto& s : loaded_.manifest.sources) {
    graph::GraphNode g;
    g.unique_id = s.unique_id;
    g.resource_type = "source";
    g.name = s.name;
    g.package_name = loaded_.project.name;
    g.fqn = s.fqn;
    g.original_file_path = s.original_file_path;
    g.source_name = s.source_name;
    if (const Value* tags = s.config.Find("tags"); tags && tags->IsList())
      for (const auto& t : tags->AsList()) g.tags.push_back(t.Str());
    gnodes.push_back(std::move(g));
  }
  graph_ = std::make_unique<graph::Graph>(std::move(gnodes));
}


}  // namespace wharf::models::dbt
