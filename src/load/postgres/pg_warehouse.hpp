#pragma once
// PostgreSQL as the warehouse (target.type: postgres, target.dsn).
//
// Tables get the source's own PostgreSQL types (format_type of the column's
// OID and typmod), so staged values, which are PostgreSQL text, COPY in
// exactly: nothing can be rejected, and there is no _wharf.rejects here.
// BeginBatch opens one transaction (holding an advisory lock per source);
// each ApplyTable COPYs the chunk's plan into temporary tables and applies it
// with set-based statements (pg_sql.hpp); CommitBatch upserts the source's
// row in _wharf.state and commits, all or nothing.
// Every load mode (load_mode.hpp) with DuckDB's table shapes and rules; the
// modes beyond mirror are in pg_modes.cpp.
#include <map>
#include <optional>
#include <set>

#include "load/postgres/pg_schema.hpp"
#include "load/warehouse.hpp"
#include "pg/connection.hpp"

namespace wharf::load::postgres {

// Streams `rows` through `encode` (COPY text of one row) into one COPY.
template <typename Rows, typename Encode>
void CopyRows(pg::Connection& conn, const std::string& copy_sql, const Rows& rows, Encode encode) {
  conn.CopyIn(copy_sql, [&](const pg::Connection::CopyPut& put) {
    std::string line;
    for (const auto& row : rows) {
      line.clear();
      encode(line, row);
      put(line);
    }
  });
}

class PgWarehouse : public Warehouse {
 public:
  // Connects (the DSN is never logged: pg::Connection redacts it).
  explicit PgWarehouse(const core::TargetConfig& config);

  uint64_t AppliedSeq(const std::string& source) override;
  bool BeginBatch(const std::string& source, uint64_t seq) override;
  void ApplyTable(const TableBatch& table) override;
  void CommitBatch(Lsn last_lsn, Lsn end_lsn) override;
  void AbortBatch() noexcept override;
  std::vector<SourceProgress> Progress() override;
  std::optional<uint64_t> CountRows(const core::TableName& target) override;
  TableDiff Compare(const core::TableName& target, const core::RelationSchema& schema,
                    const RowProducer& source_rows, size_t sample_limit) override;
  std::map<std::string, std::string> TableErrors() override { return schemas_.Errors(); }
  void RecordHeldTables(const std::string& source, const std::map<std::string, std::string>& held) override {
    schemas_.RecordHeld(source, held);
  }

 private:
  struct OpenBatch {
    std::string source;
    uint64_t seq = 0;
  };
  // Creates the table or carries out its schema change (pg_schema.hpp); false: the table is
  // stopped and the chunk's changes are skipped.
  void CreateTable(const core::TableName& target, const core::RelationSchema& schema);
  bool EnsureTable(const core::TableName& target, const core::RelationSchema& schema, bool truncates);
  std::vector<std::string> TypeNames(const core::RelationSchema& schema);
  // mirror and soft_delete.
  void ApplyPlan(const core::TableName& target, const core::RelationSchema& schema, const TablePlan& plan,
                 LoadMode mode, bool copying);
  // pg_modes.cpp: the other modes.
  // Throws when `target` exists in another mode than `mode`; true when it
  // does not exist yet (it is then created in `mode`: AddModeColumns).
  bool CheckMode(const core::TableName& target, const core::RelationSchema& schema, LoadMode mode);
  void AddModeColumns(const core::TableName& target, LoadMode mode);
  // The mode of an existing table (mirror when it does not exist).
  LoadMode TableMode(const core::TableName& target);
  // Rows into the stage _wharf_up (values, _wharf_lsn, the mode's columns),
  // unchanged TOAST columns filled from `fill_from` (empty: the target).
  // Throws UnfilledToast when a row found none to fill from, unless `copying`.
  void StageRows(const core::TableName& target, const core::RelationSchema& schema,
                 const std::vector<PlannedRow>& rows, LoadMode mode, const std::string& fill_from, bool copying);
  void StageMarks(const core::TableName& target, const core::RelationSchema& schema,
                  const std::vector<KeyMark>& marks);
  void ApplyHistory(const core::TableName& target, const core::RelationSchema& schema, const TablePlan& plan,
                    bool copying);
  void ApplyAppend(const core::TableName& target, const core::RelationSchema& schema, const TablePlan& plan);
  void CollectSample(const std::string& label, const std::string& key_names, const std::string& from,
                     const std::string& key_expr, size_t limit, uint64_t& counter, TableDiff& diff);

  pg::Connection conn_;
  // The batch BeginBatch opened (its transaction is open) until it is
  // committed or aborted; nullopt: no transaction open.
  std::optional<OpenBatch> batch_;
  // Each table's columns and schema changes; its cache is cleared when a
  // transaction is rolled back (tables and columns changed in it are gone).
  PgSchemas schemas_;
  std::map<core::TableName, LoadMode> table_modes_;  // modes of existing tables, read once
  LoadMode creating_mode_ = LoadMode::kMirror;  // the mode a table created now is made in
};

}  // namespace wharf::load::postgres
