#include "load/duckdb/duckdb_handle.hpp"

#include "core/error.hpp"

namespace wharf::load::duckdb {

std::optional<std::string> Result::GetString(uint64_t row, uint64_t col) {
  if (duckdb_value_is_null(res_.get(), col, row)) return std::nullopt;
  char* s = duckdb_value_varchar(res_.get(), col, row);
  std::string out = s ? s : "";
  duckdb_free(s);
  return out;
}

Appender::Appender(duckdb_connection conn, const std::string& catalog, const std::string& schema,
                   const std::string& table)
    : table_(schema + "." + table) {
  if (duckdb_appender_create_ext(conn, catalog.empty() ? nullptr : catalog.c_str(), schema.c_str(),
                                 table.c_str(), &app_) == DuckDBError) {
    std::string msg = app_ ? duckdb_appender_error(app_) : "unknown error";
    if (app_) duckdb_appender_destroy(&app_);
    Fail(ErrorKind::kWarehouse, "cannot append to {}: {}", table_, msg);
  }
}

Appender::~Appender() {
  if (app_) duckdb_appender_destroy(&app_);
}

void Appender::Check(duckdb_state state, const char* what) {
  if (state == DuckDBError) {
    Fail(ErrorKind::kWarehouse, "appending to {} failed ({}): {}", table_, what,
         duckdb_appender_error(app_));
  }
}

void Appender::Close() { Check(duckdb_appender_close(app_), "close"); }

Connection::Connection(duckdb_database db) {
  if (duckdb_connect(db, &conn_) == DuckDBError) {
    Fail(ErrorKind::kWarehouse, "cannot connect to the DuckDB database");
  }
}

Result Connection::Query(const std::string& sql) {
  duckdb_result r;
  if (duckdb_query(conn_, sql.c_str(), &r) == DuckDBError) {
    std::string msg = duckdb_result_error(&r);
    duckdb_destroy_result(&r);
    Fail(ErrorKind::kWarehouse, "DuckDB query failed: {}\n  query: {}", msg,
         sql.size() > 300 ? sql.substr(0, 300) + "..." : sql);
  }
  return Result(r);
}

Database Database::Open(const std::string& path, const std::string& memory_limit) {
  duckdb_config config = nullptr;
  duckdb_create_config(&config);
  std::unique_ptr<_duckdb_config, void (*)(_duckdb_config*)> guard(
      config, [](_duckdb_config* c) { duckdb_destroy_config(&c); });
  if (!memory_limit.empty()) duckdb_set_config(config, "memory_limit", memory_limit.c_str());
  duckdb_database db = nullptr;
  char* err = nullptr;
  if (duckdb_open_ext(path.c_str(), &db, config, &err) == DuckDBError) {
    std::string msg = err ? err : "unknown error";
    duckdb_free(err);
    std::string hint;
    if (msg.find("lock") != std::string::npos) {
      hint = "\n  another process holds the warehouse file: stop the running `wharf run`, or use "
             "its status endpoint";
    }
    Fail(ErrorKind::kWarehouse, "cannot open DuckDB warehouse {}: {}{}", path, msg, hint);
  }
  return Database(db);
}

std::string Ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string Qualified(const std::string& schema, const std::string& table) {
  return Ident(schema) + "." + Ident(table);
}

}  // namespace wharf::load::duckdb
