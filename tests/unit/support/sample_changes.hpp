#pragma once
// A small table and changes to it, shared by the tests of the staged formats (JSON lines, CSV,
// Parquet): a key, two text columns and one whose name needs escaping in every format.
#include <gtest/gtest.h>

#include <string>

#include "core/change.hpp"
#include "core/relation.hpp"

namespace wharf::test {

inline core::RelationSchema SampleSchema() {
  core::RelationSchema s;
  s.oid = 42;
  s.table = {"public", "notes"};
  s.columns = {{"id", 23, -1, true},
               {"note", 25, -1, false},
               {"body", 25, -1, false},
               {"we\"ird col\\", 25, -1, false}};
  return s;
}

// A change with every field but the values set.
inline core::Change SampleChange(core::Op op, uint32_t seq = 3) {
  core::Change c;
  c.op = op;
  c.lsn = Lsn(0x16B374D848ull);
  c.end_lsn = Lsn(0x16B374D900ull);
  c.seq = seq;
  c.xid = 789;
  c.ts = 1795715288123456;  // 2026-11-26T17:48:08.123456Z
  return c;
}

// Every field a staged file carries, old_kind included when an old row was sent.
inline void ExpectSameChange(const core::Change& want, const core::Change& got,
                             const std::string& what = "") {
  EXPECT_EQ(static_cast<char>(got.op), static_cast<char>(want.op)) << what;
  EXPECT_EQ(got.lsn, want.lsn) << what;
  EXPECT_EQ(got.end_lsn, want.end_lsn) << what;
  EXPECT_EQ(got.seq, want.seq) << what;
  EXPECT_EQ(got.xid, want.xid) << what;
  EXPECT_EQ(got.ts, want.ts) << what;
  EXPECT_EQ(got.row, want.row) << what;
  EXPECT_EQ(got.has_old, want.has_old) << what;
  EXPECT_EQ(got.old, want.old) << what;
  if (want.has_old) {
    EXPECT_EQ(got.old_kind, want.old_kind) << what;
  }
  EXPECT_EQ(got.unchanged, want.unchanged) << what;
}

}  // namespace wharf::test
