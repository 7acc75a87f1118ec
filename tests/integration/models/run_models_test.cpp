// Models inside `wharf run`: the configured dbt project is built after loads,
// over the replicated tables, in the loader's process; incremental models take
// only the new rows; a failing model is reported and loading goes on; and
// `wharf models` from another shell runs through the running process.
#include "integration/models/models_fixture.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;

class RunModels : public ModelsTest {
 protected:
  void SetUp() override {
    ModelsTest::SetUp();
    PgRun("CREATE TABLE orders (id int PRIMARY KEY, amount int NOT NULL, updated_at timestamp NOT NULL)");
    PgRun("INSERT INTO orders SELECT g, g * 10, '2024-01-01'::timestamp + g * interval '1 minute' "
          "FROM generate_series(1, 100) g");
    project_ = work_ / "analytics";
    Put("dbt_project.yml", "name: shop\nprofile: shop\nconfig-version: 2\n");
    Put("models/sources.yml", R"(version: 2
sources:
  - name: shop
    schema: public
    tables:
      - name: orders
        columns:
          - name: id
            tests: [unique, not_null]
)");
    Put("models/order_totals.sql",
        "{{ config(materialized='table') }}\nselect count(*) as orders, sum(amount) as amount from {{ source('shop', 'orders') }}\n");
    Put("models/orders_inc.sql", R"({{ config(materialized='incremental', unique_key='id') }}
select id, amount, updated_at, '{{ invocation_id }}' as built_by
from {{ source('shop', 'orders') }}
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
)");
  }
  void Put(const std::string& rel, const std::string& text) {
    fs::create_directories((project_ / rel).parent_path());
    WriteFile(project_ / rel, text);
  }
  void Configure(const std::string& server = "") {
    WriteConfig("  - name: src\n    dsn: " + dsn_ + "\n",
                "models:\n  project: " + project_.string() + "\n  every: 1s\n" + server);
  }
  // The warehouse the models write: wharf's own (profile fallback, schema analytics).
  Rows A(const std::string& sql) { return W(sql); }

  fs::path project_;
};

TEST_P(RunModels, BuildsAfterLoadsAndIncrementalModelsTakeOnlyNewRows) {
  Configure();
  Once();
  auto totals = A("SELECT orders, amount FROM analytics.order_totals");
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0][0].value_or(""), "100");
  EXPECT_EQ(totals[0][1].value_or(""), std::to_string(10 * 100 * 101 / 2));
  auto first = A("SELECT DISTINCT built_by FROM analytics.orders_inc");
  ASSERT_EQ(first.size(), 1u);

  PgRun("INSERT INTO orders SELECT g, g * 10, '2024-02-01'::timestamp + g * interval '1 minute' "
        "FROM generate_series(101, 110) g");
  PgRun("UPDATE orders SET amount = 7, updated_at = '2024-03-01' WHERE id = 5");
  Once();
  totals = A("SELECT orders, amount FROM analytics.order_totals");
  EXPECT_EQ(totals[0][0].value_or(""), "110");
  EXPECT_EQ(totals[0][1].value_or(""), std::to_string(10 * 110 * 111 / 2 - 50 + 7));
  // Only the 10 new rows and the updated one were selected by the second build.
  auto by_run = A("SELECT built_by, count(*) FROM analytics.orders_inc GROUP BY built_by ORDER BY count(*)");
  ASSERT_EQ(by_run.size(), 2u);
  EXPECT_EQ(by_run[0][1].value_or(""), "11");
  EXPECT_EQ(by_run[1][0], first[0][0]);
  EXPECT_EQ(by_run[1][1].value_or(""), "99");
  EXPECT_EQ(A("SELECT amount FROM analytics.orders_inc WHERE id = 5")[0][0].value_or(""), "7");
  // status reports the last build.
  auto models = Status()["models"];
  EXPECT_EQ(models["last_run"]["command"], "build");
  EXPECT_EQ(models["last_run"]["counts"]["success"], 2);
  EXPECT_EQ(models["last_run"]["counts"]["pass"], 2);
  EXPECT_TRUE(models["last_run"]["problems"].empty());
}

TEST_P(RunModels, AFailingModelIsReportedAndLoadingGoesOn) {
  Put("models/broken.sql", "select no_such_column from {{ source('shop', 'orders') }}\n");
  Configure();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("models: 1 node(s) failed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("model.shop.broken"), std::string::npos) << r.output;
  ExpectValidateEqual();
  EXPECT_EQ(A("SELECT orders FROM analytics.order_totals")[0][0].value_or(""), "100");
  auto models = Status()["models"];
  ASSERT_EQ(models["last_run"]["problems"].size(), 1u) << models.dump();
  EXPECT_EQ(models["last_run"]["problems"][0]["unique_id"], "model.shop.broken");
  auto text = Wharf({"status"});
  EXPECT_NE(text.output.find("error model.shop.broken"), std::string::npos) << text.output;
}

TEST_P(RunModels, ModelsFromAnotherShellRunThroughTheRunningWharf) {
  int port = FreePort();
  Configure("server:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n");
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return run->Output().find("built or passed") != std::string::npos; },
                      std::chrono::seconds(60)))
      << run->Output();
  PgRun("INSERT INTO orders VALUES (1000, 1, now())");
  // Read through the running process too, until the new row is loaded.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto show = Wharf({"models", "show", "--inline", "select count(*) as n from {{ source('shop', 'orders') }}"});
        return show.output.find("| 101 ") != std::string::npos;
      },
      std::chrono::seconds(30)));
  // The DuckDB file is held by `wharf run`: the command goes through it.
  auto r = Wharf({"models", "run", "-s", "order_totals"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("through the running wharf"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("OK created sql table model analytics.order_totals"), std::string::npos) << r.output;
  auto ls = Wharf({"models", "ls", "--resource-type", "model", "--output", "name"});
  EXPECT_EQ(ls.exit_code, 0) << ls.output;
  EXPECT_NE(ls.output.find("orders_inc"), std::string::npos) << ls.output;
  auto bad = Wharf({"models", "run", "-s", "no_such_model+"});
  EXPECT_EQ(bad.exit_code, 0) << bad.output;  // dbt: nothing selected is a warning
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(), 0) << run->Output();
  EXPECT_EQ(A("SELECT orders FROM analytics.order_totals")[0][0].value_or(""), "101");
}

INSTANTIATE_TEST_SUITE_P(Targets, RunModels, ::testing::Values("duckdb", "postgres"), TargetName);

}  // namespace
}  // namespace wharf::test
