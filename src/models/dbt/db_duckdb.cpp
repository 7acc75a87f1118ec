#include <duckdb.h>

#include "core/error.hpp"
#include "load/duckdb/duckdb_handle.hpp"
#include "models/dbt/db.hpp"

namespace wharf::models::dbt {
namespace {

namespace dd = load::duckdb;

class DuckDb final : public Db {
 public:
  // `owned` is empty when the database belongs to someone else (the loader).
  DuckDb(std::optional<dd::Database> owned, duckdb_database raw, std::string catalog)
      : owned_(std::move(owned)), conn_(raw), catalog_(std::move(catalog)) {
    if (catalog_ != "memory") conn_.Query("USE " + dd::Ident(catalog_));
    // Dates cut from timestamps with time zone fall on the same day as on
    // PostgreSQL sessions wharf opens, whatever the machine's zone.
    conn_.Query("SET TimeZone = 'UTC'");
  }
  std::string type() const override { return "duckdb"; }
  std::string database() const override { return catalog_; }

  void Execute(const std::string& sql) override { Run(sql); }

  QueryResult Query(const std::string& sql) override {
    dd::Result r = Run(sql);
    QueryResult out;
    for (uint64_t c = 0; c < r.columns(); ++c) out.columns.push_back(r.ColumnName(c));
    out.rows.reserve(r.rows());
    for (uint64_t i = 0; i < r.rows(); ++i) {
      auto& row = out.rows.emplace_back();
      for (uint64_t c = 0; c < r.columns(); ++c) row.push_back(r.GetString(i, c));
    }
    return out;
  }

  RelKind Kind(const std::string& schema, const std::string& name) override {
    // DuckDB names are case-insensitive, as its information_schema lookups are not.
    auto r = Query("SELECT table_type FROM information_schema.tables WHERE table_catalog = " +
                   dd::Literal(catalog_) + " AND lower(table_schema) = lower(" + dd::Literal(schema) +
                   ") AND lower(table_name) = lower(" + dd::Literal(name) + ")");
    if (r.rows.empty()) return RelKind::kNone;
    return r.rows[0][0] == "VIEW" ? RelKind::kView : RelKind::kTable;
  }

  std::vector<ColumnInfo> Columns(const std::string& schema, const std::string& name) override {
    auto r = Query("SELECT column_name, lower(data_type) FROM information_schema.columns WHERE table_catalog = " +
                   dd::Literal(catalog_) + " AND lower(table_schema) = lower(" + dd::Literal(schema) +
                   ") AND lower(table_name) = lower(" + dd::Literal(name) + ") ORDER BY ordinal_position");
    std::vector<ColumnInfo> out;
    for (auto& row : r.rows) out.push_back({row[0].value_or(""), row[1].value_or("")});
    return out;
  }

  std::vector<ColumnInfo> TempColumns(const std::string& name) override {
    auto r = Query("SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = 'temp' "
                   "AND table_name = " + dd::Literal(name) + " ORDER BY ordinal_position");
    std::vector<ColumnInfo> out;
    for (auto& row : r.rows) out.push_back({row[0].value_or(""), row[1].value_or("")});
    return out;
  }

  void Rollback() noexcept override {
    duckdb_result r;
    duckdb_query(conn_.raw(), "ROLLBACK", &r);
    duckdb_destroy_result(&r);
  }

 private:
  dd::Result Run(const std::string& sql) {
    duckdb_result r;
    if (duckdb_query(conn_.raw(), sql.c_str(), &r) == DuckDBError) {
      std::string msg = duckdb_result_error(&r);
      duckdb_destroy_result(&r);
      throw Error(ErrorKind::kWarehouse, msg);
    }
    return dd::Result(r);
  }

  std::optional<dd::Database> owned_;
  dd::Connection conn_;
  std::string catalog_;
};

}  // namespace

std::unique_ptr<Db> OpenDuckDb(const std::string& path) {
  auto db = dd::Database::Open(path, "");
  duckdb_database raw = db.raw();
  std::string catalog = db.catalog().empty() ? "memory" : db.catalog();
  return std::make_unique<DuckDb>(std::move(db), raw, catalog);
}

std::unique_ptr<Db> ConnectDuckDb(duckdb_database database, const std::string& catalog) {
  return std::make_unique<DuckDb>(std::nullopt, database, catalog.empty() ? "memory" : catalog);
}

std::string QuoteIdent(const std::string& name) { return dd::Ident(name); }
std::string QuoteLiteral(const std::string& text) { return dd::Literal(text); }

}  // namespace wharf::models::dbt
