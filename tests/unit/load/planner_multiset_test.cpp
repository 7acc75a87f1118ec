// Tests of the planner for tables without a key (REPLICA IDENTITY FULL): rows are a multiset,
// so identical rows are counted, a delete removes exactly one of them and an update changes
// exactly one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "core/relation.hpp"
#include "load/planner.hpp"

namespace wharf::load {
namespace {

using core::Change;
using core::Datum;
using core::Op;
using Row = std::vector<Datum>;

// msg, level, body (TOAST-able); no key, REPLICA IDENTITY FULL.
core::RelationSchema Log() {
  core::RelationSchema s;
  s.oid = 16400;
  s.table = {"public", "log"};
  s.replica_identity = 'f';
  s.columns = {{"msg", 25, -1, false}, {"level", 25, -1, false}, {"body", 25, -1, false}};
  return s;
}

Change Ins(uint64_t lsn, Row row) {
  Change c;
  c.op = Op::kInsert;
  c.lsn = Lsn(lsn);
  c.row = std::move(row);
  return c;
}

Change Snap(uint64_t lsn, Row row) {
  Change c = Ins(lsn, std::move(row));
  c.op = Op::kSnapshot;
  return c;
}

Change Del(uint64_t lsn, Row old) {
  Change c;
  c.op = Op::kDelete;
  c.lsn = Lsn(lsn);
  c.old = std::move(old);
  c.has_old = true;
  c.old_kind = 'O';
  return c;
}

Change Upd(uint64_t lsn, Row old, Row row, std::vector<uint32_t> unchanged = {}) {
  Change c;
  c.op = Op::kUpdate;
  c.lsn = Lsn(lsn);
  c.old = std::move(old);
  c.has_old = true;
  c.old_kind = 'O';
  c.row = std::move(row);
  c.unchanged = std::move(unchanged);
  return c;
}

Change Trunc(uint64_t lsn) {
  Change c;
  c.op = Op::kTruncate;
  c.lsn = Lsn(lsn);
  return c;
}

TablePlan Plan(const std::vector<Change>& changes) {
  Planner p(Log());
  for (const auto& c : changes) p.Add(c);
  return p.Finish();
}

// Copies to insert per distinct row.
std::map<Row, uint64_t> Inserts(const TablePlan& plan) {
  std::map<Row, uint64_t> out;
  for (const auto& r : plan.upserts) {
    EXPECT_TRUE(r.fill_columns.empty()) << "a key-less row never waits for a warehouse fill";
    out[r.values]++;
  }
  return out;
}

std::map<Row, uint64_t> Removes(const TablePlan& plan) {
  std::map<Row, uint64_t> out;
  for (const auto& r : plan.removes) {
    EXPECT_GT(r.count, 0u);
    EXPECT_EQ(out.count(r.values), 0u) << "one entry per distinct row";
    out[r.values] += r.count;
  }
  return out;
}

const Row A = {"a", "info", "x"};
const Row B = {"b", "warn", std::nullopt};

TEST(MultisetPlanner, IdenticalInsertsStayTwo) {
  TablePlan plan = Plan({Ins(1, A), Ins(2, A), Ins(3, B)});
  EXPECT_TRUE(plan.deletes.empty());
  EXPECT_TRUE(plan.removes.empty());
  EXPECT_EQ(Inserts(plan), (std::map<Row, uint64_t>{{A, 2}, {B, 1}}));
  EXPECT_EQ(plan.changes, 3u);
}

TEST(MultisetPlanner, InsertedCopiesCarryTheLatestLsn) {
  TablePlan plan = Plan({Ins(5, A), Ins(9, A)});
  ASSERT_EQ(plan.upserts.size(), 2u);
  for (const auto& r : plan.upserts) EXPECT_EQ(r.lsn, Lsn(9));
}

TEST(MultisetPlanner, DeleteRemovesExactlyOne) {
  TablePlan plan = Plan({Del(1, A)});
  EXPECT_TRUE(plan.upserts.empty());
  EXPECT_EQ(Removes(plan), (std::map<Row, uint64_t>{{A, 1}}));
}

TEST(MultisetPlanner, DeletesOfTheSameRowAddUp) {
  TablePlan plan = Plan({Del(1, A), Del(2, A), Del(3, A), Del(4, B)});
  EXPECT_EQ(Removes(plan), (std::map<Row, uint64_t>{{A, 3}, {B, 1}}));
}

TEST(MultisetPlanner, InsertTwoDeleteOneLeavesOne) {
  TablePlan plan = Plan({Ins(1, A), Ins(1, A), Del(2, A)});
  EXPECT_TRUE(plan.removes.empty());
  EXPECT_EQ(Inserts(plan), (std::map<Row, uint64_t>{{A, 1}}));
}

TEST(MultisetPlanner, UpdateChangesExactlyOneOfIdenticalRows) {
  // The warehouse holds A twice; one of them becomes B.
  TablePlan plan = Plan({Upd(1, A, B)});
  EXPECT_EQ(Removes(plan), (std::map<Row, uint64_t>{{A, 1}}));
  EXPECT_EQ(Inserts(plan), (std::map<Row, uint64_t>{{B, 1}}));
}

TEST(MultisetPlanner, UpdateBackAndForthCancels) {
  TablePlan plan = Plan({Upd(1, A, B), Upd(2, B, A)});
  EXPECT_TRUE(plan.removes.empty());
  EXPECT_TRUE(plan.upserts.empty());
  EXPECT_EQ(plan.changes, 2u);
}

TEST(MultisetPlanner, UpdateToAnIdenticalRowIsANoOp) {
  TablePlan plan = Plan({Upd(1, A, A)});
  EXPECT_TRUE(plan.removes.empty());
  EXPECT_TRUE(plan.upserts.empty());
}

TEST(MultisetPlanner, UnchangedToastComesFromTheOldRow) {
  Row wide = {"a", "info", std::string(100000, 'w')};
  Row next = {"a", "error", std::nullopt};
  TablePlan plan = Plan({Upd(1, wide, next, {2})});
  Row want = {"a", "error", std::string(100000, 'w')};
  EXPECT_EQ(Inserts(plan), (std::map<Row, uint64_t>{{want, 1}}));
  EXPECT_EQ(Removes(plan), (std::map<Row, uint64_t>{{wide, 1}}));
}

TEST(MultisetPlanner, TruncateResetsAndEmpties) {
  TablePlan plan = Plan({Ins(1, A), Del(2, B), Trunc(3), Ins(4, B), Ins(4, B)});
  EXPECT_TRUE(plan.truncate);
  EXPECT_TRUE(plan.removes.empty()) << "what came before the truncate no longer matters";
  EXPECT_EQ(Inserts(plan), (std::map<Row, uint64_t>{{B, 2}}));
}

TEST(MultisetPlanner, SnapshotRowsAreCopies) {
  TablePlan plan = Plan({Trunc(1), Snap(1, A), Snap(1, A), Snap(1, B)});
  EXPECT_TRUE(plan.truncate);
  EXPECT_EQ(Inserts(plan), (std::map<Row, uint64_t>{{A, 2}, {B, 1}}));
}

TEST(MultisetPlanner, NullsAreValues) {
  Row n1 = {std::nullopt, std::nullopt, std::nullopt};
  Row e1 = {"", "", ""};
  TablePlan plan = Plan({Ins(1, n1), Ins(1, e1), Del(2, n1)});
  EXPECT_EQ(Inserts(plan), (std::map<Row, uint64_t>{{e1, 1}}));
  EXPECT_TRUE(plan.removes.empty());
}

TEST(MultisetPlanner, ChunksAppliedInOrderEqualTheWhole) {
  // Simulates the warehouse as a multiset and applies the plan of every possible
  // split of a change list into two chunks: the end state is always the same.
  std::vector<Change> changes = {Ins(1, A), Ins(1, A), Ins(1, B), Del(2, A), Upd(3, B, A),
                                 Upd(4, A, B), Ins(5, A), Trunc(6), Ins(7, B), Ins(7, B),
                                 Upd(8, B, A), Del(9, B), Ins(10, A)};
  auto apply = [](std::map<Row, int64_t>& table, const TablePlan& plan) {
    if (plan.truncate) table.clear();
    for (const auto& r : plan.removes) {
      table[r.values] -= static_cast<int64_t>(r.count);
      EXPECT_GE(table[r.values], 0) << "removed a row the warehouse does not hold";
    }
    for (const auto& r : plan.upserts) table[r.values]++;
    std::erase_if(table, [](const auto& kv) { return kv.second == 0; });
  };
  std::map<Row, int64_t> start = {{A, 1}, {B, 3}};
  std::map<Row, int64_t> whole = start;
  apply(whole, Plan(changes));
  EXPECT_EQ(whole, (std::map<Row, int64_t>{{A, 2}}));
  for (size_t split = 0; split <= changes.size(); ++split) {
    SCOPED_TRACE(split);
    Planner p(Log());
    std::map<Row, int64_t> table = start;
    for (size_t i = 0; i < changes.size(); ++i) {
      if (i == split) apply(table, p.Finish());
      p.Add(changes[i]);
    }
    apply(table, p.Finish());
    EXPECT_EQ(table, whole);
  }
}

TEST(MultisetPlanner, DeleteWithoutTheOldRowIsRefusedWithTheFix) {
  Change d;
  d.op = Op::kDelete;
  d.lsn = Lsn(1);
  try {
    Plan({d});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("REPLICA IDENTITY FULL"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("public.log"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace wharf::load
