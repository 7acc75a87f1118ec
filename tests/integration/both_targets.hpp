#pragma once
// A WharfTest run once per warehouse type (target.type duckdb and postgres):
// instantiate with ::testing::Values("duckdb", "postgres").
#include <nlohmann/json.hpp>

#include "integration/harness.hpp"

namespace wharf::test {

class BothTargets : public WharfTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    WharfTest::SetUp();
    if (IsPostgres()) {
      // The warehouse is another database on the same cluster as the source.
      wh_dsn_ = CreateDatabase("wh");
      target_yaml_ = "  type: postgres\n  dsn: " + wh_dsn_ + "\n";
    }
  }
  bool IsPostgres() const { return GetParam() == "postgres"; }
  // The expected text on DuckDB or on PostgreSQL.
  std::string T(const std::string& duckdb, const std::string& postgres) const {
    return IsPostgres() ? postgres : duckdb;
  }
  // SQL on the warehouse (what both dialects share).
  Rows W(const std::string& sql) { return IsPostgres() ? PgQuery(wh_dsn_, sql) : Duck(sql); }
  nlohmann::json Status() {
    auto r = Wharf({"status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(r.output.substr(r.output.find('{')));
  }
  // The status entry of source table `table` (schema.table or a bare name in public).
  nlohmann::json TableStatus(const std::string& table) {
    auto status = Status();
    for (const auto& t : status["sources"][0]["tables"])
      if (t["table"] == table || t["table"] == "public." + table) return t;
    ADD_FAILURE() << table << " not in status: " << status.dump();
    return {};
  }
  void Once() {
    auto r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  std::string wh_dsn_;  // postgres: the warehouse database (beside the source's)
};

inline std::string TargetName(const ::testing::TestParamInfo<std::string>& p) { return p.param; }

}  // namespace wharf::test
