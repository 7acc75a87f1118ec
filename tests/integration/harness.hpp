#pragma once
// Integration test harness: a real PostgreSQL 15 cluster started once per test
// run (scripts/pg-cluster.sh, as the postgres user, loopback, free port), a
// database per test, the wharf binary run as a subprocess, and DuckDB queries
// against the warehouse file it wrote.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "staging/manifest.hpp"

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
  // Fast shutdown, then start again on the same port and data directory.
  void Restart();
  const std::filesystem::path& dir() const { return dir_; }

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

// A wharf process started in the background. `env` holds extra "NAME=value"
// entries added to (or replacing in) the child's environment, e.g.
// "WHARF_FAULT=load.before_commit:2".
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::filesystem::path& log,
          const std::vector<std::string>& env = {});
  // Runs `program` (a path, not searched in PATH) instead of wharf.
  Process(const std::string& program, const std::vector<std::string>& args, const std::filesystem::path& log,
          const std::vector<std::string>& env = {});
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();
  void Signal(int sig);
  // Waits for exit; returns the exit code (128+sig when killed). Fails the test on timeout.
  int Wait(std::chrono::seconds timeout = std::chrono::seconds(120));
  std::string Output() const;
  bool Running();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  std::filesystem::path log_;
  std::optional<int> exit_code_;
};

ProcessResult RunWharf(const std::vector<std::string>& args,
                       std::chrono::seconds timeout = std::chrono::seconds(180),
                       const std::vector<std::string>& env = {});

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
  // The same with extra environment entries ("NAME=value") for the child.
  ProcessResult Wharf(std::vector<std::string> args, const std::vector<std::string>& env);
  // Starts `wharf <args> -c config` in the background, logging to work_/<log_name>.
  std::unique_ptr<Process> StartWharf(std::vector<std::string> args, const std::string& log_name,
                                      const std::vector<std::string>& env = {});
  // Moves this test onto a PostgreSQL cluster of its own (for tests that
  // restart PostgreSQL or change server-wide settings): call first in the
  // test body, before WriteConfig. The test's database is recreated there,
  // dsn_ points at it, and the cluster is stopped at teardown.
  void UseOwnCluster();
  // The cluster this test's database lives on: its own, or the shared one.
  PgCluster& Cluster();
  // Number of committed batches (manifests) staged for `source`.
  size_t ManifestCount(const std::string& source = "src");
  // Every staged data file of `source` in the local staging directory, with the
  // manifest entry naming it, oldest batch first.
  std::vector<std::pair<uint64_t, staging::ManifestFile>> StagedFiles(const std::string& source = "src");
  static std::string ReadFile(const std::filesystem::path& p);
  static void WriteFile(const std::filesystem::path& p, const std::string& bytes);
  ProcessResult RunOnce() { return Wharf({"run", "--once"}); }
  void ExpectValidateEqual();

  // The source slot wharf_src as PostgreSQL sees it: its walsender's pid
  // ("" without the slot), whether its confirmed position is at or past `lsn`
  // (LSN arithmetic done by PostgreSQL), and that position.
  std::string SlotPid();
  // Whether a process holds the source's slot: wharf has started capturing.
  bool SlotHeld();
  bool ConfirmedPast(const std::string& lsn);
  std::string ConfirmedLsn();
  std::string CurrentLsn();

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
  // The staging.batch mapping WriteConfig writes.
  std::string batch_yaml_ = "{ max_bytes: 8MB, max_interval: 200ms }";
  // The full_load mapping's entries WriteConfig writes (indented two spaces):
  // first-load batches as small as the streamed ones, so tests that stop a
  // full load in the middle find batches staged before the stop.
  std::string full_load_yaml_ = "  batch_bytes: 8MB\n";
  // The target mapping's entries WriteConfig writes (indented two spaces).
  std::string target_yaml_ = "  type: duckdb\n  path: ./warehouse.duckdb\n";
  // staging.url WriteConfig writes.
  std::string staging_url_ = "file://./stage";
  // The staging.format and staging.compression WriteConfig writes.
  std::string staging_format_ = "jsonl";
  std::string staging_compression_ = "zstd";
  // More staging keys WriteConfig writes (indented lines). Tests keep every
  // batch unless they test retention, so they can inspect what was staged.
  std::string staging_yaml_ = "  retention: forever\n";
  std::unique_ptr<PgCluster> own_cluster_;  // set by UseOwnCluster
};

// A table compared row by row between source and warehouse: `row_expr` is an
// expression valid in both PostgreSQL and DuckDB turning a row into text.
struct TableCheck {
  std::string table;     // schema.table, same name on both sides
  std::string key;       // key columns, comma separated
  std::string row_expr;  // e.g. CAST(id AS VARCHAR) || '|' || coalesce(v, '~')
};

// Expects the warehouse to hold exactly the source's rows of each table: no
// duplicate keys, equal row counts, equal checksums (md5 over each row's text
// in key order). Failures name the table.
void ExpectSameRows(const std::string& dsn, const std::filesystem::path& warehouse,
                    const std::vector<TableCheck>& tables);

// A mixed workload over public.orders (with TOASTed values), public.lines
// (composite key) and public.scratch (truncated every round).
class ShopWorkload {
 public:
  explicit ShopWorkload(std::string dsn) : dsn_(std::move(dsn)) {}
  // Creates the tables with seed rows (orders 1..seed_orders).
  void Create(int seed_orders = 2000);
  // One round of separate transactions: inserts, updates (some leaving TOASTed
  // values unchanged), deletes, a multi-statement transaction with a primary
  // key change, a truncate and refill. Rounds must use distinct r >= 1.
  void Round(int r);
  // One transaction inserting `rows` orders (and updating and deleting some
  // older ones and lines); tag >= 1, distinct from rounds' r.
  void BigTransaction(int rows, int tag);
  static std::vector<TableCheck> Checks();

 private:
  std::string dsn_;
};

// Polls `cond` until true or the deadline passes.
bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
             std::chrono::milliseconds every = std::chrono::milliseconds(100));

std::string Str(const std::optional<std::string>& v);

}  // namespace wharf::test
