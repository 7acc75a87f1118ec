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
#include <map>
#include <optional>
#include <set>

#include "load/postgres/pg_schema.hpp"
#include "load/warehouse.hpp"
#include "pg/connection.hpp"

namespace wharf::load::postgres {

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
  void ApplyPlan(const core::TableName& target, const core::RelationSchema& schema, const TablePlan& plan);
  void CollectSample(const std::string& label, const std::string& key_names, const std::string& from,
                     const std::string& key_expr, size_t limit, uint64_t& counter, TableDiff& diff);

  pg::Connection conn_;
  // The batch BeginBatch opened (its transaction is open) until it is
  // committed or aborted; nullopt: no transaction open.
  std::optional<OpenBatch> batch_;
  // Each table's columns and schema changes; its cache is cleared when a
  // transaction is rolled back (tables and columns changed in it are gone).
  PgSchemas schemas_;
};

}  // namespace wharf::load::postgres
