#include "models/graph/graph.hpp"

#include <fmt/ranges.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/nearest.hpp"

namespace wharf::models::graph {

namespace {

const std::vector<std::string> kNone;

// Breadth-first from `start` along `edges`, `depth` levels deep (< 0: all).
std::set<std::string> Reach(const std::map<std::string, std::vector<std::string>>& edges,
                            const std::string& start, int depth) {
  std::set<std::string> reached;
  std::vector<std::string> frontier{start};
  for (int level = 0; !frontier.empty() && (depth < 0 || level < depth); ++level) {
    std::vector<std::string> next;
    for (const auto& id : frontier) {
      auto it = edges.find(id);
      if (it == edges.end()) continue;
      for (const auto& neighbor : it->second)
        if (reached.insert(neighbor).second) next.push_back(neighbor);
    }
    frontier = std::move(next);
  }
  return reached;
}

}  // namespace

Graph::Graph(std::vector<GraphNode> nodes) : nodes_(std::move(nodes)) {
  IndexNodes();
  LinkDependencies();
  SortTopologically();
}

void Graph::IndexNodes() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const auto& id = nodes_[i].unique_id;
    if (!index_.emplace(id, i).second)
      Fail(ErrorKind::kConfig, "Two nodes have the unique_id {}", id);
    // Every node has an entry, so Parents/Children never hand out a missing one.
    parents_[id];
    children_[id];
  }
}

void Graph::LinkDependencies() {
  for (const auto& node : nodes_) {
    // A model may ref() the same parent twice; the edge counts once.
    std::set<std::string> parents(node.depends_on.begin(), node.depends_on.end());
    for (const auto& parent : parents) {
      if (!index_.count(parent)) {
        std::vector<std::string> ids;
        for (const auto& [id, i] : index_) ids.push_back(id);
        auto near = core::Nearest(parent, ids, 3);
        Fail(ErrorKind::kConfig, "{} depends on {}, which is not a node of the project{}",
             node.unique_id, parent, near ? fmt::format(" (did you mean {}?)", *near) : "");
      }
      parents_[node.unique_id].push_back(parent);
      children_[parent].push_back(node.unique_id);
    }
  }
  for (auto& [id, kids] : children_) std::sort(kids.begin(), kids.end());
}

// Kahn's algorithm; the ready node with the smallest unique_id goes first, so
// the order depends only on the graph, not on the order nodes were given in.
void Graph::SortTopologically() {
  std::map<std::string, size_t> waiting;  // unsorted parents per node
  std::set<std::string> ready;
  for (const auto& [id, parents] : parents_) {
    waiting[id] = parents.size();
    if (parents.empty()) ready.insert(id);
  }
  while (!ready.empty()) {
    std::string id = *ready.begin();
    ready.erase(ready.begin());
    order_.push_back(id);
    waiting.erase(id);
    for (const auto& child : children_[id])
      if (--waiting[child] == 0) ready.insert(child);
  }
  if (!waiting.empty()) {
    std::set<std::string> unsorted;
    for (const auto& [id, n] : waiting) unsorted.insert(id);
    FailOnCycle(unsorted);
  }
}

// Every node Kahn could not sort has an unsorted parent, so walking up through
// unsorted parents from any of them must come back to a node already seen:
// that loop is a cycle. It is reported parent --> child, from its smallest id.
void Graph::FailOnCycle(const std::set<std::string>& unsorted) const {
  std::vector<std::string> walk{*unsorted.begin()};
  std::map<std::string, size_t> seen{{walk.back(), 0}};
  while (true) {
    const auto& parents = parents_.at(walk.back());
    auto parent = std::find_if(parents.begin(), parents.end(),
                               [&](const std::string& p) { return unsorted.count(p) > 0; });
    if (auto again = seen.find(*parent); again != seen.end()) {
      walk.erase(walk.begin(), walk.begin() + static_cast<std::ptrdiff_t>(again->second));
      break;
    }
    seen.emplace(*parent, walk.size());
    walk.push_back(*parent);
  }
  std::reverse(walk.begin(), walk.end());  // child <- parent becomes parent --> child
  std::rotate(walk.begin(), std::min_element(walk.begin(), walk.end()), walk.end());
  walk.push_back(walk.front());
  Fail(ErrorKind::kConfig, "Found a cycle: {}", fmt::join(walk, " --> "));
}

const GraphNode* Graph::Find(const std::string& unique_id) const {
  auto it = index_.find(unique_id);
  return it == index_.end() ? nullptr : &nodes_[it->second];
}

const std::vector<std::string>& Graph::Parents(const std::string& unique_id) const {
  auto it = parents_.find(unique_id);
  return it == parents_.end() ? kNone : it->second;
}

const std::vector<std::string>& Graph::Children(const std::string& unique_id) const {
  auto it = children_.find(unique_id);
  return it == children_.end() ? kNone : it->second;
}

std::set<std::string> Graph::Ancestors(const std::string& unique_id, int depth) const {
  return Reach(parents_, unique_id, depth);
}

std::set<std::string> Graph::Descendants(const std::string& unique_id, int depth) const {
  return Reach(children_, unique_id, depth);
}

}  // namespace wharf::models::graph
