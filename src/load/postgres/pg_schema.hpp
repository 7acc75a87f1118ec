#pragma once
// Schema evolution on PostgreSQL warehouse tables, with the same behaviour as DuckDB's
// (duckdb_schema.hpp): wharf's record of each table's columns (which source attnum each holds,
// which are kept after a drop) in _wharf.columns, tables stopped by a change that cannot be
// applied safely in _wharf.table_errors, and the ALTERs that carry out a load::SchemaPlan
// (load::DiffSchema decides; nothing here re-decides what is safe for logical types).
//
// Warehouse columns have the source's own PostgreSQL types, so the types involved are
// PostgreSQL's: a widening DiffSchema accepts becomes ALTER COLUMN TYPE to the source's new type
// (in place, inside the batch's transaction; the key index is rebuilt with it). A change that
// keeps the logical type but changes the PostgreSQL one (varchar(10) -> varchar(100) -> text)
// widens the column when every old value is a value of the new type, leaves it as it is when every
// new value fits it (a shorter length), and otherwise stops the table like a narrowing.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "load/schema_diff.hpp"
#include "pg/connection.hpp"

namespace wharf::load::postgres {

// Pure SQL of this file (unit-tested).
std::string SchemaMetadataDdl();
// One column's PostgreSQL type as the source declares it: format_type(oid, typmod).
std::string FormatTypeSql(const core::Column& c);
// The statements of one step; `type_name` is the PostgreSQL type of an added or altered column.
std::vector<std::string> SchemaStepSql(const core::TableName& target, const SchemaStep& step,
                                       const std::string& type_name);
std::string SaveColumnsSql(const core::TableName& target, const std::vector<WarehouseColumn>& columns);
std::string TableErrorSql(const core::TableName& target, const std::string& source,
                          const std::string& reason, uint64_t seq);
// True when every value of PostgreSQL type `from` is one of `to` (for columns of one logical type
// whose declared types differ): a longer or unlimited length of varchar/char/varbit, or text.
bool PgWidens(const core::Column& from, const core::Column& to);

class PgSchemas {
 public:
  // Creates `target` holding `schema`'s columns (the warehouse's CREATE TABLE).
  using CreateTable = std::function<void(const core::TableName&, const core::RelationSchema&)>;
  // `conn` must outlive this object; its database has SchemaMetadataDdl()'s tables.
  PgSchemas(pg::Connection& conn, const core::TargetConfig& config, CreateTable create);

  // Makes `target` (created when missing) hold `schema`'s columns, inside the open transaction.
  // Returns false when the table is stopped (now, or by an earlier change): its changes are to be
  // skipped. A chunk that `truncates` the table carries everything it will hold, so a stopped or
  // incompatible table is dropped and created afresh instead (how `wharf resync --table` repairs it).
  bool Prepare(const std::string& source, uint64_t seq, const core::TableName& target,
               const core::RelationSchema& schema, bool truncates);
  // The transaction rolled back: what was cached of it is gone.
  void RolledBack() { tables_.clear(); }
  // Stopped tables ("schema.table" -> reason with the fix).
  std::map<std::string, std::string> Errors();
  void RecordHeld(const std::string& source, const std::map<std::string, std::string>& held);
  // Stops `target` inside the open batch (skipped until a batch truncates it).
  void Stop(const std::string& source, uint64_t seq, const core::TableName& target, const std::string& reason);

 private:
  struct Table {
    std::vector<WarehouseColumn> columns;
    std::string error;
  };
  Table* Load(const core::TableName& target, const core::RelationSchema& schema);
  void Create(const core::TableName& target, const core::RelationSchema& schema);
  void Drop(const core::TableName& target);
  // Columns whose logical type is unchanged but whose PostgreSQL type changed: widened (a step),
  // kept (every new value fits the column as it is), or plan.error.
  void PgDeclaredTypes(const core::TableName& target, const core::RelationSchema& schema, const Table& table,
                       SchemaPlan& plan);
  void Apply(const core::TableName& target, const SchemaPlan& plan, const core::RelationSchema& schema);
  std::string TypeName(const core::Column& c);
  std::vector<core::LogicalType> TypesOf(const core::RelationSchema& schema) const;

  pg::Connection& conn_;
  core::TargetConfig config_;
  CreateTable create_;
  std::map<core::TableName, Table> tables_;  // cache of the metadata; cleared on rollback
};

}  // namespace wharf::load::postgres
