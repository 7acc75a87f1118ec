#pragma once
// The warehouse as the loader sees it. Narrow so that PostgreSQL, ClickHouse
// and Snowflake adapters can follow the DuckDB one.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/relation.hpp"
#include "load/planner.hpp"

namespace wharf::load {

struct TableBatch {
  core::TableName target;        // warehouse schema.table
  core::RelationSchema schema;   // source schema the changes were staged with
  TablePlan plan;
};

struct BatchApply {
  std::string source;
  uint64_t seq = 0;
  Lsn last_lsn;
  Lsn end_lsn;
  std::vector<TableBatch> tables;
};

struct SourceProgress {
  std::string source;
  uint64_t batch_seq = 0;
  Lsn lsn;
  Lsn end_lsn;
  std::string applied_at;
};

// One row of a source table for validation: values in schema order.
using RowCallback = std::function<void(const std::vector<core::Datum>&)>;
using RowProducer = std::function<void(const RowCallback&)>;

struct TableDiff {
  uint64_t source_rows = 0;
  uint64_t warehouse_rows = 0;
  uint64_t missing = 0;    // in the source, not in the warehouse
  uint64_t extra = 0;      // in the warehouse, not in the source
  uint64_t different = 0;  // same key, different values
  std::vector<std::string> sample;  // "missing key (id)=(1)" lines, bounded
  bool Equal() const { return missing == 0 && extra == 0 && different == 0; }
};

class Warehouse {
 public:
  virtual ~Warehouse() = default;
  // Last batch seq applied for `source` (0 when none).
  virtual uint64_t AppliedSeq(const std::string& source) = 0;
  // Applies one batch in one transaction together with its progress row.
  // A batch at or below AppliedSeq is a no-op.
  virtual void Apply(const BatchApply& batch) = 0;
  virtual std::vector<SourceProgress> Progress() = 0;
  // Rows per warehouse table of a source mapping, for status output.
  virtual std::optional<uint64_t> CountRows(const core::TableName& target) = 0;
  // Compares the rows `source_rows` produces with the warehouse table.
  virtual TableDiff Compare(const core::TableName& target, const core::RelationSchema& schema,
                            const RowProducer& source_rows, size_t sample_limit) = 0;
};

std::unique_ptr<Warehouse> OpenWarehouse(const core::TargetConfig& target, const std::string& base_dir);

}  // namespace wharf::load
