#include "core/error.hpp"
#include "models/dbt/db.hpp"
#include "pg/connection.hpp"

namespace wharf::models::dbt {
namespace {

class PostgresDb final : public Db {
 public:
  explicit PostgresDb(pg::Connection conn) : conn_(std::move(conn)) {
    database_ = conn_.Exec("SELECT current_database()").Get(0, 0);
  }
  std::string type() const override { return "postgres"; }
  std::string database() const override { return database_; }

  void Execute(const std::string& sql) override { Run(sql); }

  QueryResult Query(const std::string& sql) override {
    pg::Result r = Run(sql);
    QueryResult out;
    for (int c = 0; c < r.columns(); ++c) out.columns.push_back(r.ColumnName(c));
    out.rows.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      auto& row = out.rows.emplace_back();
      for (int c = 0; c < r.columns(); ++c) row.push_back(r.GetOpt(i, c));
    }
    return out;
  }

  RelKind Kind(const std::string& schema, const std::string& name) override {
    auto r = conn_.ExecParams(
        "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
        {schema, name});
    if (r.rows() == 0) return RelKind::kNone;
    return std::string(r.Get(0, 0)) == "v" ? RelKind::kView : RelKind::kTable;
  }

  std::vector<ColumnInfo> Columns(const std::string& schema, const std::string& name) override {
    auto r = conn_.ExecParams(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        {schema, name});
    std::vector<ColumnInfo> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({std::string(r.Get(i, 0)), std::string(r.Get(i, 1))});
    return out;
  }

  std::vector<ColumnInfo> TempColumns(const std::string& name) override {
    auto r = conn_.ExecParams(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = (SELECT c.oid FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = pg_my_temp_schema()) "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        {name});
    std::vector<ColumnInfo> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({std::string(r.Get(i, 0)), std::string(r.Get(i, 1))});
    return out;
  }

  void Rollback() noexcept override {
    try {
      conn_.Exec("ROLLBACK");
    } catch (...) {
    }
  }

 private:
  pg::Result Run(const std::string& sql) {
    try {
      return conn_.Exec(sql);
    } catch (const Error& e) {
      // A dropped connection stays retryable; the rest is the model's SQL.
      if (e.kind() == ErrorKind::kConnection) throw;
      throw Error(ErrorKind::kWarehouse, e.message());
    }
  }

  pg::Connection conn_;
  std::string database_;
};

}  // namespace

std::unique_ptr<Db> OpenPostgres(const std::string& dsn) {
  return std::make_unique<PostgresDb>(pg::Connection::Open(dsn, false, "wharf models"));
}

}  // namespace wharf::models::dbt
