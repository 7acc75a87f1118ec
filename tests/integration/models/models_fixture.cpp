#include "integration/models/models_fixture.hpp"

#include <cmath>
#include <fstream>

namespace wharf::test {

namespace fs = std::filesystem;

fs::path ModelsTest::CopyFixture(const std::string& name) {
  fs::path from = fs::path(WHARF_SOURCE_DIR) / "tests" / "fixtures" / "dbt" / name;
  fs::path to = work_ / name;
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
  return to;
}

void ModelsTest::WriteProfile(const fs::path& dir, const std::string& profile, const std::string& schema) {
  std::string out = profile + ":\n  target: dev\n  outputs:\n    dev:\n";
  if (IsPostgres()) {
    std::string db = wh_dsn_.substr(wh_dsn_.rfind('/') + 1);
    out += "      type: postgres\n      host: 127.0.0.1\n      port: " + std::to_string(SharedCluster().port()) +
           "\n      user: postgres\n      password: \"\"\n      dbname: " + db + "\n      schema: " + schema + "\n";
  } else {
    out += "      type: duckdb\n      path: " + duck_file().string() + "\n      schema: " + schema + "\n";
  }
  WriteFile(dir / "profiles.yml", out);
}

ProcessResult ModelsTest::Models(const fs::path& dir, const std::string& command, std::vector<std::string> args,
                                 const std::vector<std::string>& env) {
  std::vector<std::string> all{"models", command, "--project-dir", dir.string(), "--profiles-dir", dir.string()};
  all.insert(all.end(), args.begin(), args.end());
  return RunWharf(all, std::chrono::seconds(180), env);
}

Rows ModelsTest::Q(const std::string& sql) { return IsPostgres() ? PgQuery(wh_dsn_, sql) : DuckQuery(duck_file(), sql); }

namespace {

std::string Text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return v.dump();
}

}  // namespace

void ModelsTest::ExpectModel(const std::string& relation, const nlohmann::json& expected) {
  auto count = Q("SELECT count(*) FROM " + relation);
  ASSERT_EQ(count.size(), 1u);
  EXPECT_EQ(count[0][0].value_or(""), std::to_string(expected["row_count"].get<int64_t>())) << relation;
  if (!expected.contains("rows")) return;
  std::string key = expected["key"];
  for (const auto& row : expected["rows"]) {
    std::string where = key + " = " + Text(row[key]);
    for (auto it = row.begin(); it != row.end(); ++it) {
      auto got = Q("SELECT CAST(" + it.key() + " AS VARCHAR) FROM " + relation + " WHERE " + where);
      ASSERT_EQ(got.size(), 1u) << relation << " " << where;
      const auto& cell = got[0][0];
      if (it.value().is_null()) {
        EXPECT_FALSE(cell.has_value()) << relation << " " << where << " " << it.key() << " = " << *cell;
      } else if (it.value().is_number()) {
        ASSERT_TRUE(cell.has_value()) << relation << " " << where << " " << it.key();
        EXPECT_NEAR(std::stod(*cell), it.value().get<double>(), 1e-9) << relation << " " << where << " " << it.key();
      } else {
        EXPECT_EQ(cell.value_or("<null>"), Text(it.value())) << relation << " " << where << " " << it.key();
      }
    }
  }
}

std::map<std::string, std::string> ModelsTest::RunStatuses(const fs::path& dir) {
  std::map<std::string, std::string> out;
  std::ifstream in(dir / "target" / "run_results.json");
  if (!in) return out;
  auto doc = nlohmann::json::parse(in);
  for (const auto& r : doc["results"]) out[r["unique_id"]] = r["status"];
  return out;
}

}  // namespace wharf::test
