#pragma once
// wharf::models::graph: the DAG of a dbt project and dbt's node selection
// syntax. Pure: no files, no database.
//
//   Graph g(nodes);                                   // throws on a cycle, naming it
//   auto order = g.TopologicalOrder();                // parents before children
//   auto chosen = Select(g, {"+orders tag:daily"}, {"stg_*"});
#include <map>
#include <set>
#include <string>
#include <vector>

namespace wharf::models::graph {

struct GraphNode {
  std::string unique_id;      // "model.shop.orders", "source.shop.raw.orders", "test.shop.unique_orders_id.1a2b3c4d5e"
  std::string resource_type;  // "model" | "seed" | "snapshot" | "test" | "source" | "analysis"
  std::string name;           // "orders"; sources: the table name
  std::string package_name;
  std::vector<std::string> fqn;   // ["shop", "staging", "stg_orders"]; sources: [project, source_name, table]
  std::string original_file_path; // "models/staging/stg_orders.sql" (relative to the project root)
  std::vector<std::string> tags;
  // String forms of config values, for `config.<key>:<value>` ("materialized" -> "view").
  // A list-valued config holds each element joined by '\n'.
  std::map<std::string, std::string> config;
  std::vector<std::string> depends_on;  // unique_ids of parents (refs, sources; a test's tested node)
  std::string source_name;  // sources only
  std::string test_type;    // tests: "generic" | "singular"
  std::string test_name;    // generic tests: "unique", "not_null", ...
};

class Graph {
 public:
  // Throws wharf::Error(kConfig) for a cycle ("Found a cycle: model.p.a --> model.p.b --> model.p.a")
  // and for a depends_on naming an unknown node.
  explicit Graph(std::vector<GraphNode> nodes);

  const std::vector<GraphNode>& nodes() const { return nodes_; }
  const GraphNode* Find(const std::string& unique_id) const;
  // Parents before children; ties in unique_id order so the order is stable.
  const std::vector<std::string>& TopologicalOrder() const { return order_; }
  const std::vector<std::string>& Parents(const std::string& unique_id) const;
  const std::vector<std::string>& Children(const std::string& unique_id) const;
  // depth < 0: unbounded. Excludes the node itself.
  std::set<std::string> Ancestors(const std::string& unique_id, int depth = -1) const;
  std::set<std::string> Descendants(const std::string& unique_id, int depth = -1) const;

 private:
  void IndexNodes();
  void LinkDependencies();
  void SortTopologically();
  [[noreturn]] void FailOnCycle(const std::set<std::string>& unsorted) const;

  std::vector<GraphNode> nodes_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::vector<std::string>> parents_, children_;
  std::vector<std::string> order_;
};

// dbt's selection (https://docs.getdbt.com/reference/node-selection/syntax):
// each string of `select` is split on spaces (union); each part on commas
// (intersection); each atom is [@][N+]method:value[+N] with methods name-or-fqn
// (the default; `*` wildcards; a value with '/' is a path, one ending in
// .sql/.py/.csv a file name), tag, path, file, fqn, config.<key>,
// resource_type, source (source:name or source:name.table), test_type,
// test_name, package. `exclude` is parsed the same way and removed at the end.
// An empty `select` selects every node. Each atom's nodes gain tests by dbt's
// eager indirect selection (a test any of whose parents is selected is
// selected too), so `orders,test_type:generic` is the generic tests of
// orders, and excluding a node excludes its tests as well.
// Unknown methods are wharf::Error(kConfig); a selector matching nothing is
// not an error (the caller warns, as dbt does).
std::set<std::string> Select(const Graph& graph, const std::vector<std::string>& select,
                             const std::vector<std::string>& exclude);

}  // namespace wharf::models::graph
