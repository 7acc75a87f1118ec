#include "harness.hpp"

#include <duckdb.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "staging/local_store.hpp"
#include "staging/staged_log.hpp"

namespace wharf::test {

namespace fs = std::filesystem;

namespace {
fs::path RunRoot() {
  static fs::path root = [] {
    fs::path p = fs::temp_directory_path() / ("wharf-it-" + std::to_string(::getpid()));
    fs::create_directories(p);
    fs::permissions(p, fs::perms::all, fs::perm_options::add);  // the postgres user walks it
    return p;
  }();
  return root;
}

std::string Sanitize(std::string s) {
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s.substr(0, 50);
}

// The wharf binary this test run executes: a copy of the built one taken once,
// while it is not being relinked, so that a rebuild in a shared working tree
// during the run cannot leave a test with no binary or a half-written one.
const std::string& WharfBinary() {
  static const std::string path = [] {
    const fs::path built = WHARF_BINARY;
    const fs::path copy = RunRoot() / "wharf";
    auto stamp = [&] {
      std::error_code ec;
      auto size = fs::file_size(built, ec);
      if (ec) return std::pair<uintmax_t, fs::file_time_type>{0, {}};
      auto time = fs::last_write_time(built, ec);
      return std::pair<uintmax_t, fs::file_time_type>{ec ? 0 : size, time};
    };
    auto last = stamp();
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
         std::chrono::steady_clock::now() < deadline;) {
      // Unchanged for half a second: not being linked right now.
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      auto now = stamp();
      bool stable = now.first > 0 && now == last;
      last = now;
      if (!stable) continue;
      std::error_code ec;
      fs::copy_file(built, copy, fs::copy_options::overwrite_existing, ec);
      if (!ec && stamp() == now && fs::file_size(copy, ec) == now.first) return copy.string();
    }
    return built.string();  // could not take a stable copy: run the built one
  }();
  return path;
}

int RunShell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
}  // namespace

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

PgCluster::PgCluster(fs::path dir) : dir_(std::move(dir)), port_(FreePort()) { Start(); }

PgCluster::~PgCluster() { Stop(); }

void PgCluster::Start() {
  std::string cmd = std::string(WHARF_SOURCE_DIR) + "/scripts/pg-cluster.sh start " + dir_.string() +
                    " " + std::to_string(port_);
  if (RunShell(cmd) != 0) throw std::runtime_error("cannot start PostgreSQL: " + cmd);
}

void PgCluster::Stop() {
  RunShell(std::string(WHARF_SOURCE_DIR) + "/scripts/pg-cluster.sh stop " + dir_.string());
}

void PgCluster::Restart() {
  Stop();
  Start();
}

std::string PgCluster::Dsn(const std::string& db) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

PgCluster& SharedCluster() {
  static PgCluster& cluster = [] () -> PgCluster& {
    static PgCluster c(RunRoot() / "pg");
    // Stream every transaction above 64 kB, so the tests exercise pgoutput's
    // streaming path (spool, stream commit and abort) and not only small ones.
    PgExec(c.Dsn("postgres"), "ALTER SYSTEM SET logical_decoding_work_mem = '64kB'");
    PgExec(c.Dsn("postgres"), "SELECT pg_reload_conf()");
    return c;
  }();
  return cluster;
}

namespace {
PGconn* Connect(const std::string& dsn) {
  PGconn* c = PQconnectdb(dsn.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("connect: " + msg);
  }
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  return c;
}

Rows Execute(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  std::unique_ptr<PGresult, decltype(&PQclear)> rg(r, PQclear);
  auto st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    throw std::runtime_error("query failed: " + std::string(PQresultErrorMessage(r)) + "\n" + sql);
  }
  Rows rows;
  for (int i = 0; i < PQntuples(r); ++i) {
    std::vector<std::optional<std::string>> row;
    for (int j = 0; j < PQnfields(r); ++j) {
      if (PQgetisnull(r, i, j)) row.emplace_back();
      else row.emplace_back(std::string(PQgetvalue(r, i, j), PQgetlength(r, i, j)));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}
}  // namespace

Rows PgQuery(const std::string& dsn, const std::string& sql) {
  PGconn* c = Connect(dsn);
  std::unique_ptr<PGconn, decltype(&PQfinish)> guard(c, PQfinish);
  return Execute(c, sql);
}

PgSession::PgSession(const std::string& dsn) : conn_(Connect(dsn)) {}
PgSession::~PgSession() { PQfinish(static_cast<PGconn*>(conn_)); }
Rows PgSession::Query(const std::string& sql) { return Execute(static_cast<PGconn*>(conn_), sql); }

void PgExec(const std::string& dsn, const std::string& sql) { PgQuery(dsn, sql); }

Rows DuckQuery(const fs::path& file, const std::string& sql) {
  duckdb_database db;
  duckdb_config config;
  duckdb_create_config(&config);
  duckdb_set_config(config, "access_mode", "READ_WRITE");
  char* err = nullptr;
  if (duckdb_open_ext(file.c_str(), &db, config, &err) == DuckDBError) {
    std::string msg = err ? err : "?";
    duckdb_free(err);
    duckdb_destroy_config(&config);
    throw std::runtime_error("duckdb open " + file.string() + ": " + msg);
  }
  duckdb_destroy_config(&config);
  duckdb_connection conn;
  duckdb_connect(db, &conn);
  duckdb_result res;
  Rows rows;
  std::string error;
  if (duckdb_query(conn, sql.c_str(), &res) == DuckDBError) {
    error = duckdb_result_error(&res);
  } else {
    for (idx_t i = 0; i < duckdb_row_count(&res); ++i) {
      std::vector<std::optional<std::string>> row;
      for (idx_t j = 0; j < duckdb_column_count(&res); ++j) {
        if (duckdb_value_is_null(&res, j, i)) {
          row.emplace_back();
        } else {
          char* v = duckdb_value_varchar(&res, j, i);
          row.emplace_back(v);
          duckdb_free(v);
        }
      }
      rows.push_back(std::move(row));
    }
  }
  duckdb_destroy_result(&res);
  duckdb_disconnect(&conn);
  duckdb_close(&db);
  if (!error.empty()) throw std::runtime_error("duckdb query failed: " + error + "\n" + sql);
  return rows;
}

void DuckExec(const fs::path& file, const std::string& sql) { DuckQuery(file, sql); }

Process::Process(const std::vector<std::string>& args, const fs::path& log,
                 const std::vector<std::string>& env)
    : Process(WharfBinary(), args, log, env) {}

Process::Process(const std::string& program, const std::vector<std::string>& args, const fs::path& log,
                 const std::vector<std::string>& env)
    : log_(log) {
  std::vector<char*> argv;
  std::string bin = program;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The child's environment is built before fork: only async-signal-safe calls
  // may run between fork and exec in a process with other threads.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& o : env) overridden = overridden || o.substr(0, o.find('=')) == name;
    if (!overridden) env_strings.push_back(std::move(entry));
  }
  for (const auto& o : env)
    if (o.find('=') != std::string::npos) env_strings.push_back(o);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
}

Process::~Process() {
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st;
    ::waitpid(pid_, &st, 0);
  }
}

void Process::Signal(int sig) { ::kill(pid_, sig); }

bool Process::Running() {
  if (exit_code_) return false;
  int st;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

int Process::Wait(std::chrono::seconds timeout) {
  if (exit_code_) return *exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ADD_FAILURE() << "wharf did not exit within " << timeout.count() << "s; output:\n" << Output();
      int st;
      ::waitpid(pid_, &st, 0);
      exit_code_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return *exit_code_;
}

std::string Process::Output() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ProcessResult RunWharf(const std::vector<std::string>& args, std::chrono::seconds timeout,
                       const std::vector<std::string>& env) {
  static int counter = 0;
  fs::path log = RunRoot() / ("wharf-" + std::to_string(counter++) + ".log");
  Process p(args, log, env);
  ProcessResult r;
  r.exit_code = p.Wait(timeout);
  r.output = p.Output();
  return r;
}

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
             std::chrono::milliseconds every) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(every);
  }
  return cond();
}

std::string Str(const std::optional<std::string>& v) { return v ? *v : "<NULL>"; }

void ExpectSameRows(const std::string& dsn, const fs::path& warehouse,
                    const std::vector<TableCheck>& tables) {
  for (const auto& t : tables) {
    std::string sum = "SELECT CAST(count(*) AS VARCHAR), md5(string_agg(md5(" + t.row_expr +
                      "), ',' ORDER BY " + t.key + ")) FROM " + t.table;
    Rows source = PgQuery(dsn, sum);
    Rows target;
    Rows dups;
    try {
      target = DuckQuery(warehouse, sum);
      dups = DuckQuery(warehouse, "SELECT CAST(count(*) AS VARCHAR) FROM (SELECT " + t.key + " FROM " +
                                      t.table + " GROUP BY " + t.key + " HAVING count(*) > 1) d");
    } catch (const std::exception& e) {
      ADD_FAILURE() << t.table << ": " << e.what();
      continue;
    }
    EXPECT_EQ(Str(dups[0][0]), "0") << t.table << ": duplicate keys in the warehouse";
    EXPECT_EQ(Str(target[0][0]), Str(source[0][0])) << t.table << ": row counts differ (warehouse vs source)";
    EXPECT_EQ(Str(target[0][1]), Str(source[0][1])) << t.table << ": row checksums differ (warehouse vs source)";
  }
}

void ShopWorkload::Create(int seed_orders) {
  std::string n = std::to_string(seed_orders);
  PgExec(dsn_,
         "CREATE TABLE orders (id int PRIMARY KEY, customer int NOT NULL, amount numeric(12,2),"
         " note text, doc text);"
         "ALTER TABLE orders ALTER COLUMN doc SET STORAGE EXTERNAL;"
         "INSERT INTO orders SELECT g, g % 97, g * 1.25, CASE WHEN g % 10 = 0 THEN NULL ELSE 'seed' || g END,"
         " CASE WHEN g % 100 = 0 THEN repeat(md5(g::text), 100) END FROM generate_series(1, " + n + ") g;"
         "CREATE TABLE lines (order_id int, line_no int, sku text, qty int, PRIMARY KEY (order_id, line_no));"
         "INSERT INTO lines SELECT g, l, 'sku' || l, l FROM generate_series(1, 300) g, generate_series(1, 2) l;"
         "CREATE TABLE scratch (id bigserial PRIMARY KEY, v text);"
         "INSERT INTO scratch (v) SELECT 'seed' || g FROM generate_series(1, 50) g;");
}

void ShopWorkload::Round(int r) {
  std::string rs = std::to_string(r);
  std::string base = std::to_string(static_cast<long>(r) * 100000);
  PgExec(dsn_, "INSERT INTO orders SELECT " + base + " + g, g % 97, g * 0.5, 'r" + rs +
                   "', NULL FROM generate_series(1, 200) g");
  PgExec(dsn_, "UPDATE orders SET amount = amount + 1, note = coalesce(note, '') || '+' WHERE id % 17 = " +
                   std::to_string(r % 17));
  // Leaves the TOASTed doc unchanged: pgoutput sends it as unchanged.
  PgExec(dsn_, "UPDATE orders SET customer = customer + 1 WHERE doc IS NOT NULL AND id % 300 = " +
                   std::to_string((r % 3) * 100));
  PgExec(dsn_, "DELETE FROM orders WHERE id < " + base + " AND id % 23 = " + std::to_string(r % 23) +
                   " AND id % 2 = 0");
  PgExec(dsn_, "BEGIN;"
               "INSERT INTO lines SELECT " + base + " + g, l, 'sku' || l, l FROM generate_series(1, 50) g,"
               " generate_series(1, 3) l;"
               "UPDATE lines SET qty = qty + 10 WHERE order_id = " + base + " + 1;"
               "DELETE FROM lines WHERE order_id = " + base + " + 2 AND line_no = 3;"
               "UPDATE orders SET id = " + base + " + 90000 WHERE id = " + base + " + 3;"
               "INSERT INTO orders VALUES (" + base + " + 3, 0, NULL, NULL, repeat('x', 5000));"
               "DELETE FROM orders WHERE id = " + base + " + 4;"
               "INSERT INTO orders VALUES (" + base + " + 95000, 1, 1, 'born and died', NULL);"
               "DELETE FROM orders WHERE id = " + base + " + 95000;"
               "COMMIT");
  PgExec(dsn_, "TRUNCATE scratch");
  PgExec(dsn_, "INSERT INTO scratch (v) SELECT 'r" + rs + "-' || g FROM generate_series(1, 20) g");
  PgExec(dsn_, "UPDATE lines SET line_no = line_no + 10 WHERE order_id = " + base + " + 5");
  PgExec(dsn_, "UPDATE scratch SET v = NULL WHERE id % 5 = 0");
}

void ShopWorkload::BigTransaction(int rows, int tag) {
  std::string base = std::to_string(static_cast<long>(tag) * 100000);
  PgExec(dsn_, "BEGIN;"
               "INSERT INTO orders SELECT " + base + " + g, g % 97, g * 0.25, 'big" + std::to_string(tag) +
               "', NULL FROM generate_series(1, " + std::to_string(rows) + ") g;"
               "UPDATE orders SET note = 'touched by big' WHERE id <= 500 AND id % 3 = 0;"
               "DELETE FROM orders WHERE id <= 500 AND id % 7 = 0;"
               "INSERT INTO lines SELECT " + base + " + g, 1, 'big', g FROM generate_series(1, 100) g;"
               "DELETE FROM lines WHERE order_id <= 50;"
               "COMMIT");
}

std::vector<TableCheck> ShopWorkload::Checks() {
  return {
      {"public.orders", "id",
       "CAST(id AS VARCHAR) || '|' || CAST(customer AS VARCHAR) || '|' || coalesce(CAST(amount AS VARCHAR), '~')"
       " || '|' || coalesce(note, '~') || '|' || coalesce(md5(doc), '~')"},
      {"public.lines", "order_id, line_no",
       "CAST(order_id AS VARCHAR) || '|' || CAST(line_no AS VARCHAR) || '|' || coalesce(sku, '~') || '|' ||"
       " coalesce(CAST(qty AS VARCHAR), '~')"},
      {"public.scratch", "id", "CAST(id AS VARCHAR) || '|' || coalesce(v, '~')"},
  };
}

void WharfTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  db_ = Sanitize(std::string(info->test_suite_name()) + "_" + info->name());
  work_ = RunRoot() / db_;
  fs::remove_all(work_);
  fs::create_directories(work_);
  config_ = work_ / "wharf.yaml";
  warehouse_ = work_ / "warehouse.duckdb";
  auto& cluster = SharedCluster();
  PgExec(cluster.Dsn("postgres"), "DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
  PgExec(cluster.Dsn("postgres"), "CREATE DATABASE " + db_);
  dsn_ = cluster.Dsn(db_);
}

std::string WharfTest::CreateDatabase(const std::string& suffix) {
  std::string name = db_.substr(0, 40) + "_" + suffix;
  auto& cluster = Cluster();
  PgExec(cluster.Dsn("postgres"), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  PgExec(cluster.Dsn("postgres"), "CREATE DATABASE " + name);
  extra_dbs_.push_back(name);
  return cluster.Dsn(name);
}

PgCluster& WharfTest::Cluster() { return own_cluster_ ? *own_cluster_ : SharedCluster(); }

void WharfTest::UseOwnCluster() {
  if (own_cluster_) return;
  PgExec(SharedCluster().Dsn("postgres"), "DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
  own_cluster_ = std::make_unique<PgCluster>(work_ / "pg");
  PgExec(own_cluster_->Dsn("postgres"), "CREATE DATABASE " + db_);
  dsn_ = own_cluster_->Dsn(db_);
}

std::vector<std::pair<uint64_t, staging::ManifestFile>> WharfTest::StagedFiles(const std::string& source) {
  staging::LocalStore store(work_ / "stage");
  std::vector<std::pair<uint64_t, staging::ManifestFile>> out;
  for (uint64_t seq : staging::ListManifests(store, source))
    for (auto& f : staging::ReadManifest(store, source, seq).files) out.emplace_back(seq, f);
  return out;
}

std::string WharfTest::ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WharfTest::WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

size_t WharfTest::ManifestCount(const std::string& source) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(work_ / "stage" / source / "manifests", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

std::string WharfTest::SlotPid() {
  auto r = Pg("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'wharf_src'");
  return r.empty() ? "" : Str(r[0][0]);
}

bool WharfTest::SlotHeld() {
  std::string pid = SlotPid();
  return !pid.empty() && pid != "<NULL>";
}

bool WharfTest::ConfirmedPast(const std::string& lsn) {
  auto r = Pg("SELECT confirmed_flush_lsn >= '" + lsn + "'::pg_lsn FROM pg_replication_slots "
              "WHERE slot_name = 'wharf_src'");
  return !r.empty() && Str(r[0][0]) == "t";
}

std::string WharfTest::ConfirmedLsn() {
  auto r = Pg("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'wharf_src'");
  return r.empty() ? "" : Str(r[0][0]);
}

std::string WharfTest::CurrentLsn() { return Str(Pg("SELECT pg_current_wal_lsn()")[0][0]); }

void WharfTest::TearDown() {
  auto& cluster = Cluster();
  std::vector<std::string> dbs = extra_dbs_;
  dbs.push_back(db_);
  for (const auto& db : dbs) {
    try {
      PgExec(cluster.Dsn("postgres"),
             "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '" +
                 db + "' AND active_pid IS NOT NULL");
      WaitFor([&] {
        return PgQuery(cluster.Dsn("postgres"),
                       "SELECT count(*) FROM pg_replication_slots WHERE active AND database = '" + db + "'")[0][0] == "0";
      }, std::chrono::seconds(10));
      PgExec(cluster.Dsn("postgres"),
             "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + db + "'");
      PgExec(cluster.Dsn("postgres"), "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "teardown: " << e.what();
    }
  }
  if (own_cluster_) {
    own_cluster_->Stop();
    own_cluster_.reset();
  }
  if (!HasFailure()) fs::remove_all(work_);
}

void WharfTest::WriteConfig(const std::string& sources_yaml, const std::string& extra_yaml) {
  std::ofstream out(config_);
  out << "sources:\n" << sources_yaml << "staging:\n  url: " << staging_url_ << "\n  format: "
      << staging_format_ << "\n  compression: " << staging_compression_ << "\n"
      << "  batch: " << batch_yaml_ << "\n" << staging_yaml_ << "full_load:\n" << full_load_yaml_
      // target last: some tests' extra_yaml adds keys to it
      << "target:\n" << target_yaml_ << extra_yaml;
}

void WharfTest::WriteDefaultConfig(const std::string& source_extra) {
  WriteConfig("  - name: src\n    dsn: " + dsn_ + "\n" + source_extra);
}

ProcessResult WharfTest::Wharf(std::vector<std::string> args) {
  args.push_back("-c");
  args.push_back(config_.string());
  return RunWharf(args);
}

ProcessResult WharfTest::Wharf(std::vector<std::string> args, const std::vector<std::string>& env) {
  args.push_back("-c");
  args.push_back(config_.string());
  return RunWharf(args, std::chrono::seconds(180), env);
}

std::unique_ptr<Process> WharfTest::StartWharf(std::vector<std::string> args, const std::string& log_name,
                                               const std::vector<std::string>& env) {
  args.push_back("-c");
  args.push_back(config_.string());
  return std::make_unique<Process>(args, work_ / log_name, env);
}

void WharfTest::ExpectValidateEqual() {
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace wharf::test
