#pragma once
// Schema evolution on DuckDB tables: wharf's record of each warehouse table's columns (which
// source attnum each holds, and which are kept after a drop) in _wharf.columns, tables stopped by
// a change that cannot be applied safely in _wharf.table_errors, and the statements that carry
// out a load::SchemaPlan.
//
// DuckDB 1.4 fails at COMMIT a transaction that altered a table's columns (ADD, DROP, ALTER TYPE)
// after deleting or updating its rows in the same transaction ("another transaction has altered
// this table"). So a table the open batch already deleted from or updated is rebuilt instead:
// CREATE TABLE AS SELECT (renamed, cast, added, without the dropped) + DROP + RENAME, all in the
// batch's transaction. Tables have no PRIMARY KEY constraint or index in DuckDB, so a type change
// of a key column needs nothing more than of any other column.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "load/duckdb/duckdb_handle.hpp"
#include "load/load_mode.hpp"
#include "load/schema_diff.hpp"

namespace wharf::load::duckdb {

class DuckDbSchemas {
 public:
  // `conn` must outlive this object. Creates wharf's metadata tables.
  DuckDbSchemas(Connection& conn, const core::TargetConfig& config);

  // Makes `target` (created when missing) hold `schema`'s columns, inside the open transaction.
  // Returns false when the table is stopped (now, or by an earlier change): its changes are to be
  // skipped, and status names the reason and the fix. A chunk that `truncates` the table carries
  // everything it will hold, so a stopped or incompatible table is dropped and created afresh
  // from `schema` instead (this is how `wharf resync --table` repairs it).
  // A table created here gets `mode`'s own columns (soft_delete, history, append).
  bool Prepare(const std::string& source, uint64_t seq, const core::TableName& target,
               const core::RelationSchema& schema, bool truncates, LoadMode mode);
  // DELETE or UPDATE ran on `target` in the open transaction (see the header comment).
  void Touched(const core::TableName& target) { touched_.insert(target); }
  void Committed() { touched_.clear(); }
  // The transaction rolled back: what was cached of it is gone.
  void RolledBack();
  // Stopped tables ("schema.table" -> reason with the fix).
  std::map<std::string, std::string> Errors();
  void RecordHeld(const std::string& source, const std::map<std::string, std::string>& held);
  // Stops `target` inside the open batch: its changes are skipped until a
  // batch truncates it (a resync), as after a schema change it cannot take.
  void Stop(const std::string& source, uint64_t seq, const core::TableName& target, const std::string& reason);

 private:
  struct Table {
    std::vector<WarehouseColumn> columns;
    std::string error;
  };
  Table* Load(const core::TableName& target, const core::RelationSchema& schema);
  void Create(const core::TableName& target, const core::RelationSchema& schema, LoadMode mode);
  void Drop(const core::TableName& target);
  void Apply(const core::TableName& target, const SchemaPlan& plan);
  void Rebuild(const core::TableName& target, const SchemaPlan& plan,
               const std::map<size_t, std::string>& fills);
  void SaveColumns(const core::TableName& target, const std::vector<WarehouseColumn>& columns);
  std::vector<core::LogicalType> TypesOf(const core::RelationSchema& schema) const;

  Connection& conn_;
  core::TargetConfig config_;
  std::map<core::TableName, Table> tables_;  // cache of the metadata; cleared on rollback
  std::set<core::TableName> touched_;
};

}  // namespace wharf::load::duckdb
