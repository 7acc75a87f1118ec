// Public dbt example projects, vendored unchanged under tests/fixtures/dbt, run
// by `wharf models build` on DuckDB and on PostgreSQL. Expected rows were
// computed from the projects' seed CSVs by tests/fixtures/dbt/compute_expected.py,
// not by running any dbt.
#include <fstream>

#include "integration/models/models_fixture.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;

class PublicProjects : public ModelsTest {
 protected:
  nlohmann::json Expected(const fs::path& dir) {
    std::ifstream in(dir / "expected.json");
    return nlohmann::json::parse(in);
  }
  // The relation a model lands in on this target.
  std::string Rel(const std::string& schema, const std::string& name) { return schema + "." + name; }
  // Every node in run_results.json passed or succeeded, and the counts match.
  void ExpectBuilt(const fs::path& dir, const nlohmann::json& build) {
    auto statuses = RunStatuses(dir);
    int models = 0, seeds = 0, snapshots = 0, tests = 0;
    for (const auto& [id, status] : statuses) {
      EXPECT_TRUE(status == "success" || status == "pass") << id << " " << status;
      models += id.rfind("model.", 0) == 0;
      seeds += id.rfind("seed.", 0) == 0;
      snapshots += id.rfind("snapshot.", 0) == 0;
      tests += id.rfind("test.", 0) == 0;
    }
    EXPECT_EQ(models, build["models"].get<int>());
    EXPECT_EQ(seeds, build["seeds"].get<int>());
    EXPECT_EQ(snapshots, build["snapshots"].get<int>());
    EXPECT_EQ(tests, build["tests"].get<int>());
  }
};

TEST_P(PublicProjects, JaffleShopBuildsUnchangedWithTheExpectedRows) {
  fs::path dir = CopyFixture("jaffle_shop");
  std::string schema = T("main", "jaffle");
  WriteProfile(dir, "jaffle_shop", schema);
  auto r = Models(dir, "build");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("PASS=28 WARN=0 ERROR=0 SKIP=0 TOTAL=28"), std::string::npos) << r.output;
  auto expected = Expected(dir);
  ExpectBuilt(dir, expected["_build"]);
  for (const char* model : {"raw_customers", "raw_orders", "raw_payments", "stg_customers", "stg_orders",
                            "stg_payments", "customers", "orders"}) {
    SCOPED_TRACE(model);
    ExpectModel(Rel(schema, model), expected[model]);
  }
  // The staging models are views and the marts tables, as dbt_project.yml says.
  auto kinds = Q("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '" + schema +
                 "' AND table_name IN ('stg_orders', 'orders') ORDER BY table_name");
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds[0][1].value_or(""), "BASE TABLE");
  EXPECT_EQ(kinds[1][1].value_or(""), "VIEW");
  // Artifacts where dbt writes them.
  EXPECT_TRUE(fs::exists(dir / "target" / "manifest.json"));
  EXPECT_TRUE(fs::exists(dir / "target" / "compiled" / "jaffle_shop" / "models" / "orders.sql"));
  EXPECT_TRUE(fs::exists(dir / "target" / "compiled" / "jaffle_shop" / "models" / "schema.yml" /
                         "unique_orders_order_id.sql"));
  // A second build replaces everything in place and gives the same rows.
  r = Models(dir, "build");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectModel(Rel(schema, "customers"), expected["customers"]);
}

TEST_P(PublicProjects, JaffleShopDuckdbRunsWithItsOwnProfileOrOurs) {
  fs::path dir = CopyFixture("jaffle_shop_duckdb");
  auto expected = Expected(dir);
  if (!IsPostgres()) {
    // Its own profiles.yml: a DuckDB path relative to where the command runs.
    auto r = RunWharf({"models", "build", "--project-dir", dir.string(), "--profiles-dir", dir.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    fs::path own = fs::current_path() / "jaffle_shop.duckdb";
    ASSERT_TRUE(fs::exists(own)) << r.output;
    auto rows = DuckQuery(own, "SELECT count(*) FROM main.customers");
    EXPECT_EQ(rows[0][0].value_or(""), std::to_string(expected["customers"]["row_count"].get<int>()));
    fs::remove(own);
  }
  WriteProfile(dir, "jaffle_shop", T("main", "jaffle"));
  auto r = Models(dir, "build");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectBuilt(dir, expected["_build"]);
  ExpectModel(Rel(T("main", "jaffle"), "customers"), expected["customers"]);
  ExpectModel(Rel(T("main", "jaffle"), "orders"), expected["orders"]);
}

TEST_P(PublicProjects, DagsterSnapshotProjectTakesItsSnapshot) {
  fs::path dir = CopyFixture("dagster_dbt_snapshot");
  WriteProfile(dir, "jaffle_shop", T("main", "analytics"));
  auto r = Models(dir, "build");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto expected = Expected(dir);
  ExpectBuilt(dir, expected["_build"]);
  ExpectModel(Rel(T("main", "analytics"), "orders"), expected["orders"]);
  // target_schema='main' names the schema outright (created on PostgreSQL).
  ExpectModel("main.orders_snapshot", expected["orders_snapshot"]);
  for (auto it = expected["orders_snapshot"]["non_null_counts"].begin();
       it != expected["orders_snapshot"]["non_null_counts"].end(); ++it) {
    auto n = Q("SELECT count(" + it.key() + ") FROM main.orders_snapshot");
    EXPECT_EQ(n[0][0].value_or(""), std::to_string(it.value().get<int>())) << it.key();
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, PublicProjects, ::testing::Values("duckdb", "postgres"), TargetName);

}  // namespace
}  // namespace wharf::test
