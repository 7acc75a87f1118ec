#pragma once
// RAII wrappers over libpq: a connection whose session is fixed to wharf's
// value settings (DESIGN.md "Values"), query results, and COPY TO STDOUT.
#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::pg {

struct PGconnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PGresultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

class Result {
 public:
  explicit Result(PGresult* r) : res_(r) {}
  int rows() const { return PQntuples(res_.get()); }
  int columns() const { return PQnfields(res_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col); }
  std::string_view Get(int row, int col) const {
    return {PQgetvalue(res_.get(), row, col),
            static_cast<size_t>(PQgetlength(res_.get(), row, col))};
  }
  std::optional<std::string> GetOpt(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return std::string(Get(row, col));
  }
  std::string ColumnName(int col) const { return PQfname(res_.get(), col); }
  PGresult* raw() const { return res_.get(); }

 private:
  std::unique_ptr<PGresult, PGresultDeleter> res_;
};

// Session settings every wharf connection to the source runs with, so snapshot
// and streamed values of the same datum are byte-identical text.
extern const char* const kSessionOptions;

class Connection {
 public:
  // Opens a connection. `replication` adds replication=database for the
  // walsender protocol. Errors name the host and database, never the password.
  static Connection Open(const std::string& dsn, bool replication = false,
                         const std::string& application_name = "wharf");

  Connection(Connection&&) = default;
  Connection& operator=(Connection&&) = default;

  Result Exec(const std::string& sql);
  Result ExecParams(const std::string& sql, const std::vector<std::optional<std::string>>& params);
  // Runs `COPY ... TO STDOUT` and calls `on_row` with each data row (text format,
  // including its trailing newline).
  void CopyOut(const std::string& copy_sql, const std::function<void(std::string_view)>& on_row);
  // Runs `COPY ... FROM STDIN`: `produce` is called once and hands its data
  // (text format rows, each ending in a newline) to `put` in pieces of any
  // size; they are sent in blocks of about 1 MB. Returns the rows copied.
  using CopyPut = std::function<void(std::string_view)>;
  uint64_t CopyIn(const std::string& copy_sql, const std::function<void(const CopyPut& put)>& produce);

  std::string QuoteIdent(std::string_view ident) const;
  std::string QuoteLiteral(std::string_view literal) const;
  int ServerVersion() const { return PQserverVersion(conn_.get()); }
  PGconn* raw() const { return conn_.get(); }
  // Where this connection points, safe to log (no password).
  const std::string& description() const { return description_; }

 private:
  Connection(PGconn* conn, std::string description) : conn_(conn), description_(std::move(description)) {}
  [[noreturn]] void ThrowError(const std::string& what, PGresult* res = nullptr) const;

  std::unique_ptr<PGconn, PGconnDeleter> conn_;
  std::string description_;
};

// Removes the password from a DSN (URL or key=value form) for logs and status.
std::string RedactDsn(const std::string& dsn);

// SQL identifier quoting without a connection: "a""b".
std::string QuoteIdent(std::string_view ident);
std::string QuoteLiteral(std::string_view literal);

}  // namespace wharf::pg
