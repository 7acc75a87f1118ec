#pragma once
// Schema evolution, the pure part: what must happen to a warehouse table's columns so that it
// takes rows of a source schema. Columns are matched by pg_attribute.attnum (a rename keeps it,
// a dropped-and-re-added column gets a new one), by name where an attnum is unknown (manifests
// written before attnums were recorded, tables a wharf made before it kept them).
//
// Safe changes become steps: add (with the value rows that predate the column hold: the source's
// constant default), rename, drop or keep a dropped column (policy), widen a type (int2 -> int4
// -> int8, integers into a decimal with room, float4 -> float8, decimal(p,s) to one with no less
// scale and no fewer integer digits, integers and decimals to text, lists of those). Anything else
// (narrowing, an incompatible type) is an error naming the column and the fix: nothing of the
// change applies, and the table stops loading until a resync. No I/O: unit-tested.
#include <optional>
#include <string>
#include <vector>

#include "core/pg_types.hpp"
#include "core/relation.hpp"

namespace wharf::load {

enum class DroppedColumns { kKeep, kDrop };

// A column of a warehouse table as wharf's metadata records it.
struct WarehouseColumn {
  std::string name;
  int32_t attnum = 0;  // 0: unknown, matched by name
  core::Column source;  // the source column it holds (type_oid, typmod, elem_oid, ndims)
  core::LogicalType type;
  bool dropped = false;  // gone from the source, kept (NULL from then on)
  bool operator==(const WarehouseColumn&) const = default;
};

struct SchemaStep {
  enum class Kind { kAdd, kRename, kDrop, kAlterType };
  Kind kind = Kind::kAdd;
  std::string column;       // the warehouse column's name before the step
  std::string new_name;     // kRename
  core::LogicalType type;   // kAdd, kAlterType: its (new) type
  std::optional<std::string> fill;  // kAdd: PostgreSQL text of what existing rows hold
  size_t source_index = 0;  // kAdd, kAlterType: the column in the source schema
  bool operator==(const SchemaStep&) const = default;
};

struct SchemaPlan {
  std::vector<SchemaStep> steps;       // in the order they must run
  std::vector<WarehouseColumn> after;  // the table's columns once they ran
  bool metadata_changed = false;       // `after` differs from the columns given
  std::string error;                   // non-empty: the change cannot be applied safely
};

// `current`: the warehouse table's columns; `source` (names as they land in the warehouse) with
// `types` (its logical types, one per column).
SchemaPlan DiffSchema(const std::vector<WarehouseColumn>& current, const core::RelationSchema& source,
                      const std::vector<core::LogicalType>& types, DroppedColumns policy);

// What a warehouse column records of the source column it holds: its type, nothing else.
core::Column RecordedSource(core::Column c);
// wharf's own columns of a warehouse table (_wharf_lsn, ...), never a source column.
bool IsWharfColumn(const std::string& name);
// The columns of a table made by a wharf that kept no record: the `physical` column names (wharf's
// own skipped) matched by name to `schema`'s (case-insensitively when `fold_case`); any other is
// one the source dropped. Attnums are recorded from then on.
std::vector<WarehouseColumn> ColumnsByName(const std::vector<std::string>& physical,
                                           const core::RelationSchema& schema,
                                           const core::TypeOptions& options, bool fold_case);
// What status shows for a table stopped by `error` at batch `seq`: the reason and the fix.
std::string StopReason(const std::string& error, uint64_t seq, const core::TableName& source_table);
// A log line for a step that ran (`type_name`: the warehouse's name of its type).
std::string DescribeStep(const SchemaStep& step, const std::string& type_name);

// A name as DuckDB compares identifiers: case-insensitively, even quoted.
std::string FoldCase(std::string name);

// True when every value of `from` is a value of `to` and the warehouse's cast keeps it exactly
// as PostgreSQL's conversion does.
bool IsWidening(const core::LogicalType& from, const core::LogicalType& to);

}  // namespace wharf::load
