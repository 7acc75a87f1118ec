// The example project demo/analytics, as `make demo` runs it: the demo shop
// (demo/schema.sql) replicated by `wharf run --once`, which then builds the
// project, on DuckDB and on PostgreSQL. Aggregates are checked against the
// same figures computed by SQL on the source database.
#include <cmath>
#include <map>

#include "integration/models/models_fixture.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;

class DemoProject : public ModelsTest {
 protected:
  void SetUp() override {
    ModelsTest::SetUp();
    std::string schema = ReadFile(fs::path(WHARF_SOURCE_DIR) / "demo" / "schema.sql");
    std::string sql;
    std::istringstream in(schema);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("\\", 0) != 0) sql += line + "\n";  // psql meta-commands
    PgRun(sql);
    // The project writes target/ into its directory: run a copy.
    project_ = work_ / "analytics";
    fs::copy(fs::path(WHARF_SOURCE_DIR) / "demo" / "analytics", project_, fs::copy_options::recursive);
    fs::remove_all(project_ / "target");
    fs::remove(project_ / "profiles.yml");  // wharf's own warehouse, as in the demo
    WriteConfig("  - name: shop\n    dsn: " + dsn_ + "\n", "models:\n  project: " + project_.string() + "\n");
  }
  // order date -> (orders, net revenue) of the orders that are not cancelled, from the source.
  std::map<std::string, std::pair<std::string, double>> SourceRevenue() {
    std::map<std::string, std::pair<std::string, double>> out;
    for (const auto& r : Pg("SELECT cast(o.ordered_at AS date)::text, count(DISTINCT o.id), "
                            "sum(i.quantity * i.unit_price * (1 - i.discount)) FROM orders o "
                            "JOIN order_items i ON i.order_id = o.id WHERE o.status <> 'cancelled' GROUP BY 1"))
      out[*r[0]] = {*r[1], std::stod(*r[2])};
    return out;
  }
  fs::path project_;
};

TEST_P(DemoProject, BuildsAfterTheLoadWithTheSourcesFigures) {
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_NE(r.output.find("built or passed"), std::string::npos) << r.output;  // every model and test passed
  auto statuses = RunStatuses(project_);
  EXPECT_GE(statuses.size(), 40u);
  for (const auto& [id, status] : statuses) EXPECT_TRUE(status == "success" || status == "pass") << id << " " << status;

  auto expected = SourceRevenue();
  auto got = W("SELECT cast(order_date AS varchar), orders, cast(net_revenue AS double precision) FROM analytics.daily_revenue");
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& row : got) {
    auto it = expected.find(row[0].value_or(""));
    ASSERT_NE(it, expected.end()) << row[0].value_or("");
    EXPECT_EQ(row[1].value_or(""), it->second.first) << it->first;
    EXPECT_NEAR(std::stod(row[2].value_or("0")), it->second.second, 0.006) << it->first;
  }
  // The incremental fact table holds every review; the snapshot one version per product.
  EXPECT_EQ(W("SELECT count(*) FROM analytics.fct_reviews")[0][0], Pg("SELECT count(*) FROM reviews")[0][0]);
  EXPECT_EQ(W("SELECT count(*) FROM snapshots.product_prices")[0][0], Pg("SELECT count(*) FROM products")[0][0]);

  // Changes: a repricing, a new review, a cancelled order.
  PgRun("UPDATE products SET price = price + 1, updated_at = now() WHERE id = 7");
  PgRun("INSERT INTO reviews (product_id, customer_id, rating, title, body) "
        "SELECT 7, min(id), 5, 'great', 'it works' FROM customers");
  PgRun("UPDATE orders SET status = 'cancelled' WHERE id = (SELECT min(id) FROM orders WHERE status = 'paid')");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(W("SELECT count(*) FROM analytics.fct_reviews")[0][0], Pg("SELECT count(*) FROM reviews")[0][0]);
  EXPECT_EQ(W("SELECT count(*) FROM snapshots.product_prices WHERE product_id = 7")[0][0].value_or(""), "2");
  EXPECT_EQ(W("SELECT count(*) FROM snapshots.product_prices WHERE product_id = 7 AND dbt_valid_to IS NULL")[0][0].value_or(""), "1");
  expected = SourceRevenue();
  got = W("SELECT cast(order_date AS varchar), orders FROM analytics.daily_revenue");
  size_t matched = 0;
  for (const auto& row : got) matched += expected.count(*row[0]) && expected[*row[0]].first == row[1].value_or("");
  EXPECT_EQ(matched, expected.size());
}

INSTANTIATE_TEST_SUITE_P(Targets, DemoProject, ::testing::Values("duckdb", "postgres"), TargetName);

}  // namespace
}  // namespace wharf::test
