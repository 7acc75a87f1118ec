#pragma once
// Relation schemas for schema-evolution tests: columns with attnums, a table around them.
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

}  // namespace wharf::test
