// Tests of the models DAG (build, cycles, topological order, relatives) and
// of dbt's node selection over a small jaffle_shop-like project.
#include "models/graph/graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"

using wharf::Error;
using wharf::ErrorKind;
using wharf::models::graph::Graph;
using wharf::models::graph::GraphNode;
using wharf::models::graph::Select;

namespace {

using Names = std::set<std::string>;

GraphNode Node(std::string unique_id, std::string type, std::string name, std::string package,
               std::vector<std::string> fqn, std::string path) {
  GraphNode n;
  n.unique_id = std::move(unique_id);
  n.resource_type = std::move(type);
  n.name = std::move(name);
  n.package_name = std::move(package);
  n.fqn = std::move(fqn);
  n.original_file_path = std::move(path);
  return n;
}

// A model of package jaffle under models/<folders...>/.
GraphNode Model(const std::string& name, const std::vector<std::string>& folders,
                std::vector<std::string> deps, std::vector<std::string> tags = {},
                std::map<std::string, std::string> config = {}) {
  std::vector<std::string> fqn{"jaffle"};
  std::string path = "models/";
  for (const auto& f : folders) {
    fqn.push_back(f);
    path += f + "/";
  }
  fqn.push_back(name);
  GraphNode n = Node("model.jaffle." + name, "model", name, "jaffle", fqn, path + name + ".sql");
  n.tags = std::move(tags);
  n.config = std::move(config);
  n.depends_on = std::move(deps);
  return n;
}

GraphNode Seed(const std::string& name) {
  return Node("seed.jaffle." + name, "seed", name, "jaffle", {"jaffle", name},
              "seeds/" + name + ".csv");
}

GraphNode Source(const std::string& table) {
  GraphNode n = Node("source.jaffle.shop." + table, "source", table, "jaffle",
                     {"jaffle", "shop", table}, "models/staging/sources.yml");
  n.tags = {"raw"};
  n.source_name = "shop";
  return n;
}

// A generic test defined in the schema.yml of `folder`.
GraphNode GenericTest(const std::string& name, std::string test_name, const std::string& folder,
                      std::vector<std::string> deps,
                      std::map<std::string, std::string> config = {}) {
  GraphNode n = Node("test.jaffle." + name + ".0123456789", "test", name, "jaffle",
                     {"jaffle", folder, name}, "models/" + folder + "/schema.yml");
  n.config = std::move(config);
  n.depends_on = std::move(deps);
  n.test_type = "generic";
  n.test_name = std::move(test_name);
  return n;
}

// seeds --> staging (plus a source) --> marts --> finance; a snapshot; a
// model of another package; generic tests on a source, staging and marts
// models (one relationships test with two parents); one singular test.
std::vector<GraphNode> ShopNodes() {
  GraphNode snapshot =
      Node("snapshot.jaffle.orders_snapshot", "snapshot", "orders_snapshot", "jaffle",
           {"jaffle", "orders_snapshot", "orders_snapshot"}, "snapshots/orders_snapshot.sql");
  snapshot.depends_on = {"source.jaffle.shop.orders"};
  GraphNode calendar = Node("model.dates.calendar", "model", "calendar", "dates",
                            {"dates", "calendar"}, "models/calendar.sql");
  calendar.config = {{"materialized", "view"}};
  GraphNode singular =
      Node("test.jaffle.assert_positive_revenue", "test", "assert_positive_revenue", "jaffle",
           {"jaffle", "assert_positive_revenue"}, "tests/assert_positive_revenue.sql");
  singular.depends_on = {"model.jaffle.revenue"};
  singular.test_type = "singular";

  const std::map<std::string, std::string> view{{"materialized", "view"}};
  return {
      Seed("raw_customers"),
      Seed("raw_orders"),
      Seed("raw_payments"),
      Source("orders"),
      Source("events"),
      Model("stg_customers", {"staging"}, {"seed.jaffle.raw_customers"}, {"staging"}, view),
      Model("stg_orders", {"staging"}, {"seed.jaffle.raw_orders", "source.jaffle.shop.orders"},
            {"staging", "daily"}, view),
      Model("stg_payments", {"staging"}, {"seed.jaffle.raw_payments"}, {"staging"}, view),
      Model("stg_events", {"staging"}, {"source.jaffle.shop.events"}, {"staging", "clickstream"},
            view),
      Model("customers", {"marts"},
            {"model.jaffle.stg_customers", "model.jaffle.stg_orders", "model.jaffle.stg_payments"},
            {"daily"}, {{"materialized", "table"}, {"contract.enforced", "True"}}),
      Model("orders", {"marts"}, {"model.jaffle.stg_orders", "model.jaffle.stg_payments"},
            {"finance"}, {{"materialized", "table"}, {"cluster_by", "order_date\nstatus"}}),
      Model("revenue", {"marts", "finance"}, {"model.jaffle.orders", "model.dates.calendar"},
            {"finance"}, {{"materialized", "incremental"}}),
      snapshot,
      calendar,
      singular,
      GenericTest("source_not_null_shop_orders_id", "not_null", "staging",
                  {"source.jaffle.shop.orders"}),
      GenericTest("unique_stg_customers_customer_id", "unique", "staging",
                  {"model.jaffle.stg_customers"}),
      GenericTest("not_null_stg_orders_order_id", "not_null", "staging",
                  {"model.jaffle.stg_orders"}),
      GenericTest("accepted_values_stg_orders_status", "accepted_values", "staging",
                  {"model.jaffle.stg_orders"}, {{"severity", "warn"}}),
      GenericTest("unique_orders_order_id", "unique", "marts", {"model.jaffle.orders"},
                  {{"severity", "ERROR"}}),
      GenericTest("relationships_orders_customer_id", "relationships", "marts",
                  {"model.jaffle.orders", "model.jaffle.customers"}),
  };
}

const Graph& Shop() {
  static const Graph graph(ShopNodes());
  return graph;
}

// Short names of what a selection chose (sources as "shop.<table>"), tests
// left out unless `with_tests`.
Names Chosen(const std::vector<std::string>& select, const std::vector<std::string>& exclude,
             bool with_tests) {
  Names out;
  for (const auto& id : Select(Shop(), select, exclude)) {
    const GraphNode* n = Shop().Find(id);
    if (n->resource_type == "test" && !with_tests) continue;
    out.insert(n->resource_type == "source" ? n->source_name + "." + n->name : n->name);
  }
  return out;
}

std::vector<std::string> Args(const std::string& s) {
  return s.empty() ? std::vector<std::string>{} : std::vector{s};
}

Names Sel(const std::vector<std::string>& select) { return Chosen(select, {}, true); }
Names Sel(const std::string& select, const std::string& exclude = "") {
  return Chosen(Args(select), Args(exclude), true);
}
Names SelNodes(const std::string& select, const std::string& exclude = "") {
  return Chosen(Args(select), Args(exclude), false);
}

// The message of the kConfig error that `f` throws ("" if none).
template <typename F>
std::string ErrorOf(F f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    return e.message();
  }
  ADD_FAILURE() << "no error";
  return "";
}

std::string SelectError(const std::string& select, const std::string& exclude = "") {
  return ErrorOf([&] { Sel(select, exclude); });
}

// A node known only by its id, for graph-shape tests.
GraphNode Bare(std::string id, std::vector<std::string> deps = {}) {
  GraphNode n = Node(std::move(id), "model", "", "p", {}, "");
  n.depends_on = std::move(deps);
  return n;
}

}  // namespace

// ---- the graph ----

TEST(GraphBuild, TopologicalOrderPutsParentsFirstAndBreaksTiesById) {
  Graph g({Bare("m.d", {"m.b", "m.c"}), Bare("m.c", {"m.a"}), Bare("m.b", {"m.a"}), Bare("m.a"),
           Bare("m.e")});
  EXPECT_EQ(g.TopologicalOrder(), (std::vector<std::string>{"m.a", "m.b", "m.c", "m.d", "m.e"}));
  // "m.z" is ready from the start but sorts after the chain's heads; "m.b0" waits for "m.y".
  Graph g2({Bare("m.y"), Bare("m.b0", {"m.y"}), Bare("m.z"), Bare("m.x")});
  EXPECT_EQ(g2.TopologicalOrder(), (std::vector<std::string>{"m.x", "m.y", "m.b0", "m.z"}));
}

TEST(GraphBuild, OrderDependsOnlyOnTheGraph) {
  auto nodes = ShopNodes();
  const auto& order = Shop().TopologicalOrder();
  ASSERT_EQ(order.size(), nodes.size());
  std::reverse(nodes.begin(), nodes.end());
  EXPECT_EQ(Graph(nodes).TopologicalOrder(), order);
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < order.size(); ++i) at[order[i]] = i;
  for (const auto& n : nodes)
    for (const auto& parent : n.depends_on) EXPECT_LT(at[parent], at[n.unique_id]) << n.unique_id;
}

TEST(GraphBuild, CycleErrorNamesTheCycleFromItsSmallestNode) {
  // "model.p.0down" sorts first and hangs below the cycle's middle: it must
  // not appear in the message, which starts at the cycle's smallest node.
  std::string message = ErrorOf([] {
    Graph({Bare("model.p.up"), Bare("model.p.b", {"model.p.a"}),
           Bare("model.p.c", {"model.p.b", "model.p.up"}), Bare("model.p.a", {"model.p.c"}),
           Bare("model.p.0down", {"model.p.b"})});
  });
  EXPECT_EQ(message, "Found a cycle: model.p.a --> model.p.b --> model.p.c --> model.p.a");
}

TEST(GraphBuild, SelfDependencyIsACycle) {
  EXPECT_EQ(ErrorOf([] { Graph({Bare("model.p.a", {"model.p.a"})}); }),
            "Found a cycle: model.p.a --> model.p.a");
}

TEST(GraphBuild, UnknownDependencyNamesBothAndSuggests) {
  std::string message = ErrorOf([] {
    Graph({Bare("model.p.orders", {"model.p.stg_order"}), Bare("model.p.stg_orders")});
  });
  EXPECT_NE(message.find("model.p.orders depends on model.p.stg_order"), std::string::npos)
      << message;
  EXPECT_NE(message.find("did you mean model.p.stg_orders?"), std::string::npos) << message;
}

TEST(GraphBuild, DuplicateUniqueIdIsAnError) {
  EXPECT_NE(ErrorOf([] {
              Graph({Bare("model.p.a"), Bare("model.p.a")});
            }).find("model.p.a"),
            std::string::npos);
}

TEST(GraphBuild, ParentsAndChildrenAreSortedAndCountedOnce) {
  Graph g({Bare("m.c", {"m.b", "m.a", "m.b"}), Bare("m.b"), Bare("m.a"), Bare("m.d", {"m.a"})});
  EXPECT_EQ(g.Parents("m.c"), (std::vector<std::string>{"m.a", "m.b"}));
  EXPECT_EQ(g.Children("m.a"), (std::vector<std::string>{"m.c", "m.d"}));
  EXPECT_EQ(g.Children("m.b"), (std::vector<std::string>{"m.c"}));
  EXPECT_TRUE(g.Parents("m.a").empty());
}

TEST(GraphBuild, AncestorsAndDescendantsHonourDepthAndExcludeTheNode) {
  Graph g({Bare("m.a"), Bare("m.b", {"m.a"}), Bare("m.c", {"m.b"}), Bare("m.d", {"m.c", "m.a"})});
  EXPECT_EQ(g.Ancestors("m.d"), (std::set<std::string>{"m.a", "m.b", "m.c"}));
  EXPECT_EQ(g.Ancestors("m.d", 1), (std::set<std::string>{"m.a", "m.c"}));
  EXPECT_EQ(g.Ancestors("m.d", 2), (std::set<std::string>{"m.a", "m.b", "m.c"}));
  EXPECT_TRUE(g.Ancestors("m.d", 0).empty());
  EXPECT_EQ(g.Descendants("m.a", 1), (std::set<std::string>{"m.b", "m.d"}));
  EXPECT_EQ(g.Descendants("m.b"), (std::set<std::string>{"m.c", "m.d"}));
  EXPECT_TRUE(g.Descendants("m.d").empty());
}

TEST(GraphBuild, UnknownIdHasNoNodeAndNoRelatives) {
  Graph g({Bare("m.a")});
  EXPECT_EQ(g.Find("m.zz"), nullptr);
  ASSERT_NE(g.Find("m.a"), nullptr);
  EXPECT_TRUE(g.Parents("m.zz").empty());
  EXPECT_TRUE(g.Children("m.zz").empty());
  EXPECT_TRUE(g.Ancestors("m.zz").empty());
}

// ---- selection: basics and graph operators ----

TEST(SelectBasics, EmptySelectIsEveryNode) {
  EXPECT_EQ(Select(Shop(), {}, {}).size(), Shop().nodes().size());
  EXPECT_EQ(Select(Shop(), {"  "}, {}).size(), Shop().nodes().size());
}

TEST(SelectBasics, NameSelectsTheModelAndTestsOnIt) {
  EXPECT_EQ(Sel("orders"),
            (Names{"orders", "unique_orders_order_id", "relationships_orders_customer_id"}));
}

TEST(SelectBasics, SelectorMatchingNothingIsEmptyNotAnError) {
  EXPECT_TRUE(Sel("no_such_model").empty());
  EXPECT_TRUE(Sel("tag:nope+").empty());
}

TEST(SelectGraph, PlusPrefixAddsAllAncestors) {
  EXPECT_EQ(SelNodes("+orders"), (Names{"orders", "stg_orders", "stg_payments", "raw_orders",
                                        "raw_payments", "shop.orders"}));
}

TEST(SelectGraph, PlusSuffixAddsAllDescendantsWithTheirTests) {
  EXPECT_EQ(Sel("stg_payments+"),
            (Names{"stg_payments", "customers", "orders", "revenue", "unique_orders_order_id",
                   "relationships_orders_customer_id", "assert_positive_revenue"}));
}

TEST(SelectGraph, DepthLimitedParents) {
  EXPECT_EQ(SelNodes("1+revenue"), (Names{"revenue", "orders", "calendar"}));
  EXPECT_EQ(SelNodes("2+revenue"),
            (Names{"revenue", "orders", "calendar", "stg_orders", "stg_payments"}));
  // stg_orders is both matched and a parent of customers: its own parents still count.
  EXPECT_EQ(SelNodes("1+tag:daily"), (Names{"customers", "stg_customers", "stg_orders",
                                            "stg_payments", "raw_orders", "shop.orders"}));
}

TEST(SelectGraph, DepthLimitedChildren) {
  EXPECT_EQ(SelNodes("stg_payments+1"), (Names{"stg_payments", "customers", "orders"}));
  EXPECT_EQ(SelNodes("raw_orders+2"), (Names{"raw_orders", "stg_orders", "customers", "orders"}));
}

TEST(SelectGraph, BothSidesAtOnce) {
  EXPECT_EQ(SelNodes("1+orders+1"), (Names{"stg_orders", "stg_payments", "orders", "revenue"}));
}

TEST(SelectGraph, AtAddsDescendantsAndAllTheirAncestors) {
  // stg_customers feeds customers, whose other parents (and theirs) come too;
  // the relationships test on customers also hangs off orders, which joins.
  Names at = SelNodes("@stg_customers");
  EXPECT_EQ(at, (Names{"stg_customers", "raw_customers", "customers", "stg_orders", "raw_orders",
                       "shop.orders", "stg_payments", "raw_payments", "orders"}));
  EXPECT_EQ(at.count("revenue"), 0u);  // a child of orders, not of anything @ reached downward
}

TEST(SelectGraph, AtWithPlusSuffixIsAnError) {
  EXPECT_NE(SelectError("@orders+").find("incompatible"), std::string::npos);
}

TEST(SelectGraph, LeadingDigitsWithoutPlusArePartOfTheName) {
  auto two = Bare("model.p.2020_orders");
  two.name = "2020_orders";
  two.fqn = {"p", "2020_orders"};
  Graph g({two, Bare("model.p.x", {"model.p.2020_orders"})});
  EXPECT_EQ(Select(g, {"2020_orders"}, {}), (std::set<std::string>{"model.p.2020_orders"}));
  EXPECT_EQ(Select(g, {"2020_orders+"}, {}),
            (std::set<std::string>{"model.p.2020_orders", "model.p.x"}));
}

// ---- selection: set operators and indirect test selection ----

TEST(SelectSets, SpacesAndSeparateStringsAreUnions) {
  Names both = SelNodes("customers stg_events");
  EXPECT_EQ(both, (Names{"customers", "stg_events"}));
  EXPECT_EQ(Sel(std::vector<std::string>{"customers", "stg_events"}), Sel("customers  stg_events"));
}

TEST(SelectSets, CommaIsIntersection) {
  EXPECT_EQ(
      Sel("+customers,tag:staging"),
      (Names{"stg_customers", "stg_orders", "stg_payments", "unique_stg_customers_customer_id",
             "not_null_stg_orders_order_id", "accepted_values_stg_orders_status"}));
  EXPECT_EQ(SelNodes("tag:daily,resource_type:model,marts"), (Names{"customers"}));
}

TEST(SelectSets, IntersectingAModelWithATestTypeGivesItsTests) {
  // Each criterion gains its tests before the intersection, as in dbt.
  EXPECT_EQ(Sel("stg_orders,test_type:generic"),
            (Names{"not_null_stg_orders_order_id", "accepted_values_stg_orders_status"}));
  EXPECT_EQ(Sel("resource_type:test,tag:finance"),
            (Names{"unique_orders_order_id", "relationships_orders_customer_id",
                   "assert_positive_revenue"}));
}

TEST(SelectSets, ExcludeRemovesNodesAndTheirTests) {
  EXPECT_EQ(Sel("+orders", "stg_orders"),
            (Names{"orders", "stg_payments", "raw_orders", "raw_payments", "shop.orders",
                   "source_not_null_shop_orders_id", "unique_orders_order_id",
                   "relationships_orders_customer_id"}));
}

TEST(SelectSets, ExcludingOneParentRemovesATestOnTwo) {
  EXPECT_EQ(Sel("orders", "customers"), (Names{"orders", "unique_orders_order_id"}));
}

TEST(SelectSets, ExcludeAppliesToEverythingWhenNothingIsSelected) {
  Names rest = Sel("", "tag:staging resource_type:test");
  EXPECT_EQ(rest,
            (Names{"raw_customers", "raw_orders", "raw_payments", "shop.orders", "shop.events",
                   "customers", "orders", "revenue", "orders_snapshot", "calendar"}));
}

TEST(SelectSets, ExcludeTakesGraphOperators) {
  EXPECT_EQ(SelNodes("resource_type:model", "stg_payments+"),
            (Names{"stg_customers", "stg_orders", "stg_events", "calendar"}));
}

TEST(SelectIndirect, ATestIsSelectedWhenAnyParentIs) {
  EXPECT_EQ(Sel("customers"), (Names{"customers", "relationships_orders_customer_id"}));
}

TEST(SelectIndirect, SourcesBringTheirTests) {
  EXPECT_EQ(Sel("source:shop.orders"), (Names{"shop.orders", "source_not_null_shop_orders_id"}));
}

TEST(SelectIndirect, AnExcludedTestStaysOut) {
  EXPECT_EQ(Sel("orders", "test_name:unique"),
            (Names{"orders", "relationships_orders_customer_id"}));
}

// ---- selection: methods ----

TEST(SelectMethods, FqnFoldersPackagesAndDottedPaths) {
  EXPECT_EQ(SelNodes("staging"),
            (Names{"stg_customers", "stg_orders", "stg_payments", "stg_events"}));
  EXPECT_EQ(SelNodes("marts"), (Names{"customers", "orders", "revenue"}));
  EXPECT_EQ(SelNodes("marts.finance"), (Names{"revenue"}));
  EXPECT_EQ(SelNodes("jaffle.marts.orders"), (Names{"orders"}));
  EXPECT_EQ(SelNodes("fqn:dates"), (Names{"calendar"}));
  EXPECT_TRUE(SelNodes("finance").empty());  // a folder is matched from the top, not anywhere
  EXPECT_TRUE(SelNodes("marts.stg_orders").empty());
}

TEST(SelectMethods, FqnWildcards) {
  EXPECT_EQ(SelNodes("stg_*"),
            (Names{"stg_customers", "stg_orders", "stg_payments", "stg_events"}));
  EXPECT_EQ(SelNodes("stg_?????s"), (Names{"stg_orders", "stg_events"}));
  EXPECT_EQ(SelNodes("marts.*"), (Names{"customers", "orders", "revenue"}));
  EXPECT_EQ(SelNodes("*.finance.*"), (Names{"revenue"}));
  EXPECT_EQ(SelNodes("stg_[ce]*"), (Names{"stg_customers", "stg_events"}));
}

TEST(SelectMethods, NamesAndFqnsDoNotSelectSources) {
  EXPECT_EQ(Sel("orders").count("shop.orders"), 0u);
  EXPECT_EQ(Sel("fqn:*").count("shop.events"), 0u);
  EXPECT_EQ(Sel("fqn:*").size(), Shop().nodes().size() - 2);
}

TEST(SelectMethods, TagWithGlobCoversSources) {
  EXPECT_EQ(SelNodes("tag:daily"), (Names{"stg_orders", "customers"}));
  EXPECT_EQ(SelNodes("tag:fin*"), (Names{"orders", "revenue"}));
  EXPECT_EQ(SelNodes("tag:raw"), (Names{"shop.orders", "shop.events"}));
}

TEST(SelectMethods, PathSelectsFilesAndEverythingUnderAFolder) {
  EXPECT_EQ(SelNodes("models/marts"), (Names{"customers", "orders", "revenue"}));
  EXPECT_EQ(SelNodes("path:./models/marts/finance/"), (Names{"revenue"}));
  EXPECT_EQ(SelNodes("models/staging/stg_orders.sql"), (Names{"stg_orders"}));
  EXPECT_EQ(SelNodes("path:seeds"), (Names{"raw_customers", "raw_orders", "raw_payments"}));
  // Sources and generic tests live in the YAML file that declares them.
  EXPECT_EQ(Sel("path:models/staging/sources.yml"),
            (Names{"shop.orders", "shop.events", "source_not_null_shop_orders_id"}));
}

TEST(SelectMethods, PathGlobsWorkPerSegment) {
  EXPECT_EQ(SelNodes("models/*/stg_o*"), (Names{"stg_orders"}));
  EXPECT_EQ(SelNodes("models/**/revenue.sql"), (Names{"revenue"}));
  EXPECT_EQ(SelNodes("models/*/*.sql"), (Names{"stg_customers", "stg_orders", "stg_payments",
                                               "stg_events", "customers", "orders"}));
  EXPECT_TRUE(SelNodes("models/stag").empty());             // no partial folder names
  EXPECT_TRUE(SelNodes("staging/stg_orders.sql").empty());  // relative to the project root
}

TEST(SelectMethods, FileWithOrWithoutExtension) {
  EXPECT_EQ(SelNodes("file:stg_orders"), (Names{"stg_orders"}));
  EXPECT_EQ(SelNodes("file:stg_orders.sql"), (Names{"stg_orders"}));
  EXPECT_EQ(SelNodes("stg_orders.sql"), (Names{"stg_orders"}));  // default: a file name
  EXPECT_EQ(SelNodes("raw_orders.csv"), (Names{"raw_orders"}));
  EXPECT_EQ(Sel("file:assert_*"), (Names{"assert_positive_revenue"}));
  EXPECT_EQ(Sel("file:schema.yml,marts"),
            (Names{"unique_orders_order_id", "relationships_orders_customer_id"}));
}

TEST(SelectMethods, ConfigScalarsListsAndBooleans) {
  EXPECT_EQ(SelNodes("config.materialized:table"), (Names{"customers", "orders"}));
  EXPECT_EQ(SelNodes("config.materialized:view"),
            (Names{"stg_customers", "stg_orders", "stg_payments", "stg_events", "calendar"}));
  EXPECT_EQ(SelNodes("config.cluster_by:status"), (Names{"orders"}));
  EXPECT_TRUE(SelNodes("config.cluster_by:order").empty());  // elements match whole
  EXPECT_EQ(SelNodes("config.contract.enforced:true"), (Names{"customers"}));
  EXPECT_TRUE(SelNodes("config.materialized:TABLE").empty());  // other values keep their case
}

TEST(SelectMethods, ConfigSeverityIgnoresCase) {
  EXPECT_EQ(Sel("config.severity:error"), (Names{"unique_orders_order_id"}));
  EXPECT_EQ(Sel("config.severity:WARN"), (Names{"accepted_values_stg_orders_status"}));
}

TEST(SelectMethods, ResourceType) {
  EXPECT_EQ(SelNodes("resource_type:seed"), (Names{"raw_customers", "raw_orders", "raw_payments"}));
  EXPECT_EQ(Sel("resource_type:source"),
            (Names{"shop.orders", "shop.events", "source_not_null_shop_orders_id"}));
  EXPECT_EQ(SelNodes("resource_type:snapshot"), (Names{"orders_snapshot"}));
  EXPECT_TRUE(Sel("resource_type:exposure").empty());
  std::string message = SelectError("resource_type:modle");
  EXPECT_NE(message.find("did you mean \"model\"?"), std::string::npos) << message;
}

TEST(SelectMethods, SourceAllTablesOneTableAndDownstream) {
  EXPECT_EQ(SelNodes("source:shop"), (Names{"shop.orders", "shop.events"}));
  EXPECT_EQ(SelNodes("source:shop.events"), (Names{"shop.events"}));
  EXPECT_EQ(SelNodes("source:jaffle.shop.ord*"), (Names{"shop.orders"}));
  EXPECT_TRUE(SelNodes("source:other_pkg.shop.orders").empty());
  EXPECT_EQ(SelNodes("source:shop.orders+1"),
            (Names{"shop.orders", "stg_orders", "orders_snapshot"}));
  EXPECT_EQ(SelNodes("source:shop+"),
            (Names{"shop.orders", "shop.events", "stg_orders", "stg_events", "orders_snapshot",
                   "customers", "orders", "revenue"}));
  EXPECT_NE(SelectError("source:a.b.c.d").find("source:<source>.<table>"), std::string::npos);
}

TEST(SelectMethods, TestTypeAndItsAliases) {
  EXPECT_EQ(Sel("test_type:singular"), (Names{"assert_positive_revenue"}));
  Names generic = Sel("test_type:generic");
  EXPECT_EQ(generic.size(), 6u);
  EXPECT_EQ(generic.count("assert_positive_revenue"), 0u);
  EXPECT_EQ(Sel("test_type:schema"), generic);
  EXPECT_EQ(Sel("test_type:data").size(), 7u);  // dbt 1.8+: generic and singular
  EXPECT_TRUE(Sel("test_type:unit").empty());
  EXPECT_NE(SelectError("test_type:custom").find("\"generic\", \"singular\""), std::string::npos);
}

TEST(SelectMethods, TestNameWithGlob) {
  EXPECT_EQ(Sel("test_name:unique"),
            (Names{"unique_stg_customers_customer_id", "unique_orders_order_id"}));
  EXPECT_EQ(Sel("test_name:not_*"),
            (Names{"not_null_stg_orders_order_id", "source_not_null_shop_orders_id"}));
  EXPECT_TRUE(
      Sel("test_name:assert_positive_revenue").empty());  // singular tests have no test name
}

TEST(SelectMethods, Package) {
  EXPECT_EQ(Sel("package:dates"), (Names{"calendar"}));
  EXPECT_EQ(Sel("package:jaf*").size(), Shop().nodes().size() - 1);
  EXPECT_EQ(SelNodes("package:dates+"), (Names{"calendar", "revenue"}));
}

// ---- selection: errors ----

TEST(SelectErrors, UnknownMethodSuggestsAndListsValidOnes) {
  std::string message = SelectError("tagg:daily");
  EXPECT_NE(message.find("\"tagg\" is not a selector method"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean \"tag\"?"), std::string::npos) << message;
  EXPECT_NE(
      message.find(
          "valid methods: config.<key>, file, fqn, package, path, resource_type, source, tag, "
          "test_name, test_type"),
      std::string::npos)
      << message;
}

TEST(SelectErrors, DbtMethodsWharfLacksSaySo) {
  std::string message = SelectError("orders", "state:modified");
  EXPECT_NE(message.find("dbt's \"state\" method is not supported by wharf"), std::string::npos)
      << message;
}

TEST(SelectErrors, MissingValueOrConfigKey) {
  EXPECT_NE(SelectError("tag:").find("no value"), std::string::npos);
  EXPECT_NE(SelectError("+").find("no value"), std::string::npos);
  EXPECT_NE(SelectError("config:view").find("config needs a key"), std::string::npos);
  EXPECT_NE(SelectError("tag.x:daily").find("only config takes a key"), std::string::npos);
}

TEST(SelectErrors, AnErrorAnywhereInTheSelectionIsRaised) {
  // Even when another word of the union already selected something.
  EXPECT_NE(SelectError("orders tag:daily,bogus:x").find("\"bogus\""), std::string::npos);
}
