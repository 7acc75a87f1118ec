#pragma once
// Source-vs-warehouse comparison, row by row by key: each selected table's
// rows are read from the source (one snapshot for all tables), converted with
// the loader's own converters and compared with the warehouse table.
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "load/warehouse.hpp"

namespace wharf::validate {

struct TableReport {
  std::string source;
  core::TableName source_table;
  core::TableName target;
  load::TableDiff diff;
};

struct Report {
  std::vector<TableReport> tables;
  bool Equal() const {
    for (const auto& t : tables)
      if (!t.diff.Equal()) return false;
    return true;
  }
};

// `only_table`: "schema.table" to check one table.
Report ValidateSource(const core::SourceConfig& source, load::Warehouse& warehouse,
                      const std::optional<std::string>& only_table, size_t sample_limit = 20);

}  // namespace wharf::validate
