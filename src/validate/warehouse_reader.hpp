#pragma once
// The warehouse as validate reads it: queries returning text rows, on a
// connection of validate's own. It never touches the loader's
// load::Warehouse (which belongs to the loader thread), so a validation can
// run while `wharf run` keeps loading in the same process.
#include <duckdb.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "validate/canonical.hpp"

namespace wharf::validate {

using TextRow = std::vector<std::optional<std::string>>;

class WarehouseReader {
 public:
  virtual ~WarehouseReader() = default;
  virtual Dialect dialect() const = 0;
  // Every value as text (NULL as nullopt). Throws kWarehouse.
  virtual std::vector<TextRow> Query(const std::string& sql) = 0;
  // A transaction whose queries see one state of the warehouse; Commit ends it.
  virtual void Begin() = 0;
  virtual void Commit() = 0;
  std::string QuoteIdent(const std::string& name) const;
  std::string QuoteLiteral(const std::string& text) const;
};

// target.type duckdb: a connection to `shared` (a database a running wharf
// holds open: DuckDB lets one process open the file) or, when null, to the
// file at target.path, opened here. target.type postgres: a connection of
// its own to target.dsn. The DuckDB connection gets PostgreSQL's hash
// (kDuckDbHashFunction) and TimeZone UTC.
std::unique_ptr<WarehouseReader> OpenWarehouseReader(const core::TargetConfig& target,
                                                     const std::filesystem::path& base_dir,
                                                     duckdb_database shared = nullptr);

}  // namespace wharf::validate
