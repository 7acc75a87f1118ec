#pragma once
// Splitting a table into key ranges that several connections copy at once.
#include <cstdint>
#include <vector>

#include "pg/connection.hpp"
#include "snapshot/keyset.hpp"
#include "staging/state_store.hpp"

namespace wharf::snapshot {

// Splits [min, max] into `parts` contiguous ranges (pure). The first range
// starts at the beginning of the table and the last one runs to its end, so
// keys outside [min, max] (written later) are still covered.
std::vector<staging::KeyRange> SplitIntegerRange(int64_t min, int64_t max, size_t parts);

// Ranges for one table: one range, or for a large table with a single integer
// key, `parts` ranges between its min and max key (read in the caller's snapshot).
std::vector<staging::KeyRange> PlanRanges(pg::Connection& conn, const core::RelationSchema& schema,
                                          const KeyInfo& key, uint64_t estimated_rows,
                                          size_t parts, uint64_t min_rows_per_range);

}  // namespace wharf::snapshot
