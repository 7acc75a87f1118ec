// Tests of the mirror-mode reconciliation planner: the net effect of one batch's changes to one
// table, per key, including TRUNCATE, key changes and unchanged TOAST columns.
#include "load/planner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"
#include "unit/support/schema_builders.hpp"

namespace wharf::load {
namespace {

using core::Change;
using core::Datum;
using core::Op;

using test::Items;  // id (key), name, body (a TOAST-able text column)

std::vector<Datum> Row(std::initializer_list<Datum> values) { return values; }

Change Ins(uint64_t lsn, std::vector<Datum> row) {
  Change c;
  c.op = Op::kInsert;
  c.lsn = Lsn(lsn);
  c.row = std::move(row);
  return c;
}

Change Upd(uint64_t lsn, std::vector<Datum> row, std::vector<uint32_t> unchanged = {}) {
  Change c;
  c.op = Op::kUpdate;
  c.lsn = Lsn(lsn);
  c.row = std::move(row);
  c.unchanged = std::move(unchanged);
  return c;
}

Change UpdKey(uint64_t lsn, std::vector<Datum> old, std::vector<Datum> row,
              std::vector<uint32_t> unchanged = {}) {
  Change c = Upd(lsn, std::move(row), std::move(unchanged));
  c.old = std::move(old);
  c.has_old = true;
  return c;
}

Change Del(uint64_t lsn, std::vector<Datum> old) {
  Change c;
  c.op = Op::kDelete;
  c.lsn = Lsn(lsn);
  c.old = std::move(old);
  c.has_old = true;
  return c;
}

Change Trunc(uint64_t lsn) {
  Change c;
  c.op = Op::kTruncate;
  c.lsn = Lsn(lsn);
  return c;
}

Key KeyOfRow(const core::RelationSchema& schema, const std::vector<Datum>& values) {
  Key k;
  for (size_t i : schema.KeyIndexes()) k.push_back(values[i]);
  return k;
}

// The planner appends rows whose key the chunk itself inserted (`inserts`, no
// delete); every other row replaces the warehouse row (`deletes` + `upserts`).
// For the net-effect tests below both are the same outcome, so they look at
// the plan with inserts folded into delete + upsert, in key order.
TablePlan Folded(const core::RelationSchema& schema, TablePlan plan) {
  for (auto& r : plan.inserts) {
    plan.deletes.push_back(KeyOfRow(schema, r.values));
    plan.upserts.push_back(std::move(r));
  }
  plan.inserts.clear();
  std::sort(plan.deletes.begin(), plan.deletes.end());
  std::stable_sort(plan.upserts.begin(), plan.upserts.end(), [&](const PlannedRow& a, const PlannedRow& b) {
    return KeyOfRow(schema, a.values) < KeyOfRow(schema, b.values);
  });
  return plan;
}

TablePlan Plan(const core::RelationSchema& schema, const std::vector<Change>& changes) {
  Planner p(schema);
  for (const auto& c : changes) p.Add(c);
  return Folded(schema, p.Finish());
}

TablePlan RawPlan(const core::RelationSchema& schema, const std::vector<Change>& changes) {
  Planner p(schema);
  for (const auto& c : changes) p.Add(c);
  return p.Finish();
}

TEST(Planner, KeysTheChunkInsertedAreAppendedWithoutDelete) {
  TablePlan plan = RawPlan(Items(), {Ins(100, Row({"1", "a", "x"})), Upd(200, Row({"1", "b", "x"})),
                                     Upd(300, Row({"2", "c", "y"})), Ins(400, Row({"3", "d", "z"})),
                                     Del(500, Row({"3", std::nullopt, std::nullopt}))});
  ASSERT_EQ(plan.inserts.size(), 1u);
  EXPECT_EQ(plan.inserts[0].values, Row({"1", "b", "x"}));
  ASSERT_EQ(plan.upserts.size(), 1u);  // key 2 was updated: it exists in the warehouse
  EXPECT_EQ(plan.upserts[0].values, Row({"2", "c", "y"}));
  EXPECT_EQ(plan.deletes, std::vector<Key>({Key({"2"})}));  // 1 and 3 never reached the warehouse
}

TEST(Planner, AfterTruncateEveryKeyIsNew) {
  Change r = Ins(200, Row({"5", "snap", "b"}));
  r.op = Op::kSnapshot;
  TablePlan plan = RawPlan(Items(), {Upd(100, Row({"4", "old", "a"})), Trunc(150), r});
  EXPECT_TRUE(plan.truncate);
  ASSERT_EQ(plan.inserts.size(), 1u);
  EXPECT_TRUE(plan.upserts.empty());
  EXPECT_TRUE(plan.deletes.empty());
  // Without a truncate a snapshot row may meet a warehouse row: it replaces it.
  TablePlan alone = RawPlan(Items(), {r});
  EXPECT_TRUE(alone.inserts.empty());
  EXPECT_EQ(alone.upserts.size(), 1u);
}

bool HasDelete(const TablePlan& plan, const Key& key) {
  return std::find(plan.deletes.begin(), plan.deletes.end(), key) != plan.deletes.end();
}

const PlannedRow* FindUpsert(const TablePlan& plan, const Datum& id) {
  for (const auto& r : plan.upserts)
    if (!r.values.empty() && r.values[0] == id) return &r;
  return nullptr;
}

TEST(Planner, SingleInsertIsOneUpsert) {
  TablePlan plan = Plan(Items(), {Ins(100, Row({"1", "a", "x"}))});
  EXPECT_FALSE(plan.truncate);
  EXPECT_EQ(plan.changes, 1u);
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "a", "x"}));
  EXPECT_EQ(plan.upserts[0].lsn, Lsn(100));
  EXPECT_TRUE(plan.upserts[0].fill_columns.empty());
  // Every touched key is deleted first so the upsert replaces any warehouse row.
  ASSERT_EQ(plan.deletes.size(), 1u);
  EXPECT_EQ(plan.deletes[0], Key({"1"}));
}

TEST(Planner, InsertUpdateUpdateKeepsLastValues) {
  TablePlan plan = Plan(Items(), {Ins(100, Row({"1", "a", "x"})), Upd(200, Row({"1", "b", "y"})),
                                  Upd(300, Row({"1", "c", std::nullopt}))});
  EXPECT_EQ(plan.changes, 3u);
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "c", std::nullopt}));
  EXPECT_EQ(plan.upserts[0].lsn, Lsn(300));
  EXPECT_EQ(plan.deletes, std::vector<Key>({Key({"1"})}));
}

TEST(Planner, DeleteThenReinsertGivesTheNewRow) {
  TablePlan plan = Plan(Items(), {Del(100, Row({"1", std::nullopt, std::nullopt})),
                                  Ins(200, Row({"1", "new", "body"}))});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "new", "body"}));
  EXPECT_EQ(plan.upserts[0].lsn, Lsn(200));
  EXPECT_TRUE(HasDelete(plan, Key({"1"})));
}

TEST(Planner, InsertThenDeleteLeavesNothing) {
  // The key never reached the warehouse, so there is nothing to delete either.
  TablePlan plan = Plan(
      Items(), {Ins(100, Row({"1", "a", "x"})), Del(200, Row({"1", std::nullopt, std::nullopt}))});
  EXPECT_TRUE(plan.upserts.empty());
  EXPECT_TRUE(plan.deletes.empty());
  EXPECT_EQ(plan.changes, 2u);
}

TEST(Planner, DeleteOfAnUntouchedRowIsADelete) {
  TablePlan plan = Plan(Items(), {Del(100, Row({"7", std::nullopt, std::nullopt}))});
  EXPECT_TRUE(plan.upserts.empty());
  EXPECT_EQ(plan.deletes, std::vector<Key>({Key({"7"})}));
}

TEST(Planner, PrimaryKeyChangeDeletesOldKeyAndMovesTheRow) {
  TablePlan plan =
      Plan(Items(), {UpdKey(100, Row({"1", std::nullopt, std::nullopt}), Row({"2", "a", "x"}))});
  EXPECT_TRUE(HasDelete(plan, Key({"1"})));
  EXPECT_TRUE(HasDelete(plan, Key({"2"})));
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"2", "a", "x"}));
  EXPECT_EQ(FindUpsert(plan, "1"), nullptr);
}

TEST(Planner, KeyChangeAfterInsertInTheSameBatch) {
  TablePlan plan =
      Plan(Items(), {Ins(100, Row({"1", "a", "x"})),
                     UpdKey(200, Row({"1", std::nullopt, std::nullopt}), Row({"2", "b", "y"}))});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"2", "b", "y"}));
  EXPECT_FALSE(HasDelete(plan, Key({"1"})));  // inserted by this chunk: never in the warehouse
  EXPECT_TRUE(HasDelete(plan, Key({"2"})));
}

TEST(Planner, DeleteAfterKeyChangeDeletesBothKeys) {
  TablePlan plan =
      Plan(Items(), {Ins(100, Row({"1", "a", "x"})),
                     UpdKey(200, Row({"1", std::nullopt, std::nullopt}), Row({"2", "a", "x"})),
                     Del(300, Row({"2", std::nullopt, std::nullopt}))});
  EXPECT_TRUE(plan.upserts.empty());
  EXPECT_EQ(plan.deletes, std::vector<Key>({Key({"2"})}));  // key 1 was this chunk's own
}

TEST(Planner, KeyChangeAndBack) {
  TablePlan plan =
      Plan(Items(), {UpdKey(100, Row({"1", std::nullopt, std::nullopt}), Row({"2", "a", "x"})),
                     UpdKey(200, Row({"2", std::nullopt, std::nullopt}), Row({"1", "b", "x"}))});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "b", "x"}));
  EXPECT_EQ(plan.deletes, std::vector<Key>({Key({"1"}), Key({"2"})}));
}

TEST(Planner, UpdateWithOldButSameKeyIsAPlainUpdate) {
  // REPLICA IDENTITY FULL sends the old row on every update even when the key is unchanged.
  TablePlan plan = Plan(Items(), {UpdKey(100, Row({"1", "a", "x"}), Row({"1", "b", "x"}))});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "b", "x"}));
  EXPECT_EQ(plan.deletes, std::vector<Key>({Key({"1"})}));
}

TEST(Planner, TruncateInTheMiddleDropsEarlierChangesAndKeepsLaterOnes) {
  TablePlan plan = Plan(Items(), {Ins(100, Row({"1", "a", "x"})), Ins(100, Row({"2", "b", "y"})),
                                  Del(150, Row({"3", std::nullopt, std::nullopt})), Trunc(200),
                                  Ins(300, Row({"4", "d", "w"})), Upd(400, Row({"4", "e", "w"}))});
  EXPECT_TRUE(plan.truncate);
  EXPECT_EQ(plan.changes, 6u);
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"4", "e", "w"}));
  EXPECT_EQ(plan.deletes, std::vector<Key>({Key({"4"})}));
  EXPECT_EQ(FindUpsert(plan, "1"), nullptr);
  EXPECT_FALSE(HasDelete(plan, Key({"3"})));
}

TEST(Planner, TruncateAloneEmptiesTheTable) {
  TablePlan plan = Plan(Items(), {Trunc(100)});
  EXPECT_TRUE(plan.truncate);
  EXPECT_TRUE(plan.deletes.empty());
  EXPECT_TRUE(plan.upserts.empty());
}

TEST(Planner, SnapshotRowsAfterTruncateAreUpserts) {
  Change r1;
  r1.op = Op::kSnapshot;
  r1.lsn = Lsn(500);
  r1.row = Row({"1", "a", "x"});
  Change r2 = r1;
  r2.row = Row({"2", "b", "y"});
  TablePlan plan = Plan(Items(), {Trunc(500), r1, r2});
  EXPECT_TRUE(plan.truncate);
  ASSERT_EQ(plan.upserts.size(), 2u);
  EXPECT_NE(FindUpsert(plan, "1"), nullptr);
  EXPECT_NE(FindUpsert(plan, "2"), nullptr);
}

TEST(Planner, UnchangedToastTakenFromEarlierVersionInTheBatch) {
  TablePlan plan = Plan(Items(), {Ins(100, Row({"1", "a", "big body"})),
                                  Upd(200, Row({"1", "b", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "b", "big body"}));
  EXPECT_TRUE(plan.upserts[0].fill_columns.empty());
}

TEST(Planner, UnchangedToastWithoutEarlierVersionIsFilledFromTheWarehouse) {
  TablePlan plan = Plan(Items(), {Upd(200, Row({"1", "b", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  const PlannedRow& r = plan.upserts[0];
  EXPECT_EQ(r.values[1], Datum("b"));
  EXPECT_EQ(r.fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(r.fill_key, Key({"1"}));
}

TEST(Planner, UnchangedToastStaysUnfilledAcrossTwoUpdates) {
  // The first update could not supply the value, so the second cannot either: still a fill.
  TablePlan plan = Plan(Items(), {Upd(200, Row({"1", "b", std::nullopt}), {2}),
                                  Upd(300, Row({"1", "c", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  const PlannedRow& r = plan.upserts[0];
  EXPECT_EQ(r.values[1], Datum("c"));
  EXPECT_EQ(r.fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(r.fill_key, Key({"1"}));
}

TEST(Planner, UnchangedToastWithKeyChangeIsFilledByTheOldKey) {
  TablePlan plan = Plan(Items(), {UpdKey(200, Row({"1", std::nullopt, std::nullopt}),
                                         Row({"2", "b", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  const PlannedRow& r = plan.upserts[0];
  EXPECT_EQ(r.values[0], Datum("2"));
  EXPECT_EQ(r.fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(r.fill_key, Key({"1"}));
  EXPECT_TRUE(HasDelete(plan, Key({"1"})));
}

TEST(Planner, UnchangedToastAfterKeyChangeKeepsTheOriginalFillKey) {
  // 1 -> 2 (body unchanged, from warehouse row 1), then 2 updated again with body unchanged.
  TablePlan plan =
      Plan(Items(),
           {UpdKey(200, Row({"1", std::nullopt, std::nullopt}), Row({"2", "b", std::nullopt}), {2}),
            Upd(300, Row({"2", "c", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  const PlannedRow& r = plan.upserts[0];
  EXPECT_EQ(r.values[1], Datum("c"));
  EXPECT_EQ(r.fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(r.fill_key, Key({"1"}));
}

TEST(Planner, UnchangedToastFromInBatchVersionUnderTheOldKey) {
  TablePlan plan = Plan(Items(), {Ins(100, Row({"1", "a", "big body"})),
                                  UpdKey(200, Row({"1", std::nullopt, std::nullopt}),
                                         Row({"2", "b", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"2", "b", "big body"}));
  EXPECT_TRUE(plan.upserts[0].fill_columns.empty());
}

// REPLICA IDENTITY FULL: the update carries the whole old row, detoasted by PostgreSQL.
Change UpdFull(uint64_t lsn, std::vector<Datum> old, std::vector<Datum> row,
               std::vector<uint32_t> unchanged = {}) {
  Change c = UpdKey(lsn, std::move(old), std::move(row), std::move(unchanged));
  c.old_kind = 'O';
  return c;
}

TEST(Planner, UnchangedToastTakenFromTheFullOldRow) {
  TablePlan plan =
      Plan(Items(), {UpdFull(200, Row({"1", "a", "wide"}), Row({"1", "b", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "b", "wide"}));
  EXPECT_TRUE(plan.upserts[0].fill_columns.empty()) << "no warehouse read needed";
}

TEST(Planner, OldKeyOnlyStillFillsFromTheWarehouse) {
  // 'K': the old key only; its other columns are not values.
  TablePlan plan =
      Plan(Items(), {UpdKey(200, Row({"1", std::nullopt, std::nullopt}), Row({"1", "b", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(plan.upserts[0].fill_key, Key({"1"}));
}

TEST(Planner, InBatchVersionComesBeforeTheOldRow) {
  TablePlan plan = Plan(Items(), {Ins(100, Row({"1", "a", "v1"})),
                                  UpdFull(200, Row({"1", "a", "v1"}), Row({"1", "b", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "b", "v1"}));
}

TEST(Planner, FullOldRowResolvesAnEarlierFill) {
  // The first update (old key only) could not supply the value; the second carries the old row.
  TablePlan plan =
      Plan(Items(), {Upd(200, Row({"1", "b", std::nullopt}), {2}),
                     UpdFull(300, Row({"1", "b", "wide"}), Row({"1", "c", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "c", "wide"}));
  EXPECT_TRUE(plan.upserts[0].fill_columns.empty());
}

TEST(Planner, SeveralUpdatesOnlySomeChangingTheWideColumnFull) {
  TablePlan plan = Plan(
      Items(), {UpdFull(100, Row({"1", "a", "W0"}), Row({"1", "b", std::nullopt}), {2}),
                UpdFull(200, Row({"1", "b", "W0"}), Row({"1", "b", "W1"})),
                UpdFull(300, Row({"1", "b", "W1"}), Row({"1", "c", std::nullopt}), {2}),
                UpdFull(400, Row({"1", "c", "W1"}), Row({"1", "d", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "d", "W1"}));
  EXPECT_TRUE(plan.upserts[0].fill_columns.empty());
}

TEST(Planner, SeveralUpdatesOnlySomeChangingTheWideColumnDefault) {
  TablePlan plan = Plan(Items(), {Upd(100, Row({"1", "b", std::nullopt}), {2}),
                                  Upd(200, Row({"1", "b", "W1"})),
                                  Upd(300, Row({"1", "c", std::nullopt}), {2}),
                                  Upd(400, Row({"1", "d", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "d", "W1"}));
  EXPECT_TRUE(plan.upserts[0].fill_columns.empty()) << "the in-batch W1 wins over the warehouse";
}

TEST(Planner, KeyChangeWithTheFullOldRow) {
  TablePlan plan =
      Plan(Items(), {UpdFull(200, Row({"1", "a", "wide"}), Row({"2", "b", std::nullopt}), {2})});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"2", "b", "wide"}));
  EXPECT_TRUE(plan.upserts[0].fill_columns.empty());
  EXPECT_EQ(plan.deletes, std::vector<Key>({Key({"1"}), Key({"2"})}));
}

TEST(Planner, FinishEmptiesThePlannerForTheNextChunk) {
  Planner p(Items());
  p.Add(Ins(100, Row({"1", "a", "x"})));
  p.Add(Trunc(150));
  p.Add(Ins(200, Row({"2", "b", "y"})));
  EXPECT_EQ(p.pending_changes(), 3u);
  TablePlan first = p.Finish();
  EXPECT_TRUE(first.truncate);
  EXPECT_EQ(first.changes, 3u);
  EXPECT_EQ(p.pending_changes(), 0u);
  // The next chunk: an update whose wide value is in the previous chunk, which the
  // warehouse holds by the time this plan is applied.
  p.Add(Upd(300, Row({"2", "c", std::nullopt}), {2}));
  TablePlan second = p.Finish();
  EXPECT_FALSE(second.truncate);
  EXPECT_EQ(second.changes, 1u);
  ASSERT_EQ(second.upserts.size(), 1u);
  EXPECT_EQ(second.upserts[0].fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(second.deletes, std::vector<Key>({Key({"2"})}));
}

TEST(Planner, CompositeKey) {
  core::RelationSchema s;
  s.table = {"public", "order_items"};
  s.columns = {{"order_id", 23, -1, true}, {"line", 23, -1, true}, {"qty", 23, -1, false}};
  TablePlan plan =
      Plan(s, {Ins(100, Row({"1", "1", "5"})), Ins(100, Row({"1", "2", "6"})),
               Upd(200, Row({"1", "2", "7"})), Del(300, Row({"1", "1", std::nullopt}))});
  EXPECT_EQ(plan.deletes.size(), 1u);  // (1, 1) came and went within the chunk
  EXPECT_TRUE(HasDelete(plan, Key({"1", "2"})));
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"1", "2", "7"}));
}

TEST(Planner, CompositeKeyPartsAreNotConfused) {
  // (1, 23) and (12, 3) must stay distinct keys.
  core::RelationSchema s;
  s.columns = {{"a", 25, -1, true}, {"b", 25, -1, true}, {"v", 25, -1, false}};
  TablePlan plan = Plan(s, {Ins(1, Row({"1", "23", "x"})), Ins(2, Row({"12", "3", "y"}))});
  EXPECT_EQ(plan.upserts.size(), 2u);
  EXPECT_EQ(plan.deletes.size(), 2u);
}

TEST(Planner, TableWithoutKeyIsAMultisetOfWholeRows) {
  // More in planner_multiset_test.cpp.
  core::RelationSchema s;
  s.table = {"public", "log"};
  s.replica_identity = 'f';
  s.columns = {{"msg", 25, -1, false}, {"level", 25, -1, false}};
  TablePlan plan = Plan(s, {Ins(100, Row({"hello", "info"})), Ins(100, Row({"bye", "info"})),
                            Del(200, Row({"hello", "info"})),
                            UpdKey(300, Row({"bye", "info"}), Row({"bye", "warn"}))});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"bye", "warn"}));
  EXPECT_TRUE(plan.deletes.empty()) << "no key: rows are never deleted by key";
  EXPECT_TRUE(plan.removes.empty()) << "every removed row was inserted in the same batch";
}

TEST(Planner, NullValuesAreRowValuesToo) {
  core::RelationSchema s;
  s.columns = {{"a", 25, -1, false}, {"b", 25, -1, false}};
  TablePlan plan = Plan(s, {Ins(1, Row({"x", std::nullopt})), Ins(1, Row({"x", std::nullopt})),
                            Del(2, Row({"x", std::nullopt}))});
  ASSERT_EQ(plan.upserts.size(), 1u);
  EXPECT_EQ(plan.upserts[0].values, Row({"x", std::nullopt}));
  EXPECT_TRUE(plan.removes.empty());
}

TEST(Planner, ManyKeysEachGetOneDeleteAndOneUpsert) {
  std::vector<Change> changes;
  for (int i = 0; i < 50; ++i) changes.push_back(Ins(100 + i, Row({std::to_string(i), "n", "b"})));
  for (int i = 0; i < 50; i += 2)
    changes.push_back(Upd(200 + i, Row({std::to_string(i), "m", "b"})));
  TablePlan plan = Plan(Items(), changes);
  EXPECT_EQ(plan.changes, 75u);
  EXPECT_EQ(plan.deletes.size(), 50u);
  ASSERT_EQ(plan.upserts.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    const PlannedRow* r = FindUpsert(plan, std::to_string(i));
    ASSERT_NE(r, nullptr) << i;
    EXPECT_EQ(r->values[1], Datum(i % 2 == 0 ? "m" : "n")) << i;
  }
}

}  // namespace
}  // namespace wharf::load
