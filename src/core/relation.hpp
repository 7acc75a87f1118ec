#pragma once
// The shape of a source table as wharf tracks it: from pgoutput Relation
// messages and from the catalog. Columns are in attnum order, dropped ones omitted.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wharf::core {

// Types are as pg::TypeResolver resolves them: domains to their base type, enums and other
// user types to text, so that the converter of type_oid (or of elem_oid) applies to the values.
struct Column {
  std::string name;
  uint32_t type_oid = 0;  // for an array: the built-in array type of elem_oid (e.g. 1007 int4[])
  int32_t typmod = -1;    // for an array: its element's typmod (numeric(10,2)[] carries (10,2))
  bool is_key = false;    // part of the replica identity (primary key or identity index)
  // Arrays only, both 0 otherwise. elem_oid is the resolved built-in element type (an array of a
  // domain over int has 23 here); ndims the dimensions the column declares (attndims, or the
  // domain's typndims; 1 when the catalog records none). PostgreSQL does not enforce ndims, so a
  // value of another shape can still arrive and is rejected, not reshaped.
  uint32_t elem_oid = 0;
  int32_t ndims = 0;
  // pg_attribute.attnum: stable across renames and never reused, so the warehouse matches
  // columns by it (0: unknown, e.g. a manifest written before attnums were recorded; then by name).
  int32_t attnum = 0;
  // The value rows that existed before the column was added hold: PostgreSQL 11+ keeps a
  // constant ADD COLUMN ... DEFAULT in pg_attribute.attmissingval (as text here). nullopt: NULL,
  // or a volatile default PostgreSQL wrote into every row by a rewrite the WAL does not carry.
  std::optional<std::string> missing = std::nullopt;
  bool operator==(const Column&) const = default;
};

struct TableName {
  std::string schema;
  std::string name;
  std::string ToString() const { return schema + "." + name; }
  auto operator<=>(const TableName&) const = default;
};

struct RelationSchema {
  uint32_t oid = 0;
  TableName table;
  char replica_identity = 'd';  // d default, f full, i index, n nothing
  std::vector<Column> columns;

  std::vector<size_t> KeyIndexes() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < columns.size(); ++i)
      if (columns[i].is_key) out.push_back(i);
    return out;
  }
  int FindColumn(const std::string& name) const {
    for (size_t i = 0; i < columns.size(); ++i)
      if (columns[i].name == name) return static_cast<int>(i);
    return -1;
  }
  bool operator==(const RelationSchema&) const = default;
};

}  // namespace wharf::core
