#pragma once
// The embedded DuckDB warehouse (the default target).
//
// Apply() stages a batch's net effect per table in temporary tables through
// DuckDB's appender (typed values from wharf's converters, never DuckDB's cast
// of PostgreSQL text), then runs set-based DELETE and INSERT statements, all in
// one transaction with the source's row in _wharf.state.
#include <map>
#include <set>

#include "load/duckdb/duckdb_handle.hpp"
#include "load/warehouse.hpp"

namespace wharf::load::duckdb {

// DuckDB matches identifiers case-insensitively even when quoted, so of two
// source columns that differ only in case ("Name" and "name") the later one
// lands as "name_2" (then _3, ...). Everything else keeps its exact name.
core::RelationSchema WarehouseSchema(const core::RelationSchema& source);

class DuckDbWarehouse : public Warehouse {
 public:
  DuckDbWarehouse(const std::string& path, const core::TargetConfig& config);

  uint64_t AppliedSeq(const std::string& source) override;
  void Apply(const BatchApply& batch) override;
  std::vector<SourceProgress> Progress() override;
  std::optional<uint64_t> CountRows(const core::TableName& target) override;
  TableDiff Compare(const core::TableName& target, const core::RelationSchema& schema,
                    const RowProducer& source_rows, size_t sample_limit) override;

  Connection& connection() { return conn_; }

 private:
  struct Reject {
    std::string table, key, column, raw, reason;
    Lsn lsn;
  };
  void EnsureTable(const core::TableName& target, const core::RelationSchema& schema);
  void ApplyTable(const TableBatch& table, std::vector<Reject>& rejects);
  std::vector<core::LogicalType> TypesOf(const core::RelationSchema& schema) const;

  core::TargetConfig config_;
  Database db_;
  Connection conn_;
  // Columns known to exist per warehouse table; cleared when a transaction fails.
  std::map<core::TableName, std::set<std::string>> known_columns_;
};

}  // namespace wharf::load::duckdb
