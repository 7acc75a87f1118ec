#pragma once
// Source-vs-warehouse comparison by chunk hashes (DESIGN.md "validate").
//
// Each replicated table of each source (the configured globs' tables and
// those added to the publication by hand) is read in one REPEATABLE READ
// snapshot of its source, split into key ranges, and each range's rows are
// hashed and summed on both sides at once, in each side's SQL, over the same
// canonical text of every value (validate/canonical.hpp). Only ranges whose
// sums differ are read key by key, and only differing keys' columns are
// fetched. No row is copied from one side to the other.
#include <vector>

#include "core/config.hpp"
#include "validate/options.hpp"
#include "validate/result.hpp"
#include "validate/warehouse_reader.hpp"

namespace wharf::validate {

// One source's tables against `warehouse`. Throws kConfig when
// options.only_table is set and names none of them.
std::vector<TableResult> ValidateSource(const core::Config& config, const core::SourceConfig& source,
                                        WarehouseReader& warehouse, const Options& options);

// Every source, with a warehouse reader of its own (OpenWarehouseReader with
// options.shared_duckdb). Throws kConfig when options.only_table names no
// table of any source.
Report Validate(const core::Config& config, const Options& options);

}  // namespace wharf::validate
