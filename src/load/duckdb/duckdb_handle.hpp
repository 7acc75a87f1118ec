#pragma once
// Move-only RAII handles over DuckDB's C API: database, connection, query
// result and appender. Errors become wharf::Error(kWarehouse).
#include <duckdb.h>

#include <memory>
#include <optional>
#include <string>

namespace wharf::load::duckdb {

class Result {
 public:
  Result() = default;
  explicit Result(duckdb_result r) : res_(std::make_unique<duckdb_result>(r)) {}
  Result(Result&&) = default;
  Result& operator=(Result&&) = default;
  ~Result() {
    if (res_) duckdb_destroy_result(res_.get());
  }
  uint64_t rows() { return duckdb_row_count(res_.get()); }
  uint64_t columns() { return duckdb_column_count(res_.get()); }
  bool IsNull(uint64_t row, uint64_t col) { return duckdb_value_is_null(res_.get(), col, row); }
  std::optional<std::string> GetString(uint64_t row, uint64_t col);
  int64_t GetInt64(uint64_t row, uint64_t col) { return duckdb_value_int64(res_.get(), col, row); }
  uint64_t GetUInt64(uint64_t row, uint64_t col) { return duckdb_value_uint64(res_.get(), col, row); }
  std::string ColumnName(uint64_t col) { return duckdb_column_name(res_.get(), col); }

 private:
  std::unique_ptr<duckdb_result> res_;
};

class Appender {
 public:
  // catalog: "temp" for temporary tables, "" for the default database.
  Appender(duckdb_connection conn, const std::string& catalog, const std::string& schema,
           const std::string& table);
  Appender(Appender&&) = default;
  ~Appender();
  duckdb_appender raw() { return app_; }
  void Check(duckdb_state state, const char* what);
  void EndRow() { Check(duckdb_appender_end_row(app_), "end row"); }
  void Close();

 private:
  duckdb_appender app_ = nullptr;
  std::string table_;
};

class Connection {
 public:
  Connection(duckdb_database db);
  Connection(Connection&& o) noexcept : conn_(o.conn_) { o.conn_ = nullptr; }
  ~Connection() {
    if (conn_) duckdb_disconnect(&conn_);
  }
  Result Query(const std::string& sql);
  duckdb_connection raw() { return conn_; }

 private:
  duckdb_connection conn_ = nullptr;
};

// Rows per row group of the warehouse file for a target.memory_limit ("" is
// DuckDB's default, 80 % of RAM): smaller under a small limit, to bound memory.
constexpr int kDefaultRowGroupSize = 122880;  // DuckDB's own default
constexpr int kSmallRowGroupSize = 16384;
int RowGroupSizeFor(const std::string& memory_limit);

class Database {
 public:
  // Opens (or creates) a database file (":memory:" for none). Options:
  // memory_limit ("" for default). The file is attached to an in-memory
  // instance (so its row group size can be set) under the catalog name DuckDB
  // would give it; use Connect() for connections that see it as the default.
  static Database Open(const std::string& path, const std::string& memory_limit);
  Database(Database&& o) noexcept : db_(o.db_), catalog_(std::move(o.catalog_)) { o.db_ = nullptr; }
  ~Database() {
    if (db_) duckdb_close(&db_);
  }
  duckdb_database raw() { return db_; }
  // The attached file's catalog name; empty for ":memory:".
  const std::string& catalog() const { return catalog_; }
  // A connection whose default catalog is the warehouse file.
  Connection Connect();

 private:
  explicit Database(duckdb_database db) : db_(db) {}
  duckdb_database db_ = nullptr;
  std::string catalog_;  // the attached file's catalog; empty for ":memory:"
};

// "a""b" quoting for DuckDB identifiers and literals.
std::string Ident(const std::string& name);
std::string Literal(const std::string& value);
std::string Qualified(const std::string& schema, const std::string& table);

}  // namespace wharf::load::duckdb
