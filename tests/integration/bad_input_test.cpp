// Bad input (DESIGN.md: "Bad input gets a clear error that says what to do,
// and loses nothing"): one test per mistake a user makes in wharf.yaml, in
// the source's setup or around the warehouse and staging. Each asserts the
// distinctive sentence of the message (what happened and what to do), the
// exit code, that nothing was created or changed that should not be, and,
// where data was moving, that a rerun after the fix loads everything.
//
// Elsewhere: a flipped or truncated staged data file is covered by
// formats_test.cpp (Formats.CorruptOrTruncatedFileIsRefusedWithNothingApplied,
// every format) and full_load_test.cpp (fresh rows), a damaged kept file under
// `wharf replay` by ops_test.cpp; a table without replica identity created
// while wharf runs by table_faults_test.cpp; an unknown staging key by
// pipeline_test.cpp (UnknownConfigKeyNamesLineAndSuggestion); doctor's other
// failures by init_doctor_test.cpp.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "integration/harness.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The output says `text` (or never says it); failures print both.
#define EXPECT_SAYS(out, text) \
  EXPECT_NE((out).find(text), std::string::npos) << "expected to find: " << (text) << "\n--- output:\n" << (out)
#define EXPECT_NEVER_SAYS(out, text) \
  EXPECT_EQ((out).find(text), std::string::npos) << "must not appear: " << (text) << "\n--- output:\n" << (out)

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Whether `wharf doctor` printed a failed check mentioning `needle` (case
// insensitive) in its line or in the fix printed under it.
bool HasFailLine(const std::string& out, const std::string& needle) {
  const std::string text = Lower(out), want = Lower(needle);
  for (size_t at = text.find("  fail  "); at != std::string::npos; at = text.find("  fail  ", at + 1)) {
    size_t end = text.find('\n', at);
    if (end != std::string::npos) end = text.find('\n', end + 1);  // the fix line
    if (text.substr(at, end == std::string::npos ? std::string::npos : end - at).find(want) != std::string::npos)
      return true;
  }
  return false;
}

class BadInput : public WharfTest {
 protected:
  void TearDown() override {
    WharfTest::TearDown();  // drops the test's databases first: the roles then own nothing
    for (const auto& role : roles_) {
      try {
        PgExec(SharedCluster().Dsn("postgres"), "DROP ROLE IF EXISTS " + role);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "teardown: " << e.what();
      }
    }
  }

  // A role on the shared cluster (LOGIN, plus `extra`), dropped at teardown.
  void CreateRole(const std::string& role, const std::string& extra = "") {
    PgExec(SharedCluster().Dsn("postgres"), "DROP ROLE IF EXISTS " + role);
    PgExec(SharedCluster().Dsn("postgres"), "CREATE ROLE " + role + " LOGIN " + extra);
    roles_.push_back(role);
  }

  // Two tables with seed rows: items (500 rows) and lines (composite key, 300 rows).
  void CreateShop() {
    PgRun("CREATE TABLE items (id int PRIMARY KEY, v text);"
          "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 500) g;"
          "CREATE TABLE lines (order_id int, line_no int, qty int, PRIMARY KEY (order_id, line_no));"
          "INSERT INTO lines SELECT g, l, g * l FROM generate_series(1, 150) g, generate_series(1, 2) l;");
  }
  // Inserts, updates and deletes on both tables; rounds r >= 1, distinct.
  void ChangeShop(int r) {
    const std::string rs = std::to_string(r), base = std::to_string(r * 1000);
    PgRun("INSERT INTO items SELECT " + base + " + g, 'r" + rs + "' FROM generate_series(1, 50) g;"
          "UPDATE items SET v = v || '+" + rs + "' WHERE id % 7 = " + std::to_string(r % 7) + ";"
          "DELETE FROM items WHERE id < 500 AND id % 11 = " + std::to_string(r % 11) + ";"
          "INSERT INTO lines SELECT " + base + " + g, 1, g FROM generate_series(1, 20) g;"
          "DELETE FROM lines WHERE order_id % 13 = " + std::to_string(r % 13) + ";");
  }
  static std::vector<TableCheck> ShopChecks() {
    return {{"public.items", "id", "CAST(id AS VARCHAR) || '|' || coalesce(v, '~')"},
            {"public.lines", "order_id, line_no",
             "CAST(order_id AS VARCHAR) || '|' || CAST(line_no AS VARCHAR) || '|' || "
             "coalesce(CAST(qty AS VARCHAR), '~')"}};
  }
  static std::string SumSql(const TableCheck& t) {
    return "SELECT CAST(count(*) AS VARCHAR), md5(string_agg(md5(" + t.row_expr + "), ',' ORDER BY " + t.key +
           ")) FROM " + t.table;
  }
  // The loader's mark and every row of the shop in the DuckDB warehouse.
  Rows DuckFingerprint() {
    Rows out = Duck("SELECT CAST(batch_seq AS VARCHAR), CAST(lsn AS VARCHAR) FROM _wharf.state ORDER BY 1");
    for (const auto& t : ShopChecks())
      for (auto& row : Duck(SumSql(t))) out.push_back(row);
    return out;
  }
  // A PostgreSQL warehouse holds exactly the source's shop rows.
  void ExpectSameRowsInPostgres(const std::string& wh_dsn) {
    for (const auto& t : ShopChecks()) {
      Rows target;
      try {
        target = PgQuery(wh_dsn, SumSql(t));
      } catch (const std::exception& e) {
        ADD_FAILURE() << t.table << ": " << e.what();
        continue;
      }
      EXPECT_EQ(target, Pg(SumSql(t))) << t.table << ": count and checksum differ (warehouse vs source)";
    }
  }

  // Every staged file (path under stage/ -> bytes), leaving out the leases,
  // which every start renews.
  std::map<std::string, std::string> StagedBytes() {
    std::map<std::string, std::string> out;
    const fs::path root = work_ / "stage";
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const std::string rel = fs::relative(it->path(), root).string();
      if (rel.find("/lease/") != std::string::npos) continue;
      out[rel] = ReadFile(it->path());
    }
    return out;
  }
  // Nothing staged was lost or altered (new files may have been added).
  void ExpectStillStaged(const std::map<std::string, std::string>& before) {
    auto now = StagedBytes();
    for (const auto& [path, bytes] : before) {
      auto it = now.find(path);
      if (it == now.end()) {
        ADD_FAILURE() << "staged file lost: " << path;
      } else {
        EXPECT_TRUE(it->second == bytes) << "staged file changed: " << path;
      }
    }
  }
  // No slot of this database and no publication in it: nothing was set up on the source.
  void ExpectNothingOnSource() {
    EXPECT_EQ(Str(Pg("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")[0][0]), "0");
    EXPECT_EQ(Str(Pg("SELECT count(*) FROM pg_publication")[0][0]), "0");
  }
  // This test's database as `user` (with `password` when given), same cluster.
  std::string DsnAs(const std::string& user, const std::string& password = "") {
    std::string d = dsn_;
    d.replace(d.find("postgres@"), 9, user + (password.empty() ? "" : ":" + password) + "@");
    return d;
  }
  void WriteSourceConfig(const std::string& dsn, const std::string& extra = "") {
    WriteConfig("  - name: src\n    dsn: " + dsn + "\n" + extra);
  }
  static std::string ManifestName(uint64_t seq) {
    char name[32];
    std::snprintf(name, sizeof name, "%020llu.json", static_cast<unsigned long long>(seq));
    return name;
  }

  std::vector<std::string> roles_;
};

// 1. Malformed YAML ---------------------------------------------------------

TEST_F(BadInput, MalformedYamlNamesFileLineAndColumnAndCreatesNothing) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1)");
  const std::string head = "sources:\n  - name: src\n    dsn: " + dsn_ + "\n";
  const std::string tail = "staging:\n  url: file://./stage\ntarget:\n  type: duckdb\n  path: ./warehouse.duckdb\n";

  // A key indented out of its mapping (line 4): located exactly.
  WriteFile(config_, head + "   tables: [\"public.*\"]\n" + tail);
  for (const char* cmd : {"run", "doctor", "status"}) {
    std::vector<std::string> args{cmd};
    if (std::string(cmd) == "run") args.push_back("--once");
    auto r = Wharf(args);
    EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.output;
    EXPECT_SAYS(r.output, config_.string() + ":4:4: invalid YAML: end of sequence not found");
  }

  // An unclosed flow sequence: yaml-cpp notices at the next line; any
  // file:line:column followed by the parser's reason.
  WriteFile(config_, head + "    tables: [\"public.*\"\n" + tail);
  auto r = Wharf({"run", "--once"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const size_t at = r.output.find(config_.string() + ":");
  ASSERT_NE(at, std::string::npos) << r.output;
  EXPECT_TRUE(std::regex_search(r.output.substr(at + config_.string().size()),
                                std::regex(R"(^:\d+:\d+: invalid YAML: \S)")))
      << r.output;

  // Nothing was created anywhere.
  EXPECT_FALSE(fs::exists(work_ / "stage"));
  EXPECT_FALSE(fs::exists(warehouse_));
  ExpectNothingOnSource();
}

// A double quote left open swallows the rest of the file: yaml-cpp reads it as
// one long scalar, so wharf took "postgres://.../db staging: url: ..." as the
// DSN, ran with default staging and target (creating ./wharf-stage and
// ./warehouse.duckdb) and failed only when PostgreSQL refused the database
// name. It should be refused as a configuration error at the line of the dsn,
// before anything is created.
TEST_F(BadInput, UnclosedQuoteIsAConfigErrorNotPartOfTheDsn) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY)");
  WriteFile(config_, "sources:\n  - name: src\n    dsn: \"" + dsn_ +
                         "\nstaging:\n  url: file://./stage\ntarget:\n  type: duckdb\n  path: ./warehouse.duckdb\n");
  auto r = Wharf({"run", "--once"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, config_.string() + ":3:");
  EXPECT_NEVER_SAYS(r.output, "refused the connection");
  EXPECT_FALSE(fs::exists(work_ / "stage"));
  EXPECT_FALSE(fs::exists(work_ / "wharf-stage"));
  EXPECT_FALSE(fs::exists(warehouse_));
  ExpectNothingOnSource();
}

// 2. Unknown or misspelt keys -------------------------------------------------

TEST_F(BadInput, MisspeltKeysNameFileLineColumnAndTheNearestKey) {
  const std::string src = "sources:\n  - name: src\n    dsn: " + dsn_ + "\n";
  struct Case {
    std::string yaml;
    std::string says;  // after "<config>:"
  };
  const std::vector<Case> cases = {
      // top level
      {src + "staging:\n  url: file://./stage\nfull_laod:\n  workers: 2\n",
       "6:1: unknown key 'full_laod' in the top level; did you mean 'full_load'?"},
      // inside a source
      {src + "    tabels: [\"public.*\"]\n", "4:5: unknown key 'tabels' in a source; did you mean 'tables'?"},
      // inside a flow mapping
      {src + "staging:\n  url: file://./stage\n  batch: { max_bytes: 8MB, max_intervall: 1s }\n",
       "6:28: unknown key 'max_intervall' in staging.batch; did you mean 'max_interval'?"},
      // two levels down in target
      {src + "target:\n  type: duckdb\n  path: ./warehouse.duckdb\n  tables:\n"
             "    \"public.items\": { mdoe: history }\n",
       "8:23: unknown key 'mdoe' in target.tables.public.items; did you mean 'mode'?"},
      {src + "target:\n  type: duckdb\n  memroy_limit: 1GB\n",
       "6:3: unknown key 'memroy_limit' in target; did you mean 'memory_limit'?"},
  };
  for (const auto& c : cases) {
    WriteFile(config_, c.yaml);
    auto r = Wharf({"run", "--once"});
    EXPECT_EQ(r.exit_code, 2) << c.yaml << r.output;
    EXPECT_SAYS(r.output, config_.string() + ":" + c.says);
    EXPECT_SAYS(r.output, "(valid: ");
  }
  EXPECT_FALSE(fs::exists(work_ / "stage"));
  EXPECT_FALSE(fs::exists(warehouse_));
  ExpectNothingOnSource();
}

TEST_F(BadInput, UnsetEnvironmentVariableIsNamedWithHowToSetIt) {
  std::string dsn = DsnAs("postgres", "${WHARF_BADINPUT_UNSET_PW}");
  WriteFile(config_, "sources:\n  - name: src\n    dsn: " + dsn + "\n");
  auto r = Wharf({"run", "--once"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, config_.string() +
                            ":3:10: environment variable WHARF_BADINPUT_UNSET_PW is not set; export it or write "
                            "${WHARF_BADINPUT_UNSET_PW:-default}");
  EXPECT_FALSE(fs::exists(warehouse_));
  ExpectNothingOnSource();
}

// 3. Wrong password ---------------------------------------------------------------

TEST_F(BadInput, WrongPasswordIsRefusedWithTheFixAndNeverPrinted) {
  UseOwnCluster();  // rewrites pg_hba.conf
  CreateShop();
  const std::string role = "wharf_pw", right = "right-horse-9", wrong = "Wr0ngSecret42";
  PgRun("CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD '" + right + "';"
        "ALTER DATABASE " + db_ + " OWNER TO " + role + ";"
        "ALTER TABLE items OWNER TO " + role + "; ALTER TABLE lines OWNER TO " + role);
  // Passwords for every role but postgres, which the harness connects as.
  WriteFile(Cluster().dir() / "pg_hba.conf",
            "local all all trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "host replication postgres 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
            "host replication all 127.0.0.1/32 scram-sha-256\n");
  PgRun("SELECT pg_reload_conf()");
  ASSERT_TRUE(WaitFor([&] {
    try {
      PgQuery(DsnAs(role), "SELECT 1");
      return false;
    } catch (const std::exception&) {
      return true;  // a password is asked for now
    }
  }, 10s));

  // In the URL.
  WriteSourceConfig(DsnAs(role, wrong));
  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, "refused the connection");
  EXPECT_SAYS(r.output, "password authentication failed for user \"" + role + "\"");
  EXPECT_SAYS(r.output, "check the user, password and database name");
  EXPECT_NEVER_SAYS(r.output, wrong);
  for (const char* cmd : {"doctor", "status"}) {
    auto o = Wharf({cmd});
    EXPECT_NEVER_SAYS(o.output, wrong);
    if (std::string(cmd) == "doctor") {
      EXPECT_EQ(o.exit_code, 1) << o.output;
      EXPECT_SAYS(o.output, "check the user, password and database name");
    }
  }
  // As key=value.
  WriteSourceConfig("\"host=127.0.0.1 port=" + std::to_string(Cluster().port()) + " dbname=" + db_ + " user=" + role +
                    " password=" + wrong + "\"");
  r = RunOnce();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, "check the user, password and database name");
  EXPECT_NEVER_SAYS(r.output, wrong);
  // From the environment.
  WriteSourceConfig(DsnAs(role, "${WHARF_BADINPUT_PW}"));
  r = Wharf({"run", "--once"}, {"WHARF_BADINPUT_PW=" + wrong});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, "refused the connection");
  EXPECT_NEVER_SAYS(r.output, wrong);

  // Nothing was set up, nothing staged.
  ExpectNothingOnSource();
  EXPECT_EQ(ManifestCount(), 0u);

  // The right password: everything loads, and it is not printed either.
  r = Wharf({"run", "--once"}, {"WHARF_BADINPUT_PW=" + right});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEVER_SAYS(r.output, right);
  ExpectSameRows(dsn_, warehouse_, ShopChecks());
}

// 4. Unreachable source -----------------------------------------------------------

TEST_F(BadInput, UnreachableSourceFailsAtOnceAndTouchesNothing) {
  CreateShop();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  ChangeShop(1);
  const auto staged = StagedBytes();
  const Rows loaded = DuckFingerprint();

  const std::string dead = "postgres://postgres@127.0.0.1:" + std::to_string(FreePort()) + "/" + db_;
  WriteSourceConfig(dead);
  for (const char* cmd : {"run", "capture"}) {
    const auto start = std::chrono::steady_clock::now();
    auto r = RunWharf({cmd, "--once", "-c", config_.string()}, 120s);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.output;
    EXPECT_SAYS(r.output, "cannot connect to PostgreSQL at " + dead);
    EXPECT_SAYS(r.output, "that the server is running");
    // --once is a batch job: it fails at once, not after reconnecting.
    EXPECT_LT(std::chrono::duration_cast<std::chrono::seconds>(took).count(), 30) << cmd << ": " << r.output;
  }
  // Staging and the warehouse are as they were.
  EXPECT_TRUE(StagedBytes() == staged) << "staging changed";
  EXPECT_EQ(DuckFingerprint(), loaded);

  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRows(dsn_, warehouse_, ShopChecks());
}

// 5. Missing privileges -------------------------------------------------------------

// Today (binary of 11:19): exit 1 (ErrorKind::kSource) and "run ALTER ROLE
// <user> REPLICATION;" without the role's name, where doctor names it.
TEST_F(BadInput, RoleWithoutReplicationIsToldTheGrantToRun) {
  CreateShop();
  const std::string role = "badinput_norepl";
  CreateRole(role);  // LOGIN only, owns nothing
  WriteSourceConfig(DsnAs(role));
  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 2) << r.output;  // a missing privilege needs a person: exit 2
  EXPECT_SAYS(r.output, "ALTER ROLE \"" + role + "\" REPLICATION");
  ExpectNothingOnSource();
  EXPECT_EQ(ManifestCount(), 0u);

  auto d = Wharf({"doctor"});
  EXPECT_EQ(d.exit_code, 1) << d.output;
  EXPECT_SAYS(d.output, "FAIL  role " + role + " may use replication");
  EXPECT_SAYS(d.output, "run ALTER ROLE \"" + role +
                            "\" REPLICATION; and allow replication connections for it in pg_hba.conf");
}

// A role with REPLICATION and CREATE on the database but owning none of the
// tables: CREATE PUBLICATION ... FOR TABLE needs ownership. Today doctor
// says "ok    may create publication wharf_src" and "ready", and only `wharf
// run` finds out ("must be owner of table items", with the hint "grant the
// privilege named above", though ownership is not a grant).
TEST_F(BadInput, RoleThatOwnsNoTableIsToldByDoctorBeforeRunFails) {
  CreateShop();
  const std::string role = "badinput_notowner";
  CreateRole(role, "REPLICATION");
  PgRun("GRANT CREATE ON DATABASE " + db_ + " TO " + role + "; GRANT SELECT ON items, lines TO " + role);
  WriteSourceConfig(DsnAs(role));

  auto d = Wharf({"doctor"});
  EXPECT_EQ(d.exit_code, 1) << d.output;
  EXPECT_TRUE(HasFailLine(d.output, "owner")) << d.output;

  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, "must be owner of table items");
  ExpectNothingOnSource();
  EXPECT_EQ(ManifestCount(), 0u);

  // Fixed as the message says: it loads.
  PgRun("ALTER TABLE items OWNER TO " + role + "; ALTER TABLE lines OWNER TO " + role);
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRows(dsn_, warehouse_, ShopChecks());
}

// Slot names are cluster-wide: the source's default slot name is taken by a
// slot of another database. `wharf run` refuses well today; doctor says
// "ok    slot wharf_src exists, retaining ... of WAL" (its query does not
// look at the slot's database or plugin).
TEST_F(BadInput, SlotNameTakenByAnotherDatabaseIsRefusedAndDoctorSaysSo) {
  CreateShop();
  const std::string other = CreateDatabase("other");
  PgExec(other, "SELECT pg_create_logical_replication_slot('wharf_src', 'pgoutput')");
  WriteDefaultConfig();
  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, "replication slot wharf_src exists but is not a pgoutput slot of this database; choose "
                        "another slot name for the source in wharf.yaml (slot: ...)");
  // The other database's slot is left alone, and nothing was set up here.
  EXPECT_EQ(Str(PgQuery(other, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wharf_src' AND "
                               "database = current_database()")[0][0]),
            "1");
  ExpectNothingOnSource();
  EXPECT_EQ(ManifestCount(), 0u);

  auto d = Wharf({"doctor"});
  EXPECT_EQ(d.exit_code, 1) << d.output;
  EXPECT_TRUE(HasFailLine(d.output, "wharf_src")) << d.output;
  EXPECT_NEVER_SAYS(d.output, "ok    slot wharf_src exists");

  // Done as the message says.
  WriteDefaultConfig("    slot: wharf_badinput\n");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRows(dsn_, warehouse_, ShopChecks());
}

// 6. wal_level --------------------------------------------------------------------------

// Today: exit 1 (ErrorKind::kSource). Like a missing privilege, only a person
// can fix it (RetryPolicy::ExitCode: "2 for what a restart cannot heal ...
// exit 2 also keeps systemd from restarting in a loop").
TEST_F(BadInput, WalLevelReplicaNamesTheSettingAndTheRestart) {
  UseOwnCluster();
  CreateShop();
  PgRun("ALTER SYSTEM SET wal_level = replica");
  Cluster().Restart();
  ASSERT_EQ(Str(Pg("SHOW wal_level")[0][0]), "replica");
  WriteDefaultConfig();

  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, "wal_level is 'replica', logical replication needs 'logical'");
  EXPECT_SAYS(r.output, "run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL");
  ExpectNothingOnSource();
  EXPECT_EQ(ManifestCount(), 0u);

  auto d = Wharf({"doctor"});
  EXPECT_EQ(d.exit_code, 1) << d.output;
  EXPECT_SAYS(d.output, "FAIL  wal_level is replica");
  EXPECT_SAYS(d.output, "run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL");

  PgRun("ALTER SYSTEM SET wal_level = logical");
  Cluster().Restart();
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRows(dsn_, warehouse_, ShopChecks());
}

// 7. Table globs ------------------------------------------------------------------------

// Today: exit 2 with "no table matches tables [public.nosuch_*]; check the
// globs (schema.table)", but nothing about what does exist.
TEST_F(BadInput, GlobMatchingNothingSaysSoAndNamesWhatExists) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY); CREATE TABLE orders (id int PRIMARY KEY);"
        "CREATE SCHEMA sales; CREATE TABLE sales.nosuch_x (id int PRIMARY KEY);");
  WriteDefaultConfig("    tables: [\"public.nosuch_*\"]\n");
  auto r = RunOnce();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_SAYS(r.output, "no table matches tables [public.nosuch_*]");
  EXPECT_SAYS(r.output, "sales.nosuch_x");  // the nearest table there is
  ExpectNothingOnSource();
  EXPECT_EQ(ManifestCount(), 0u);
}

// Today: a misspelt name beside one that matches is ignored without a word
// (and doctor says "ok    1 table(s) match tables: [public.items,
// public.ordrs]"). A glob may be meant for tables created later, so a warning
// rather than an error, but one naming the entry and the nearest table.
TEST_F(BadInput, MisspeltTableBesideGoodOnesIsNamedNotIgnored) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1), (2);"
        "CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1);");
  WriteDefaultConfig("    tables: [\"public.items\", \"public.ordrs\"]\n");
  auto r = RunOnce();
  EXPECT_SAYS(r.output, "public.ordrs");
  EXPECT_SAYS(r.output, "public.orders");
  if (r.exit_code == 0) {
    EXPECT_EQ(Str(Duck("SELECT count(*) FROM public.items")[0][0]), "2");
  }
}

// 8. Tables that cannot be replicated ------------------------------------------------------

TEST_F(BadInput, KeylessTableIsHeldWhileEveryOtherRowLoads) {
  CreateShop();
  PgRun("CREATE TABLE loose (a int, b text); INSERT INTO loose SELECT g, 'x' FROM generate_series(1, 40) g;");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_SAYS(r.output, "table public.loose is not replicated");
  EXPECT_SAYS(r.output, "ALTER TABLE \"public\".\"loose\" REPLICA IDENTITY FULL");
  ExpectSameRows(dsn_, warehouse_, ShopChecks());

  // Changes keep coming through while it is held, and the application's own
  // UPDATEs on it keep working (it is in no publication).
  ChangeShop(1);
  PgRun("UPDATE loose SET b = 'y' WHERE a < 10; DELETE FROM loose WHERE a > 35");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRows(dsn_, warehouse_, ShopChecks());
  EXPECT_EQ(Str(Pg("SELECT count(*) FROM pg_publication_tables WHERE tablename = 'loose'")[0][0]), "0");
  EXPECT_EQ(Str(Duck("SELECT count(*) FROM information_schema.tables WHERE table_name = 'loose'")[0][0]), "0");
  auto reason = Duck("SELECT reason FROM _wharf.table_errors WHERE table_name = 'loose'");
  ASSERT_EQ(reason.size(), 1u);
  EXPECT_SAYS(Str(reason[0][0]), "REPLICA IDENTITY FULL");

  auto s = Wharf({"status", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.output;
  auto status = nlohmann::json::parse(s.output.substr(s.output.find('{')));
  std::map<std::string, nlohmann::json> tables;
  for (const auto& t : status["sources"][0]["tables"]) tables[t["table"].get<std::string>()] = t;
  ASSERT_TRUE(tables.count("public.loose")) << status.dump(1);
  EXPECT_EQ(tables["public.loose"]["phase"], "held") << status.dump(1);
  EXPECT_SAYS(tables["public.loose"]["error"].get<std::string>(),
              "ALTER TABLE \"public\".\"loose\" REPLICA IDENTITY FULL");
  for (const char* t : {"public.items", "public.lines"}) {
    ASSERT_TRUE(tables.count(t)) << status.dump(1);
    EXPECT_EQ(tables[t]["phase"], "ready") << status.dump(1);
    EXPECT_EQ(tables[t]["warehouse_rows"].dump(), Str(Pg(std::string("SELECT count(*) FROM ") + t)[0][0]))
        << status.dump(1);
  }
}

// A table with a primary key whose replica identity was set to NOTHING. Today
// the message says "no primary key and REPLICA IDENTITY NOTHING ... add a
// primary key, or run ALTER TABLE ... REPLICA IDENTITY FULL": the table has a
// primary key, and the fitting fix is REPLICA IDENTITY DEFAULT (which uses it,
// where FULL would log whole old rows).
TEST_F(BadInput, KeyedTableWithReplicaIdentityNothingIsToldToUseItsKey) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);"
        "CREATE TABLE keyed (id int PRIMARY KEY, v text); ALTER TABLE keyed REPLICA IDENTITY NOTHING;"
        "INSERT INTO keyed SELECT g, 'k' FROM generate_series(1, 30) g;");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_SAYS(r.output, "table public.keyed is not replicated");
  EXPECT_SAYS(r.output, "ALTER TABLE \"public\".\"keyed\" REPLICA IDENTITY DEFAULT");
  EXPECT_NEVER_SAYS(r.output, "no primary key");
  EXPECT_EQ(Str(Duck("SELECT count(*) FROM public.items")[0][0]), "1");

  PgRun("ALTER TABLE keyed REPLICA IDENTITY DEFAULT");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Str(Duck("SELECT count(*) FROM public.keyed")[0][0]), "30");
}

// 9. Unreachable PostgreSQL target ----------------------------------------------------------

// Today: "cannot connect to PostgreSQL at postgres://postgres:***@127.0.0.1:N/..._wh
// ... check the dsn in wharf.yaml, that the server is running ...": the same
// words as for a source, so nothing says it is the warehouse (target.dsn).
TEST_F(BadInput, UnreachablePostgresTargetIsNamedAndLosesNothing) {
  CreateShop();
  const std::string wh = CreateDatabase("wh");
  const std::string port = std::to_string(FreePort());
  const std::string dead = "postgres://postgres:TargetPw77@127.0.0.1:" + port + wh.substr(wh.rfind('/'));
  auto target = [&](const std::string& dsn) {
    target_yaml_ = "  type: postgres\n  dsn: " + dsn + "\n";
    WriteDefaultConfig();
  };
  auto expect_refused = [&] {
    auto r = RunOnce();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_SAYS(Lower(r.output), "warehouse");
    EXPECT_SAYS(r.output, "target.dsn");
    EXPECT_SAYS(r.output, "127.0.0.1:" + port);
    EXPECT_NEVER_SAYS(r.output, "TargetPw77");
  };

  target(dead);
  expect_refused();
  target(wh);
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRowsInPostgres(wh);

  ChangeShop(1);
  target(dead);
  expect_refused();
  ChangeShop(2);
  target(wh);
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRowsInPostgres(wh);
}

// 10. A DuckDB file that cannot be written -----------------------------------------------------

// Today, as root (the blocker a regular file): "filesystem error: cannot create
// directories: Not a directory [<dir>]", a raw C++ exception naming neither
// the warehouse file nor target.path; with a read-only directory (as a user):
// "cannot open DuckDB warehouse <path>: IO Error: Cannot open file ...:
// Permission denied", with no word on what to do.
TEST_F(BadInput, UnwritableDuckDbPathIsNamedAndLosesNothing) {
  CreateShop();
  const fs::path blocker = work_ / "ro";
  const bool root = ::geteuid() == 0;  // root writes through permission bits
  if (root) {
    WriteFile(blocker, "a file where the warehouse's directory should be\n");
  } else {
    fs::create_directories(blocker);
    fs::permissions(blocker, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                    fs::perm_options::remove);
  }
  struct Unblock {
    fs::path p;
    ~Unblock() {
      std::error_code ec;
      if (fs::is_directory(p, ec)) fs::permissions(p, fs::perms::owner_all, fs::perm_options::add, ec);
    }
  } unblock{blocker};
  const fs::path wh = blocker / "warehouse.duckdb";
  target_yaml_ = "  type: duckdb\n  path: ./ro/warehouse.duckdb\n";
  WriteDefaultConfig();

  // Capture needs no warehouse: the first full load and later changes stage.
  auto r = Wharf({"capture", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_GT(ManifestCount(), 0u);
  ChangeShop(1);
  const auto staged = StagedBytes();

  for (const char* cmd : {"load", "run"}) {
    r = Wharf({cmd, "--once"});
    EXPECT_NE(r.exit_code, 0) << cmd << ": " << r.output;
    EXPECT_SAYS(r.output, wh.string());
    EXPECT_SAYS(r.output, "target.path");
  }
  ExpectStillStaged(staged);

  if (root) {
    fs::remove(blocker);
    fs::create_directories(blocker);
  } else {
    fs::permissions(blocker, fs::perms::owner_all, fs::perm_options::add);
  }
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRows(dsn_, wh, ShopChecks());
}

// 11. Damaged staging (beyond flipped and truncated data files: see the top) -------------------

TEST_F(BadInput, MissingStagedFileOrCorruptManifestIsRefusedAndLoadsOnceRestored) {
  CreateShop();
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  const size_t applied = ManifestCount();
  ChangeShop(1);  // one transaction: one batch, not loaded yet
  auto r = Wharf({"capture", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(ManifestCount(), applied + 1);
  const auto files = StagedFiles();
  ASSERT_FALSE(files.empty());
  const auto& [seq, file] = files.back();
  const Rows loaded = DuckFingerprint();

  // A data file gone (deleted by hand, a sync tool, a bad lifecycle rule).
  const fs::path victim = work_ / "stage" / file.path;
  const std::string good = ReadFile(victim);
  fs::remove(victim);
  r = Wharf({"load", "--once"});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_SAYS(r.output, file.path);
  EXPECT_SAYS(r.output, "named by manifest " + std::to_string(seq) + " is missing; restore it");
  EXPECT_EQ(DuckFingerprint(), loaded);
  WriteFile(victim, good);

  // Its manifest cut in half: neither the loader nor capture goes past it.
  const fs::path manifest = work_ / "stage" / "src" / "manifests" / ManifestName(seq);
  const std::string good_manifest = ReadFile(manifest);
  const std::string damaged = good_manifest.substr(0, good_manifest.size() / 2);
  WriteFile(manifest, damaged);
  const size_t manifests = ManifestCount();
  ChangeShop(2);
  for (const char* cmd : {"load", "run"}) {
    r = Wharf({cmd, "--once"});
    EXPECT_NE(r.exit_code, 0) << cmd << ": " << r.output;
    EXPECT_SAYS(r.output, ManifestName(seq));
    EXPECT_SAYS(r.output, "is corrupt");
    EXPECT_SAYS(r.output, "restore it from a copy");
  }
  EXPECT_EQ(ManifestCount(), manifests);
  EXPECT_TRUE(ReadFile(manifest) == damaged) << "the damaged manifest was rewritten";
  EXPECT_EQ(DuckFingerprint(), loaded);

  WriteFile(manifest, good_manifest);
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameRows(dsn_, warehouse_, ShopChecks());
}

}  // namespace
}  // namespace wharf::test
