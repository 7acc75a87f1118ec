// The dbt layer's pure pieces: materialization SQL, the build schedule, and
// compiling a project without a database (refs, configs, schema naming,
// ephemeral CTEs, dispatch, vars).
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "models/dbt/cte.hpp"
#include "models/dbt/materialize_sql.hpp"
#include "models/dbt/schedule.hpp"
#include "models/dbt/session.hpp"

namespace wharf::models::dbt {
namespace {

Relation Rel(const std::string& name) { return Relation{"wh", "analytics", name, RelKind::kTable}; }

TEST(MaterializeSql, QuotesEveryIdentifierAndKeepsKeyExpressionsAsWritten) {
  EXPECT_EQ(Rel("my \"odd\" table").Render(), "\"wh\".\"analytics\".\"my \"\"odd\"\" table\"");
  EXPECT_EQ(sql::Rename(Rel("t__dbt_tmp"), RelKind::kView, Rel("t")),
            "alter view \"wh\".\"analytics\".\"t__dbt_tmp\" rename to \"t\"");
  EXPECT_EQ(sql::DeleteMatching(Rel("t"), "\"tmp\"", {"id"}),
            "delete from \"wh\".\"analytics\".\"t\" where (id) in (select (id) from \"tmp\")");
  // A composite key matches column by column (a tuple IN is not portable).
  EXPECT_EQ(sql::DeleteMatching(Rel("t"), "\"tmp\"", {"a", "b"}),
            "delete from \"wh\".\"analytics\".\"t\" using \"tmp\" as dbt_internal_source where "
            "(dbt_internal_source.a = \"wh\".\"analytics\".\"t\".a and dbt_internal_source.b = "
            "\"wh\".\"analytics\".\"t\".b)");
}

TEST(MaterializeSql, SchemasAreCreatedWithTheCatalogOnlyOnDuckDb) {
  EXPECT_EQ(sql::CreateSchema("duckdb", Rel("t")), "create schema if not exists \"wh\".\"analytics\"");
  EXPECT_EQ(sql::CreateSchema("postgres", Rel("t")), "create schema if not exists \"analytics\"");
}

TEST(MaterializeSql, MergeUpdatesOnlyTheNamedColumnsAndInsertsTheUnmatched) {
  std::string update = sql::MergeUpdate(Rel("t"), "\"s\"", {"id"}, {"amount"});
  EXPECT_NE(update.find("set \"amount\" = dbt_internal_source.\"amount\" from"), std::string::npos) << update;
  std::string insert = sql::MergeInsert(Rel("t"), "\"s\"", {"id"}, {"id", "amount"});
  EXPECT_NE(insert.find("where not exists (select 1 from \"wh\".\"analytics\".\"t\" as dbt_internal_dest where "
                        "(dbt_internal_source.id = dbt_internal_dest.id))"),
            std::string::npos)
      << insert;
}

TEST(MaterializeSql, SeedRowsBecomeLiteralsWithNulls) {
  std::vector<std::vector<std::optional<std::string>>> rows{{"1", "it's"}, {"2", std::nullopt}, {"3", "x"}};
  EXPECT_EQ(sql::InsertValues(Rel("s"), {"id", "name"}, rows, 0, 2),
            "insert into \"wh\".\"analytics\".\"s\" (\"id\", \"name\") values\n('1', 'it''s'),\n('2', null)");
}

TEST(MaterializeSql, TestsAreCountedWithTheirThresholds) {
  std::string q = sql::TestQuery("select 1", "count(*)", "> 5", "!= 0", "");
  EXPECT_EQ(q, "select\n  count(*) as failures,\n  count(*) > 5 as should_warn,\n  count(*) != 0 as should_error\nfrom (\n"
               "select 1\n) dbt_internal_test");
}

graph::GraphNode G(const std::string& id, const std::string& type, std::vector<std::string> deps = {}) {
  graph::GraphNode n;
  n.unique_id = id;
  n.resource_type = type;
  n.name = id.substr(id.rfind('.') + 1);
  n.fqn = {"p", n.name};
  n.depends_on = std::move(deps);
  return n;
}

TEST(Schedule, BuildRunsANodesTestsBeforeWhatReadsIt) {
  graph::Graph g({G("model.p.a", "model"), G("model.p.b", "model", {"model.p.a"}),
                  G("test.p.not_null_a", "test", {"model.p.a"}), G("test.p.rel_b_a", "test", {"model.p.b", "model.p.a"})});
  std::set<std::string> all{"model.p.a", "model.p.b", "test.p.not_null_a", "test.p.rel_b_a"};
  auto plain = Schedule(g, all, false);
  // Topological order with ties by id: b comes before a's test.
  EXPECT_EQ(plain, (std::vector<std::string>{"model.p.a", "model.p.b", "test.p.not_null_a", "test.p.rel_b_a"}));
  auto build = Schedule(g, all, true);
  EXPECT_EQ(build, (std::vector<std::string>{"model.p.a", "test.p.not_null_a", "model.p.b", "test.p.rel_b_a"}));
  // A relationships test that also reads b cannot gate b.
  EXPECT_EQ(BuildGate(g, "model.p.b"), (std::vector<std::string>{"test.p.not_null_a"}));
}

// A project built in memory: compiles with no database at all.
class Compile : public ::testing::Test {
 protected:
  project::Node& Model(const std::string& name, const std::string& sql, const std::string& folder = "") {
    project::Node n;
    n.unique_id = "model.shop." + name;
    n.kind = project::NodeKind::kModel;
    n.name = name;
    n.package_name = "shop";
    n.original_file_path = "models/" + (folder.empty() ? "" : folder + "/") + name + ".sql";
    n.fqn = {"shop", name};
    n.raw_code = sql;
    n.config.Set("materialized", jinja::Value("view"));
    loaded_.manifest.nodes.push_back(n);
    return loaded_.manifest.nodes.back();
  }
  Session& Start() {
    loaded_.project.name = "shop";
    loaded_.project.vars.Set("limit", jinja::Value(10));
    loaded_.profile.type = "duckdb";
    loaded_.profile.schema = "analytics";
    loaded_.profile.database = "wh";
    loaded_.profile.target = jinja::Dict{{"schema", jinja::Value("analytics")}, {"type", jinja::Value("duckdb")},
                                         {"database", jinja::Value("wh")}, {"name", jinja::Value("dev")}};
    session_ = std::make_unique<Session>(loaded_, nullptr, flags_);
    session_->Parse();
    return *session_;
  }
  Loaded loaded_;
  Flags flags_;
  std::unique_ptr<Session> session_;
};

TEST_F(Compile, RefsConfigsAndCustomSchemasNameRelationsAsDbtDoes) {
  Model("base", "select 1 as id");
  Model("mart", "{{ config(materialized='table', schema='marts', alias='fancy') }}select * from {{ ref('base') }} "
                "limit {{ var('limit') }}");
  auto& s = Start();
  EXPECT_EQ(s.node("model.shop.mart").relation.Render(), "\"wh\".\"analytics_marts\".\"fancy\"");
  EXPECT_EQ(s.node("model.shop.mart").materialized(), "table");
  EXPECT_EQ(s.Compile("model.shop.mart"), "select * from \"wh\".\"analytics\".\"base\" limit 10");
  EXPECT_EQ(s.node("model.shop.mart").depends_on, (std::vector<std::string>{"model.shop.base"}));
}

TEST_F(Compile, EphemeralModelsBecomeCtesMergedIntoTheReadersWith) {
  Model("eph_a", "{{ config(materialized='ephemeral') }}select 1 as id");
  Model("eph_b", "{{ config(materialized='ephemeral') }}select id from {{ ref('eph_a') }}");
  Model("reader", "-- note\nWITH x as (select * from {{ ref('eph_b') }}) select * from x");
  Model("plain", "select * from {{ ref('eph_a') }}");
  auto& s = Start();
  EXPECT_EQ(s.Compile("model.shop.reader"),
            "-- note\nwith __dbt__cte__eph_a as (\nselect 1 as id\n),\n__dbt__cte__eph_b as (\nselect id from "
            "__dbt__cte__eph_a\n),\n x as (select * from __dbt__cte__eph_b) select * from x");
  EXPECT_EQ(s.Compile("model.shop.plain"), "with __dbt__cte__eph_a as (\nselect 1 as id\n)\nselect * from __dbt__cte__eph_a");
}

TEST_F(Compile, DispatchPrefersTheAdaptersMacroThenTheDefault) {
  Model("m", "select {{ adapter.dispatch('pick')() }}, {{ adapter.dispatch('only_default')() }}, "
             "{{ dbt.date_trunc('day', 'ts') }}");
  loaded_.manifest.macros.push_back(
      {"macros/m.sql", "{% macro duckdb__pick() %}'duck'{% endmacro %}{% macro default__pick() %}'any'{% endmacro %}"
                       "{% macro default__only_default() %}'dflt'{% endmacro %}"});
  auto& s = Start();
  EXPECT_EQ(s.Compile("model.shop.m"), "select 'duck', 'dflt', date_trunc('day', ts)");
}

TEST_F(Compile, ParseErrorsStayWithTheirNodeAndNameTheFile) {
  Model("good", "select 1");
  Model("bad", "select {{ 1 + }}");
  Model("lost", "select * from {{ ref('nowhere') }}");
  auto& s = Start();
  EXPECT_TRUE(s.node("model.shop.good").parse_error.empty());
  EXPECT_EQ(s.node("model.shop.bad").parse_error.rfind("models/bad.sql:1:", 0), 0u) << s.node("model.shop.bad").parse_error;
  EXPECT_NE(s.node("model.shop.lost").parse_error.find("depends on a node named 'nowhere' which was not found"),
            std::string::npos);
  EXPECT_THROW(s.Compile("model.shop.bad"), Error);
  EXPECT_EQ(s.Compile("model.shop.good"), "select 1");
}

TEST_F(Compile, ACycleIsReportedAndItsNodesKeptOutOfTheGraph) {
  Model("a", "select * from {{ ref('b') }}");
  Model("b", "select * from {{ ref('a') }}");
  Model("c", "select 1");
  auto& s = Start();
  EXPECT_EQ(s.graph_error(), "Found a cycle: model.shop.a --> model.shop.b");
  EXPECT_FALSE(s.node("model.shop.a").parse_error.empty());
  EXPECT_TRUE(s.node("model.shop.c").parse_error.empty());
  EXPECT_EQ(s.graph().TopologicalOrder().size(), 3u);
}

TEST_F(Compile, ModulesDatetimeAndRunStartedAtPrintAsPythonDoes) {
  Model("m", "{{ modules.datetime.date.today().year > 2000 }} {{ run_started_at.strftime('%Y') | length }} "
             "{{ (modules.datetime.datetime.now() | string)[10] }}{{ modules.datetime.date.today().isoformat() | length }}");
  auto& s = Start();
  EXPECT_EQ(s.Compile("model.shop.m"), "True 4  10");
}

}  // namespace
}  // namespace wharf::models::dbt

namespace wharf::models::dbt {
namespace {

TEST(WithCtes, PrependsOrMergesIntoTheFirstWith) {
  std::vector<std::pair<std::string, std::string>> ctes{{"__dbt__cte__a", "select 1"}};
  EXPECT_EQ(WithCtes("select * from __dbt__cte__a", ctes), "with __dbt__cte__a as (\nselect 1\n)\nselect * from __dbt__cte__a");
  // Past comments, whatever the case of WITH; a column named with_x is not a WITH.
  EXPECT_EQ(WithCtes("/* c */ -- d\n With x as (select 2) select * from x", ctes),
            "/* c */ -- d\n with __dbt__cte__a as (\nselect 1\n),\n x as (select 2) select * from x");
  EXPECT_EQ(WithCtes("with_x", ctes), "with __dbt__cte__a as (\nselect 1\n)\nwith_x");
  EXPECT_EQ(WithCtes("select 1", {}), "select 1");
}

}  // namespace
}  // namespace wharf::models::dbt
