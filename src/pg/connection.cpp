#include "pg/connection.hpp"

#include <cstdlib>

#include "core/error.hpp"
#include "core/redact.hpp"

namespace wharf::pg {

const char* const kSessionOptions =
    "-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3 "
    "-c bytea_output=hex -c lc_monetary=C -c client_encoding=UTF8";

std::string RedactDsn(const std::string& dsn) {
  // URL (scheme://user:password@host, ?password=) and key=value
  // (password=secret, password='se cret', sslpassword=) forms, plus any
  // registered secret: one set of rules for DSNs, logs and status.
  return core::RedactSecrets(dsn);
}

std::string QuoteIdent(std::string_view ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteLiteral(std::string_view literal) {
  std::string out = "'";
  for (char c : literal) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

namespace {
// libpq reports a refused login (or a database that does not exist) only as
// text; these are the server's messages for it (auth.c, postinit.c), stable
// across versions.
bool IsLoginRefusal(const std::string& msg) {
  for (const char* m : {"password authentication failed", "no pg_hba.conf entry", "role \"",
                        "is not permitted to log in", "must be superuser or replication role",
                        "permission denied for database", "fe_sendauth: no password supplied",
                        "does not exist"}) {
    if (msg.find(m) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

Connection Connection::Open(const std::string& dsn, bool replication,
                            const std::string& application_name) {
  std::vector<const char*> keys = {"dbname", "options", "application_name"};
  std::vector<const char*> values = {dsn.c_str(), kSessionOptions, application_name.c_str()};
  if (replication) {
    keys.push_back("replication");
    values.push_back("database");
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  // expand_dbname=1: the DSN may be a URL or key=value string; our keys after it
  // override what it says about options and replication.
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), 1);
  std::string description = RedactDsn(dsn);
  if (raw == nullptr) Fail(ErrorKind::kConnection, "out of memory connecting to {}", description);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(raw);
    PQfinish(raw);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    // Refused credentials do not heal by retrying; a server that is down or
    // restarting does.
    if (IsLoginRefusal(msg)) {
      Fail(ErrorKind::kPermission,
           "PostgreSQL at {} refused the connection: {}\n  check the user, password and database "
           "name in the dsn (a password belongs in an environment variable, e.g. "
           "${{SOURCE_PASSWORD}}), that the role exists with LOGIN{}, and that pg_hba.conf allows "
           "it from this host",
           description, msg, replication ? " and REPLICATION" : "");
    }
    Fail(ErrorKind::kConnection,
         "cannot connect to PostgreSQL at {}: {}\n  check the dsn in wharf.yaml, that the server "
         "is running, and that pg_hba.conf allows this user{}",
         description, msg, replication ? " to open replication connections" : "");
  }
  Connection conn(raw, description);
  // libpq applies PGDATESTYLE, PGTZ and PGCLIENTENCODING from the environment
  // after the startup options; set the session again so they cannot win.
  conn.Exec(
      "SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; "
      "SET extra_float_digits = 3; SET bytea_output = hex; SET lc_monetary = 'C'; "
      "SET client_encoding = 'UTF8'");
  return conn;
}

void Connection::ThrowError(const std::string& what, PGresult* res) const {
  std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_.get());
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  ErrorKind kind = PQstatus(conn_.get()) == CONNECTION_OK ? ErrorKind::kSource : ErrorKind::kConnection;
  std::string state;
  if (res) {
    const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (s) state = s;
  }
  if (state == "42501") {
    Fail(ErrorKind::kPermission, "{}: permission denied: {}\n  grant the privilege named above to the wharf user "
         "(see `wharf doctor`)", what, msg);
  }
  Fail(kind, "{}: {}", what, msg);
}

Result Connection::Exec(const std::string& sql) {
  Result r(PQexec(conn_.get(), sql.c_str()));
  auto st = PQresultStatus(r.raw());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    ThrowError(fmt::format("query failed on {} ({})", description_,
                           sql.size() > 200 ? sql.substr(0, 200) + "..." : sql),
               r.raw());
  }
  return r;
}

Result Connection::ExecParams(const std::string& sql,
                              const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  Result r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                        values.data(), nullptr, nullptr, 0));
  auto st = PQresultStatus(r.raw());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    ThrowError(fmt::format("query failed on {}", description_), r.raw());
  }
  return r;
}

void Connection::CopyOut(const std::string& copy_sql,
                         const std::function<void(std::string_view)>& on_row) {
  Result start(PQexec(conn_.get(), copy_sql.c_str()));
  if (PQresultStatus(start.raw()) != PGRES_COPY_OUT) {
    ThrowError(fmt::format("COPY failed on {}", description_), start.raw());
  }
  for (;;) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_.get(), &buf, 0);
    if (n > 0) {
      std::unique_ptr<char, decltype(&PQfreemem)> owned(buf, &PQfreemem);
      on_row(std::string_view(buf, static_cast<size_t>(n)));
      continue;
    }
    if (n == -1) break;
    ThrowError(fmt::format("COPY failed on {}", description_));
  }
  Result end(PQgetResult(conn_.get()));
  if (PQresultStatus(end.raw()) != PGRES_COMMAND_OK) {
    ThrowError(fmt::format("COPY failed on {}", description_), end.raw());
  }
  while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
}

uint64_t Connection::CopyIn(const std::string& copy_sql,
                            const std::function<void(const CopyPut& put)>& produce) {
  Result start(PQexec(conn_.get(), copy_sql.c_str()));
  if (PQresultStatus(start.raw()) != PGRES_COPY_IN) {
    ThrowError(fmt::format("COPY failed on {}", description_), start.raw());
  }
  constexpr size_t kBlock = size_t{1} << 20;
  std::string buffer;
  bool failed = false;  // a put failed: the COPY is ended with an error below
  auto flush = [&] {
    if (buffer.empty() || failed) return;
    if (PQputCopyData(conn_.get(), buffer.data(), static_cast<int>(buffer.size())) != 1) failed = true;
    buffer.clear();
  };
  try {
    produce([&](std::string_view piece) {
      buffer.append(piece);
      if (buffer.size() >= kBlock) flush();
    });
    flush();
  } catch (...) {
    // End the COPY so the connection stays usable (the transaction is failed).
    PQputCopyEnd(conn_.get(), "wharf: producing COPY data failed");
    while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
    throw;
  }
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) failed = true;
  Result end(PQgetResult(conn_.get()));
  if (PQresultStatus(end.raw()) != PGRES_COMMAND_OK || failed) {
    ThrowError(fmt::format("COPY failed on {}", description_), end.raw());
  }
  uint64_t rows = std::strtoull(PQcmdTuples(end.raw()), nullptr, 10);
  while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
  return rows;
}

std::string Connection::QuoteIdent(std::string_view ident) const { return pg::QuoteIdent(ident); }
std::string Connection::QuoteLiteral(std::string_view literal) const {
  return pg::QuoteLiteral(literal);
}

}  // namespace wharf::pg
