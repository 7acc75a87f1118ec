#pragma once
// Runs dbt projects with `wharf models ...` against DuckDB or PostgreSQL
// (instantiate with ::testing::Values("duckdb", "postgres")): each test gets a
// project directory of its own, a profiles.yml naming the warehouse, and SQL
// access to that warehouse to check what the models built.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "integration/both_targets.hpp"

namespace wharf::test {

class ModelsTest : public BothTargets {
 protected:
  // Copies tests/fixtures/dbt/<name> into the work directory; returns the copy.
  std::filesystem::path CopyFixture(const std::string& name);
  // Writes <dir>/profiles.yml: profile `profile`, output `dev` on this test's
  // warehouse, with `schema`.
  void WriteProfile(const std::filesystem::path& dir, const std::string& profile, const std::string& schema);
  // wharf models <command> --project-dir dir --profiles-dir dir <args...>
  ProcessResult Models(const std::filesystem::path& dir, const std::string& command,
                       std::vector<std::string> args = {}, const std::vector<std::string>& env = {});
  // SQL on the warehouse the models write.
  Rows Q(const std::string& sql);
  // Compares a model with an expected.json entry: row count, then each listed
  // row by key, numbers compared as numbers.
  void ExpectModel(const std::string& relation, const nlohmann::json& expected);
  // The statuses in <dir>/target/run_results.json, by unique_id.
  std::map<std::string, std::string> RunStatuses(const std::filesystem::path& dir);

  std::filesystem::path duck_file() const { return work_ / "models.duckdb"; }
};

}  // namespace wharf::test
