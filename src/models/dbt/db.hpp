#pragma once
// wharf::models::dbt::Db: the warehouse as models see it: run SQL, read
// results, ask what relations exist. One adapter per warehouse type; the
// materializations (materialize.cpp) write SQL both DuckDB and PostgreSQL take.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <duckdb.h>

namespace wharf::models::dbt {

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::string> types;  // the database's type names, lower case
  std::vector<std::vector<std::optional<std::string>>> rows;  // text forms
};

enum class RelKind { kNone, kTable, kView };

struct ColumnInfo {
  std::string name;
  std::string data_type;  // lower case: "integer", "character varying", "varchar", ...
};

class Db {
 public:
  virtual ~Db() = default;
  virtual std::string type() const = 0;      // "duckdb" | "postgres"
  virtual std::string database() const = 0;  // the catalog relations are qualified with
  // Runs one or more statements. Throws wharf::Error(kWarehouse) with the database's message.
  virtual void Execute(const std::string& sql) = 0;
  virtual QueryResult Query(const std::string& sql) = 0;
  virtual RelKind Kind(const std::string& schema, const std::string& name) = 0;
  virtual std::vector<ColumnInfo> Columns(const std::string& schema, const std::string& name) = 0;
  // The columns of a temporary table this connection made, with full types (numeric(10,2)).
  virtual std::vector<ColumnInfo> TempColumns(const std::string& name) = 0;
  void Begin() { Execute("BEGIN"); }
  void Commit() { Execute("COMMIT"); }
  // Never throws: used on error paths.
  virtual void Rollback() noexcept = 0;
};

// A DuckDB file of its own (`wharf models` with no running wharf).
std::unique_ptr<Db> OpenDuckDb(const std::string& path);
// A new connection on a database this process already holds open (the
// loader's, inside `wharf run`); `catalog` is what relations are qualified with.
std::unique_ptr<Db> ConnectDuckDb(duckdb_database database, const std::string& catalog);
std::unique_ptr<Db> OpenPostgres(const std::string& dsn);

// "a""b": identifiers are always quoted (dbt's default quoting on both adapters).
std::string QuoteIdent(const std::string& name);
std::string QuoteLiteral(const std::string& text);

}  // namespace wharf::models::dbt
