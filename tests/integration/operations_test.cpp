// A running `wharf run` as the people who operate it see it: /status,
// /metrics, the dashboard in a real browser, `wharf status` through the
// running process, the bearer token beyond loopback, the read replica, the
// slot guard and structured logs.
#include <httplib.h>

#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "integration/harness.hpp"

namespace wharf::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class Operations : public WharfTest {
 protected:
  std::string Src() { return "  - name: src\n    dsn: " + dsn_ + "\n"; }
  void StartServed(const std::string& extra = "") {
    port_ = FreePort();
    PgRun("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2));"
          "INSERT INTO items SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 200) g;");
    WriteConfig(Src(), "server:\n  listen: 127.0.0.1:" + std::to_string(port_) + "\n" + extra);
    run_ = StartWharf({"run"}, "run.log");
    ASSERT_TRUE(WaitFor([&] { return Count() == "200"; }, 60s)) << run_->Output();
  }
  std::string Count() {
    auto s = Get("/status");
    if (!s) return "";
    for (const auto& src : (*s)["sources"])
      for (const auto& t : src["tables"])
        if (t["table"] == "public.items" && t["warehouse_rows"].is_number())
          return std::to_string(t["warehouse_rows"].get<uint64_t>());
    return "";
  }
  std::optional<json> Get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2s);
    auto r = c.Get(path, headers);
    if (!r || r->status != 200) return std::nullopt;
    return json::parse(r->body);
  }
  std::string GetText(const std::string& path, int* status = nullptr) {
    httplib::Client c("127.0.0.1", port_);
    auto r = c.Get(path);
    if (status) *status = r ? r->status : -1;
    return r ? r->body : "";
  }
  void Stop() {
    run_->Signal(SIGINT);
    EXPECT_EQ(run_->Wait(), 0) << run_->Output();
  }
  int port_ = 0;
  std::unique_ptr<Process> run_;
};

TEST_F(Operations, StatusAndMetricsOfARunningWharf) {
  StartServed();
  PgRun("UPDATE items SET price = price + 1 WHERE id <= 50; DELETE FROM items WHERE id > 190;");
  ASSERT_TRUE(WaitFor([&] { return Count() == "190"; }, 30s)) << run_->Output();
  // The monitor samples every 2 s: lag and history appear.
  ASSERT_TRUE(WaitFor([&] {
    auto s = Get("/status");
    return s && (*s)["sources"][0]["lag_bytes"].is_number() && (*s)["history"].size() >= 2;
  }, 20s));
  auto s = *Get("/status");
  const auto& src = s["sources"][0];
  EXPECT_EQ(src["name"], "src");
  EXPECT_EQ(src["tables"][0]["phase"], "ready") << s.dump(2);
  EXPECT_EQ(src["applied_rows_by_table"]["public.items"]["U"], 50) << s.dump(2);
  EXPECT_EQ(src["applied_rows_by_table"]["public.items"]["D"], 10) << s.dump(2);
  EXPECT_TRUE(src["retained_wal_bytes"].is_number()) << s.dump(2);
  EXPECT_TRUE(s["healthy"].get<bool>()) << s.dump(2);
  // Caught up and idle: the warehouse is as current as the slot.
  ASSERT_TRUE(WaitFor([&] { return (*Get("/status"))["sources"][0]["lag_bytes"] == 0; }, 20s))
      << Get("/status")->dump(2);

  int status = 0;
  std::string metrics = GetText("/metrics", &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(metrics.find("wharf_replication_lag_bytes{source=\"src\"} 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("wharf_table_rows{source=\"src\",table=\"public.items\"} 190"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("wharf_rows_applied_total{source=\"src\",table=\"public.items\",op=\"U\"} 50"),
            std::string::npos) << metrics;
  EXPECT_NE(metrics.find("# TYPE wharf_slot_retained_wal_bytes gauge"), std::string::npos) << metrics;
  EXPECT_EQ(GetText("/healthz", &status).find("\"healthy\":true"), 1u);

  // `wharf status` from another shell goes through the running process.
  auto text = Wharf({"status"});
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("through the running wharf"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("wharf run: healthy"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("changes/s"), std::string::npos) << text.output;
  auto j = Wharf({"status", "--json"});
  auto doc = json::parse(j.output.substr(j.output.find('{')));
  EXPECT_EQ(doc["sources"][0]["tables"][0]["warehouse_rows"], 190);
  Stop();
}

TEST_F(Operations, ValidationRunsOnAScheduleAndThroughTheRunningWharf) {
  StartServed("validate:\n  every: 2s\n");
  PgRun("UPDATE items SET name = 'renamed' WHERE id % 7 = 0;");
  // validate.every: the result lands in /status and /metrics while loading goes on.
  ASSERT_TRUE(WaitFor([&] {
    auto s = Get("/status");
    return s && (*s)["validation"].is_object() && (*s)["validation"]["equal"] == true;
  }, 60s)) << run_->Output();
  std::string metrics = GetText("/metrics");
  EXPECT_NE(metrics.find("wharf_validation_equal{source=\"src\",table=\"public.items\"} 1"), std::string::npos)
      << metrics;
  // `wharf validate` from another shell: the DuckDB file is held, so it runs in the process.
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("through the running wharf"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("public.items"), std::string::npos) << r.output;
  auto j = Wharf({"validate", "--json", "--table", "public.items"});
  EXPECT_EQ(j.exit_code, 0) << j.output;
  auto doc = json::parse(j.output.substr(j.output.find('{')));
  EXPECT_EQ(doc["tables"][0]["source_rows"], 200) << j.output;
  Stop();
}

TEST_F(Operations, TheDashboardShowsTablesAndChartsInABrowser) {
  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_FAIL() << "chromium is not installed (scripts/setup.sh installs it)";
  StartServed();
  PgRun("UPDATE items SET price = price + 1;");
  ASSERT_TRUE(WaitFor([&] { return Get("/status") && (*Get("/status"))["history"].size() >= 4; }, 30s));
  auto profile = work_ / "chromium-profile";
  Process browser("/usr/bin/chromium",
                  {"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile.string(),
                   "--enable-logging=stderr", "--v=0", "--virtual-time-budget=6000", "--dump-dom",
                   "http://127.0.0.1:" + std::to_string(port_) + "/"},
                  work_ / "chromium.log");
  ASSERT_EQ(browser.Wait(90s), 0) << browser.Output();
  // The DOM as the page left it, and the browser's log: a console message
  // or an uncaught error would be there as a CONSOLE line.
  const std::string dom = browser.Output();
  EXPECT_NE(dom.find("data-table=\"public.items\""), std::string::npos) << dom;
  std::smatch m;
  EXPECT_TRUE(std::regex_search(dom, m, std::regex("id=\"lag-chart\"[^]*?<path"))) << dom;
  EXPECT_TRUE(std::regex_search(dom, m, std::regex("id=\"throughput-chart\"[^]*?<path"))) << dom;
  EXPECT_EQ(dom.find("Uncaught"), std::string::npos) << dom;
  EXPECT_EQ(dom.find(":CONSOLE"), std::string::npos) << dom;
  // The page's own verdict, and no error it caught and shows.
  EXPECT_NE(dom.find("id=\"health\" data-state=\"healthy\""), std::string::npos) << dom;
  EXPECT_NE(dom.find("id=\"js-errors\"></pre>"), std::string::npos) << dom;
  Stop();
}

TEST_F(Operations, BeyondLoopbackTheServerWantsAToken) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY);");
  WriteConfig(Src(), "server:\n  listen: 0.0.0.0:" + std::to_string(FreePort()) + "\n");
  auto refused = RunOnce();
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("set server.token"), std::string::npos) << refused.output;

  port_ = FreePort();
  WriteConfig(Src(), "server:\n  listen: 0.0.0.0:" + std::to_string(port_) + "\n  token: ${OPS_TOKEN}\n");
  run_ = StartWharf({"run"}, "run.log", {"OPS_TOKEN=tok-3f9a7c1d"});
  ASSERT_TRUE(WaitFor([&] { return GetText("/status").find("bearer token") != std::string::npos; }, 30s))
      << run_->Output();
  int status = 0;
  GetText("/metrics", &status);
  EXPECT_EQ(status, 401);
  EXPECT_TRUE(Get("/status", {{"Authorization", "Bearer tok-3f9a7c1d"}}));
  EXPECT_FALSE(Get("/status", {{"Authorization", "Bearer wrong-token"}}));
  // The page holds no data and loads without the token (it sends the one in its #token=).
  EXPECT_NE(GetText("/", &status).find("<html"), std::string::npos);
  EXPECT_EQ(status, 200);
  // The CLI with the same token goes through; the token is never printed.
  auto s = Wharf({"status"}, {"OPS_TOKEN=tok-3f9a7c1d"});
  EXPECT_EQ(s.exit_code, 0) << s.output;
  EXPECT_NE(s.output.find("through the running wharf"), std::string::npos) << s.output;
  run_->Signal(SIGINT);
  EXPECT_EQ(run_->Wait(), 0);
  EXPECT_EQ(run_->Output().find("tok-3f9a7c1d"), std::string::npos) << run_->Output();
}

TEST_F(Operations, ReadersGetAReadReplica) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, name text);"
        "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 100) g;");
  target_yaml_ += "  read_replica: ./replica/warehouse-read.duckdb\n";
  WriteConfig(Src(), "models:\n  every: 1s\n");
  auto once = RunOnce();
  ASSERT_EQ(once.exit_code, 0) << once.output;
  auto replica = work_ / "replica" / "warehouse-read.duckdb";
  EXPECT_EQ(DuckQuery(replica, "SELECT count(*) FROM public.items")[0][0], "100");
  // While `wharf run` holds the warehouse, readers open the replica, which follows.
  port_ = FreePort();
  WriteConfig(Src(), "models:\n  every: 1s\nserver:\n  listen: 127.0.0.1:" + std::to_string(port_) + "\n");
  run_ = StartWharf({"run"}, "run.log");
  PgRun("INSERT INTO items SELECT g, 'n' || g FROM generate_series(101, 150) g;");
  EXPECT_TRUE(WaitFor([&] {
    try {
      return DuckQuery(replica, "SELECT count(*) FROM public.items")[0][0] == "150";
    } catch (const std::exception&) {
      return false;
    }
  }, 30s)) << run_->Output();
  EXPECT_FALSE(std::filesystem::exists(replica.string() + ".tmp"));
  Stop();
}

TEST_F(Operations, TheSlotGuardDropsTheSlotBeforeTheSourceDiskFills) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, pad text);");
  // Capture alone, with a small budget: once it pauses, the source keeps WAL.
  staging_yaml_ += "  max_pending_bytes: 64KB\n";
  WriteConfig(Src(), "slot_guard:\n  warn_at: 1MB\n  drop_slot_at: 8MB\n");
  auto capture = StartWharf({"capture"}, "capture.log");
  ASSERT_TRUE(WaitFor([&] { return SlotHeld(); }, 30s)) << capture->Output();
  for (int i = 0; i < 12 && capture->Running(); ++i) {
    PgRun("INSERT INTO items SELECT g, repeat('x', 1000) FROM generate_series(" + std::to_string(i * 2000 + 1) +
          ", " + std::to_string(i * 2000 + 2000) + ") g;");
  }
  int code = capture->Wait(60s);
  EXPECT_EQ(code, 1) << capture->Output();
  EXPECT_NE(capture->Output().find("past slot_guard.drop_slot_at"), std::string::npos) << capture->Output();
  EXPECT_NE(capture->Output().find("dropped slot wharf_src"), std::string::npos) << capture->Output();
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wharf_src'")[0][0], "0");
  // A restart says what to do instead of streaming from a gap.
  auto again = Wharf({"run", "--once"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("take a new full load"), std::string::npos) << again.output;
}

TEST_F(Operations, JsonLogsAreOneEventPerLineWithoutSecrets) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);");
  // Trust authentication ignores the password, so the run works and the
  // password is in every DSN wharf could print.
  std::string secret_dsn = std::regex_replace(dsn_, std::regex("postgres://([^@/]+)@"), "postgres://$1:hunter2secret@");
  if (secret_dsn == dsn_) secret_dsn = dsn_ + " password=hunter2secret";
  WriteConfig("  - name: src\n    dsn: " + secret_dsn + "\n  - name: down\n    dsn: postgres://wharf:hunter2secret@127.0.0.1:1/x\n");
  auto r = Wharf({"run", "--once", "--log-format", "json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.output.find("hunter2secret"), std::string::npos) << r.output;
  std::istringstream lines(r.output);
  std::string line;
  int events = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto e = json::parse(line, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << "not one JSON event per line: " << line;
    EXPECT_TRUE(e.contains("level") && e.contains("msg") && e.contains("ts")) << line;
    ++events;
  }
  EXPECT_GT(events, 0);
  EXPECT_NE(r.output.find("cannot connect to PostgreSQL at postgres://wharf:***@127.0.0.1:1/x"), std::string::npos)
      << r.output;
}

// sslmode, sslrootcert and client certificates are libpq's: wharf passes the
// DSN through, so sslmode=require reaches libpq, which refuses this test
// server (it has no TLS) and says so.
TEST_F(Operations, SslSettingsInTheDsnReachLibpq) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY)");
  std::string sep = dsn_.find('?') == std::string::npos ? "?" : "&";
  WriteConfig("  - name: src\n    dsn: " + dsn_ + sep + "sslmode=require&sslrootcert=/nonexistent/root.crt\n");
  auto r = RunOnce();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("server does not support SSL"), std::string::npos) << r.output;
  WriteConfig("  - name: src\n    dsn: " + dsn_ + sep + "sslmode=disable\n");
  EXPECT_EQ(RunOnce().exit_code, 0);
}

}  // namespace
}  // namespace wharf::test
