#include "load/duckdb/duckdb_handle.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "core/text.hpp"

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

namespace {

// The catalog name DuckDB gives a file opened directly (its stem), so SQL and
// tools see the same names either way.
std::string CatalogName(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  for (const char* reserved : {"memory", "temp", "system", "main", ""})
    if (stem == reserved) return "warehouse";
  return stem;
}

}  // namespace

int RowGroupSizeFor(const std::string& memory_limit) {
  // DuckDB analyses and compresses a whole row group at once when it writes
  // one, with memory outside memory_limit: at 2 kB a row its default 122880
  // rows cost ~300 MB of RSS at once in a large batch's transaction, 16384 rows
  // ~35 MB. But every row group costs a fixed share of analysis: 16384 rows
  // took 40 % more CPU per inserted row than 122880 (8 mixed columns, 2 M rows).
  // A configured memory_limit below 2 GB asks for the bound; otherwise speed.
  constexpr uint64_t kLarge = uint64_t{2} << 30;
  if (memory_limit.empty()) return kDefaultRowGroupSize;
  auto bytes = core::ParseByteSize(memory_limit);
  return bytes && *bytes >= kLarge ? kDefaultRowGroupSize : kSmallRowGroupSize;
}

Database Database::Open(const std::string& path, const std::string& memory_limit) {
  const bool in_memory = path.empty() || path == ":memory:";
  duckdb_config config = nullptr;
  duckdb_create_config(&config);
  std::unique_ptr<_duckdb_config, void (*)(_duckdb_config*)> guard(
      config, [](_duckdb_config* c) { duckdb_destroy_config(&c); });
  if (!memory_limit.empty()) duckdb_set_config(config, "memory_limit", memory_limit.c_str());
  // Spill where DuckDB would for this file, not into the working directory
  // (the instance itself is in-memory; the file is attached below).
  if (!in_memory) duckdb_set_config(config, "temp_directory", (path + ".tmp").c_str());
  duckdb_database db = nullptr;
  char* err = nullptr;
  if (duckdb_open_ext(":memory:", &db, config, &err) == DuckDBError) {
    std::string msg = err ? err : "unknown error";
    duckdb_free(err);
    Fail(ErrorKind::kWarehouse, "cannot start DuckDB for warehouse {}: {}", path, msg);
  }
  Database out(db);
  if (in_memory) return out;
  // ROW_GROUP_SIZE (RowGroupSizeFor) is an ATTACH option only, hence an in-memory instance with
  // the file attached and made every connection's default (Connect()).
  out.catalog_ = CatalogName(path);
  Connection conn(db);
  duckdb_result r;
  std::string sql = "ATTACH " + Literal(path) + " AS " + Ident(out.catalog_) +
                    " (ROW_GROUP_SIZE " + std::to_string(RowGroupSizeFor(memory_limit)) + ")";
  if (duckdb_query(conn.raw(), sql.c_str(), &r) == DuckDBError) {
    std::string msg = duckdb_result_error(&r);
    duckdb_destroy_result(&r);
    std::string hint;
    if (msg.find("lock") != std::string::npos) {
      hint = "\n  another process holds the warehouse file: stop the running `wharf run`, or use "
             "its status endpoint";
    } else if (msg.find("ermission denied") != std::string::npos || msg.find("Read-only") != std::string::npos) {
      hint = "\n  give wharf's user write access to the file and its folder, or point target.path elsewhere";
    }
    Fail(ErrorKind::kWarehouse, "cannot open DuckDB warehouse {} (target.path): {}{}", path, msg, hint);
  }
  duckdb_destroy_result(&r);
  return out;
}

Connection Database::Connect() {
  Connection conn(db_);
  if (!catalog_.empty()) conn.Query("USE " + Ident(catalog_));
  return conn;
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
