#pragma once
// Relation schemas for tests: columns with attnums, a table around them, and the
// planners' small keyed table.
#include <string>
#include <vector>

#include "core/relation.hpp"

namespace wharf::test {

inline core::Column AttCol(std::string name, uint32_t type, int32_t typmod, int32_t attnum,
                           bool key = false) {
  core::Column c{std::move(name), type, typmod, key};
  c.attnum = attnum;
  return c;
}

inline core::RelationSchema TableOf(std::string name, std::vector<core::Column> cols) {
  core::RelationSchema s;
  s.oid = 16384;
  s.table = {"public", std::move(name)};
  s.columns = std::move(cols);
  return s;
}

// public.items: id (key), name, body (a TOAST-able text column).
inline core::RelationSchema Items() {
  core::RelationSchema s;
  s.oid = 16384;
  s.table = {"public", "items"};
  s.columns = {{"id", 23, -1, true}, {"name", 25, -1, false}, {"body", 25, -1, false}};
  return s;
}

}  // namespace wharf::test
