#pragma once
// SQL text helpers shared by the DuckDB adapter's files.
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"

namespace wharf::load::duckdb {

// "(id,name)=(1,x)" for messages and _wharf.rejects.
std::string KeyText(const core::RelationSchema& schema, const std::vector<size_t>& keys,
                    const std::vector<core::Datum>& values);
// The key columns, or every column for a table without a key.
std::vector<size_t> KeyColumns(const core::RelationSchema& schema);
// "left.k1 IS NOT DISTINCT FROM right.k1 AND ..." (right's columns named
// right_prefix + position when a prefix is given).
std::string KeyMatch(const core::RelationSchema& schema, const std::vector<size_t>& keys,
                     const std::string& left, const std::string& right,
                     const std::string& right_prefix = "");

}  // namespace wharf::load::duckdb
