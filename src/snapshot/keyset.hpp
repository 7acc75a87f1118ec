#pragma once
// Keyset pagination over a table's primary key: the SQL of one page of a key
// range, in key order, so a copy can stop after any page and resume after the
// last key it staged (a ctid would move on update; a key does not).
#include <optional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"
#include "pg/connection.hpp"
#include "staging/state_store.hpp"

namespace wharf::snapshot {

struct KeyInfo {
  std::vector<size_t> columns;          // key column positions in the schema
  std::vector<std::string> type_names;  // format_type() of each key column, for casts
  bool Usable() const { return !columns.empty(); }
};

// Key columns and their SQL types (primary key or replica identity index).
KeyInfo DescribeKey(pg::Connection& conn, const core::RelationSchema& schema);

// SELECT of the table's columns for keys in (range.after, range.upto], ordered
// by key, at most `limit` rows (0: no limit). Without a key: the whole table.
std::string PageQuery(const core::RelationSchema& schema, const KeyInfo& key,
                      const staging::KeyRange& range, uint64_t limit);

// The key texts of a row (schema order values).
std::vector<std::string> KeyOf(const KeyInfo& key, const std::vector<core::Datum>& row);

}  // namespace wharf::snapshot
