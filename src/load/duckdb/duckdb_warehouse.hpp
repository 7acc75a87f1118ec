#pragma once
// The embedded DuckDB warehouse (the default target).
//
// ApplyTable() stages one chunk's net effect for a table in temporary tables
// through DuckDB's appender (typed values from wharf's converters, never
// DuckDB's cast of PostgreSQL text), then runs set-based DELETE and INSERT
// statements. Every chunk of a batch runs in the one transaction BeginBatch
// opens and CommitBatch commits with the source's row in _wharf.state; DuckDB
// spills what exceeds target.memory_limit, so a batch of any size fits.
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "load/duckdb/duckdb_fresh_scan.hpp"
#include "load/duckdb/duckdb_handle.hpp"
#include "load/duckdb/duckdb_schema.hpp"
#include "load/warehouse.hpp"

namespace wharf::load::duckdb {

// DuckDB matches identifiers case-insensitively even when quoted, so of two
// source columns that differ only in case ("Name" and "name") the later one
// lands as "name_2" (then _3, ...). Everything else keeps its exact name.
core::RelationSchema WarehouseSchema(const core::RelationSchema& source);

class DuckDbWarehouse : public Warehouse {
 public:
  DuckDbWarehouse(const std::string& path, const core::TargetConfig& config);
  // The open database: models built inside `wharf run` connect to it, since
  // a DuckDB file has one writer process.
  Database& database() { return db_; }
  std::optional<Embedded> EmbeddedDatabase() override { return Embedded{db_.raw(), db_.catalog()}; }

  uint64_t AppliedSeq(const std::string& source) override;
  bool BeginBatch(const std::string& source, uint64_t seq) override;
  void ApplyTable(const TableBatch& table) override;
  void AppendRows(const core::TableName& target, const core::RelationSchema& schema, Lsn lsn,
                  FreshRows& rows) override;
  void CommitBatch(Lsn last_lsn, Lsn end_lsn) override;
  void AbortBatch() noexcept override;
  std::vector<SourceProgress> Progress() override;
  std::optional<uint64_t> CountRows(const core::TableName& target) override;
  std::map<std::string, std::string> TableErrors() override { return schemas_->Errors(); }
  void RecordHeldTables(const std::string& source, const std::map<std::string, std::string>& held) override {
    schemas_->RecordHeld(source, held);
  }
  TableDiff Compare(const core::TableName& target, const core::RelationSchema& schema,
                    const RowProducer& source_rows, size_t sample_limit) override;

  uint64_t AppendAheadRows() override;

  Connection& connection() { return conn_; }

 private:
  struct Reject {
    std::string table, key, column, raw, reason;
    Lsn lsn;
  };
  struct OpenBatch {
    std::string source;
    uint64_t seq = 0;
    uint64_t rejects = 0;  // rows written to _wharf.rejects in this batch
    // DuckDB's `threads` setting before a large chunk made this batch go on
    // with one thread; restored when the batch ends (SET is not transactional).
    std::optional<std::string> threads_before;
  };
  // Why a key value of the plan cannot be stored in its warehouse type, if one cannot.
  std::optional<std::string> UnholdableKey(const core::RelationSchema& schema, const TablePlan& plan) const;
  void UseOneThreadForLargePlan(const TablePlan& plan);
  size_t DuckDbThreads();
  void RestoreThreads() noexcept;
  // A column written after a row's values and _wharf_lsn (staged or appended).
  struct ExtraColumn {
    std::string name;
    std::string type;
    std::function<void(Appender&, const PlannedRow&)> append;
  };
  // Throws when `target` exists in another mode than `mode` (a new table is
  // created in `mode` by the schema preparation).
  void CheckMode(const core::TableName& target, const core::RelationSchema& schema, LoadMode mode);
  // mirror and soft_delete.
  // `copying`: TableBatch::copying; otherwise an unchanged TOAST value with no
  // row to take it from throws UnfilledToast before the table is touched.
  void ApplyPlan(const core::TableName& target, const core::RelationSchema& schema,
                 const TablePlan& plan, LoadMode mode, bool copying, std::vector<Reject>& rejects);
  void ApplyHistory(const core::TableName& target, const core::RelationSchema& schema,
                    const TablePlan& plan, bool copying, std::vector<Reject>& rejects);

  void ApplyAppend(const core::TableName& target, const core::RelationSchema& schema,
                   const TablePlan& plan, std::vector<Reject>& rejects);
  void AppendInserts(const core::TableName& table, const core::RelationSchema& schema,
                     const std::vector<core::LogicalType>& types, const std::vector<size_t>& keys,
                     const std::vector<PlannedRow>& rows, std::vector<Reject>& rejects,
                     const std::vector<ExtraColumn>& extras = {});
  // Rows into the temp table _wharf_up (values, _wharf_lsn, extras), with
  // unchanged TOAST columns filled from the rows of `fill_from` (SQL for a
  // relation with the target's columns, one row per key; empty: the target)
  // matching their fill key. Throws UnfilledToast when a row found no such
  // row, unless `copying` (TableBatch::copying).
  void StageRows(const core::TableName& table, const core::RelationSchema& schema,
                 const std::vector<PlannedRow>& rows, const std::vector<ExtraColumn>& extras,
                 const std::string& fill_from, bool copying, std::vector<Reject>& rejects);
  // Marks into the temp table _wharf_mark (key columns, _wharf_lsn, _wharf_ts).
  void StageMarks(const core::RelationSchema& schema, const std::vector<KeyMark>& marks);
  // Appends rows straight into the table: `next` points `row` at the next
  // row, or returns false at the end.
  using RowPointerSource = std::function<bool(const PlannedRow*& row)>;
  void AppendStream(const core::TableName& table, const core::RelationSchema& schema,
                    const std::vector<core::LogicalType>& types, const std::vector<size_t>& keys,
                    const RowPointerSource& next, std::vector<Reject>& rejects,
                    const std::vector<ExtraColumn>& extras);
  void RemoveCopies(const core::TableName& target, const core::RelationSchema& schema,
                    const std::vector<CountedRow>& removes);
  void WriteRejects(const std::vector<Reject>& rejects);
  TableDiff CompareMultiset(const core::TableName& target, const core::RelationSchema& schema,
                            size_t sample_limit, TableDiff diff);
  std::vector<core::LogicalType> TypesOf(const core::RelationSchema& schema) const;

  core::TargetConfig config_;
  Database db_;
  Connection conn_;
  FreshScan fresh_scan_{conn_};  // fresh rows in parallel (AppendRows)
  // The batch BeginBatch opened (its transaction is open) until it is
  // committed or aborted; nullopt: no transaction open.
  std::optional<OpenBatch> batch_;
  // Tables' columns, their evolution and stopped tables (_wharf.columns, _wharf.table_errors).
  std::optional<DuckDbSchemas> schemas_;  // set once _wharf exists
  std::map<core::TableName, LoadMode> table_modes_;  // modes of existing tables, read once
};

}  // namespace wharf::load::duckdb
