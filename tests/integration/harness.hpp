#pragma once
// Integration test harness: a real PostgreSQL 15 cluster started once per test
// run (scripts/pg-cluster.sh, as the postgres user, loopback, free port), a
// database per test, the wharf binary run as a subprocess, and DuckDB queries
// against the warehouse file it wrote.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wharf::test {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

int FreePort();

class PgCluster {
 public:
  explicit PgCluster(std::filesystem::path dir);
  ~PgCluster();
  int port() const { return port_; }
  std::string Dsn(const std::string& db) const;
  void Stop();
  void Start();

 private:
  std::filesystem::path dir_;
  int port_;
};

// The shared cluster of this test run.
PgCluster& SharedCluster();

// Runs SQL through libpq; throws on error.
Rows PgQuery(const std::string& dsn, const std::string& sql);
void PgExec(const std::string& dsn, const std::string& sql);

// A connection kept open across statements (to hold a transaction open).
class PgSession {
 public:
  explicit PgSession(const std::string& dsn);
  ~PgSession();
  Rows Query(const std::string& sql);

 private:
  void* conn_;  // PGconn*, owned
};

// Runs SQL against a DuckDB file (opened and closed per call); every value is
// cast to VARCHAR by the caller's SQL when needed.
Rows DuckQuery(const std::filesystem::path& file, const std::string& sql);
void DuckExec(const std::filesystem::path& file, const std::string& sql);

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// A wharf process started in the background.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::filesystem::path& log);
  ~Process();
  void Signal(int sig);
  // Waits for exit; returns the exit code (128+sig when killed). Fails the test on timeout.
  int Wait(std::chrono::seconds timeout = std::chrono::seconds(120));
  std::string Output() const;
  bool Running();

 private:
  int pid_ = -1;
  std::filesystem::path log_;
  std::optional<int> exit_code_;
};

ProcessResult RunWharf(const std::vector<std::string>& args,
                       std::chrono::seconds timeout = std::chrono::seconds(180));

// Per-test fixture: its own database on the shared cluster and its own work
// directory with a wharf.yaml.
class WharfTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Creates an extra database on the shared cluster, dropped at teardown.
  std::string CreateDatabase(const std::string& suffix);
  // Writes wharf.yaml for the given sources ("name: dsn" pairs plus raw yaml per source).
  void WriteConfig(const std::string& sources_yaml, const std::string& extra_yaml = "");
  void WriteDefaultConfig(const std::string& source_extra = "");

  ProcessResult Wharf(std::vector<std::string> args);  // appends -c config
  ProcessResult RunOnce() { return Wharf({"run", "--once"}); }
  void ExpectValidateEqual();

  Rows Duck(const std::string& sql) { return DuckQuery(warehouse_, sql); }
  Rows Pg(const std::string& sql) { return PgQuery(dsn_, sql); }
  void PgRun(const std::string& sql) { PgExec(dsn_, sql); }

  std::string db_;
  std::string dsn_;
  std::filesystem::path work_;
  std::filesystem::path config_;
  std::filesystem::path warehouse_;
  std::vector<std::string> extra_dbs_;
  std::vector<std::pair<std::string, std::string>> slots_;  // (dsn, slot) to drop
};

// Polls `cond` until true or the deadline passes.
bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
             std::chrono::milliseconds every = std::chrono::milliseconds(100));

std::string Str(const std::optional<std::string>& v);

}  // namespace wharf::test
