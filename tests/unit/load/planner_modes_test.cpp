// Tests of the soft_delete, history and append planners and of ModeRules:
// tombstones and marks, version chains with valid_from/valid_to, key changes,
// TRUNCATE opening a chunk, unchanged TOAST columns, and per-table modes.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "core/relation.hpp"
#include "load/load_mode.hpp"
#include "load/planner.hpp"
#include "unit/support/schema_builders.hpp"

namespace wharf::load {
namespace {

using core::Change;
using core::Datum;
using core::Op;

using test::Items;  // id (key), name, body (a TOAST-able text column)

core::RelationSchema KeyLess() {
  core::RelationSchema s = Items();
  for (auto& c : s.columns) c.is_key = false;
  s.replica_identity = 'f';
  return s;
}

using Row = std::vector<Datum>;
const Datum kNull = std::nullopt;

// A change at commit LSN `lsn`, commit time `lsn * 10`, seq `seq`.
Change Make(Op op, uint64_t lsn, uint32_t seq = 0) {
  Change c;
  c.op = op;
  c.lsn = Lsn(lsn);
  c.seq = seq;
  c.ts = static_cast<int64_t>(lsn) * 10;
  return c;
}
Change Ins(uint64_t lsn, Row row, uint32_t seq = 0) {
  Change c = Make(Op::kInsert, lsn, seq);
  c.row = std::move(row);
  return c;
}
Change Snap(uint64_t lsn, Row row) {
  Change c = Make(Op::kSnapshot, lsn);
  c.row = std::move(row);
  return c;
}
Change Upd(uint64_t lsn, Row row, std::vector<uint32_t> unchanged = {}, uint32_t seq = 0) {
  Change c = Make(Op::kUpdate, lsn, seq);
  c.row = std::move(row);
  c.unchanged = std::move(unchanged);
  return c;
}
Change UpdKey(uint64_t lsn, Row old, Row row, std::vector<uint32_t> unchanged = {}) {
  Change c = Upd(lsn, std::move(row), std::move(unchanged));
  c.old = std::move(old);
  c.has_old = true;
  return c;
}
Change Del(uint64_t lsn, Row old, uint32_t seq = 0) {
  Change c = Make(Op::kDelete, lsn, seq);
  c.old = std::move(old);
  c.has_old = true;
  return c;
}
Change DelFull(uint64_t lsn, Row old) {
  Change c = Del(lsn, std::move(old));
  c.old_kind = 'O';
  return c;
}
Change Trunc(uint64_t lsn) { return Make(Op::kTruncate, lsn); }

// Plans `changes` as the loader does: a new chunk wherever the planner asks for one.
std::vector<TablePlan> Chunks(const core::RelationSchema& schema, LoadMode mode,
                              const std::vector<Change>& changes) {
  Planner p(schema, mode);
  std::vector<TablePlan> out;
  for (const auto& c : changes) {
    if (p.StartsNewChunk(c)) out.push_back(p.Finish());
    p.Add(c);
  }
  out.push_back(p.Finish());
  return out;
}
TablePlan Plan(const core::RelationSchema& schema, LoadMode mode,
               const std::vector<Change>& changes) {
  auto chunks = Chunks(schema, mode, changes);
  EXPECT_EQ(chunks.size(), 1u);
  return chunks.back();
}

// ---- soft_delete -------------------------------------------------------------------------

TEST(SoftDeletePlanner, DeleteOfAKeyTheChunkDoesNotHoldMarksTheWarehouseRow) {
  TablePlan p = Plan(Items(), LoadMode::kSoftDelete, {Del(100, {"1", kNull, kNull})});
  ASSERT_EQ(p.marks.size(), 1u);
  EXPECT_EQ(p.marks[0].key, Key({"1"}));
  EXPECT_EQ(p.marks[0].lsn, Lsn(100));
  EXPECT_TRUE(p.deletes.empty());
  EXPECT_TRUE(p.upserts.empty());
}

TEST(SoftDeletePlanner, DeleteAfterAnUpdateKeepsTheLastValuesAsATombstone) {
  TablePlan p =
      Plan(Items(), LoadMode::kSoftDelete,
           {Upd(100, {"1", "a", "x"}), Upd(200, {"1", "b", "x"}), Del(300, {"1", kNull, kNull})});
  EXPECT_TRUE(p.marks.empty());
  EXPECT_EQ(p.deletes, std::vector<Key>({Key({"1"})}));
  ASSERT_EQ(p.upserts.size(), 1u);
  EXPECT_EQ(p.upserts[0].values, Row({"1", "b", "x"}));
  EXPECT_TRUE(p.upserts[0].deleted);
  EXPECT_EQ(p.upserts[0].lsn, Lsn(300));  // the delete's LSN
}

TEST(SoftDeletePlanner, InsertThenDeleteInOneBatchLeavesATombstone) {
  // Unlike mirror (nothing), so the outcome does not depend on where batches split.
  TablePlan p = Plan(Items(), LoadMode::kSoftDelete,
                     {Ins(100, {"1", "a", "x"}), Del(200, {"1", kNull, kNull})});
  EXPECT_TRUE(p.inserts.empty());
  ASSERT_EQ(p.upserts.size(), 1u);
  EXPECT_TRUE(p.upserts[0].deleted);
  EXPECT_EQ(p.upserts[0].values, Row({"1", "a", "x"}));
}

TEST(SoftDeletePlanner, ReinsertRevivesTheKeyWithNewValues) {
  TablePlan p = Plan(Items(), LoadMode::kSoftDelete,
                     {Del(100, {"1", kNull, kNull}), Ins(200, {"1", "new", "y"})});
  EXPECT_TRUE(p.marks.empty());
  EXPECT_TRUE(p.inserts.empty());  // a tombstone may hold the key: never "fresh"
  EXPECT_EQ(p.deletes, std::vector<Key>({Key({"1"})}));
  ASSERT_EQ(p.upserts.size(), 1u);
  EXPECT_FALSE(p.upserts[0].deleted);
  EXPECT_EQ(p.upserts[0].values, Row({"1", "new", "y"}));
  EXPECT_EQ(p.upserts[0].lsn, Lsn(200));
}

TEST(SoftDeletePlanner, KeyChangeDeletesTheOldKey) {
  TablePlan p =
      Plan(Items(), LoadMode::kSoftDelete, {UpdKey(100, {"1", kNull, kNull}, {"2", "a", "x"})});
  ASSERT_EQ(p.marks.size(), 1u);
  EXPECT_EQ(p.marks[0].key, Key({"1"}));
  ASSERT_EQ(p.upserts.size(), 1u);
  EXPECT_EQ(p.upserts[0].values, Row({"2", "a", "x"}));

  // The chunk holds the old key's values: the tombstone carries them.
  p = Plan(Items(), LoadMode::kSoftDelete,
           {Ins(100, {"1", "a", "x"}), UpdKey(200, {"1", kNull, kNull}, {"2", "b", "x"})});
  EXPECT_TRUE(p.marks.empty());
  ASSERT_EQ(p.upserts.size(), 2u);
  EXPECT_EQ(p.upserts[0].values, Row({"1", "a", "x"}));
  EXPECT_TRUE(p.upserts[0].deleted);
  EXPECT_EQ(p.upserts[0].lsn, Lsn(200));
  EXPECT_FALSE(p.upserts[1].deleted);
}

TEST(SoftDeletePlanner, UnchangedToastStaysToBeFilledInTheTombstone) {
  TablePlan p = Plan(Items(), LoadMode::kSoftDelete,
                     {Upd(100, {"1", "b", kNull}, {2}), Del(200, {"1", kNull, kNull})});
  ASSERT_EQ(p.upserts.size(), 1u);
  EXPECT_TRUE(p.upserts[0].deleted);
  EXPECT_EQ(p.upserts[0].fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(p.upserts[0].fill_key, Key({"1"}));
}

TEST(SoftDeletePlanner, TruncateOpensAChunkAndMarksEverything) {
  auto chunks = Chunks(Items(), LoadMode::kSoftDelete,
                       {Ins(100, {"1", "a", "x"}), Trunc(200), Ins(300, {"2", "b", "y"})});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_FALSE(chunks[0].truncate);
  ASSERT_EQ(chunks[0].upserts.size(), 1u);
  EXPECT_TRUE(chunks[1].truncate);
  EXPECT_EQ(chunks[1].truncate_lsn, Lsn(200));
  ASSERT_EQ(chunks[1].upserts.size(), 1u);
  EXPECT_EQ(chunks[1].upserts[0].values, Row({"2", "b", "y"}));
  EXPECT_EQ(chunks[1].deletes, std::vector<Key>({Key({"2"})}));  // may replace a tombstone
}

TEST(SoftDeletePlanner, TruncateMidChunkIsRefused) {
  Planner p(Items(), LoadMode::kSoftDelete);
  p.Add(Ins(100, {"1", "a", "x"}));
  EXPECT_TRUE(p.StartsNewChunk(Trunc(200)));
  EXPECT_THROW(p.Add(Trunc(200)), Error);
}

TEST(Planner, MirrorKeepsTruncateInsideAChunk) {
  Planner p(Items(), LoadMode::kMirror);
  p.Add(Ins(100, {"1", "a", "x"}));
  EXPECT_FALSE(p.StartsNewChunk(Trunc(200)));
  Planner a(Items(), LoadMode::kAppend);
  a.Add(Ins(100, {"1", "a", "x"}));
  EXPECT_FALSE(a.StartsNewChunk(Trunc(200)));  // append never rewrites rows: no need
}

TEST(Planner, SoftDeleteAndHistoryNeedAKey) {
  for (LoadMode mode : {LoadMode::kSoftDelete, LoadMode::kHistory}) {
    try {
      Planner p(KeyLess(), mode);
      ADD_FAILURE() << "no error for " << ModeName(mode);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
      EXPECT_NE(std::string(e.what()).find("mode: append"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(Planner(KeyLess(), LoadMode::kAppend));
}

// ---- history -----------------------------------------------------------------------------

TEST(HistoryPlanner, InsertOpensAVersionWithoutClosingAnything) {
  TablePlan p = Plan(Items(), LoadMode::kHistory, {Ins(100, {"1", "a", "x"}, 3)});
  EXPECT_TRUE(p.marks.empty());
  ASSERT_EQ(p.versions.size(), 1u);
  EXPECT_EQ(p.versions[0].op, 'I');
  EXPECT_EQ(p.versions[0].lsn, Lsn(100));
  EXPECT_EQ(p.versions[0].seq, 3u);
  EXPECT_EQ(p.versions[0].ts, 1000);
  EXPECT_FALSE(p.versions[0].valid_to);
}

TEST(HistoryPlanner, ChangesToOneKeyChainTheirVersions) {
  TablePlan p =
      Plan(Items(), LoadMode::kHistory,
           {Upd(100, {"1", "a", "x"}), Upd(200, {"1", "b", "x"}), Del(300, {"1", kNull, kNull})});
  // The warehouse's current version ends at the first change.
  ASSERT_EQ(p.marks.size(), 1u);
  EXPECT_EQ(p.marks[0].key, Key({"1"}));
  EXPECT_EQ(p.marks[0].ts, 1000);
  ASSERT_EQ(p.versions.size(), 3u);
  EXPECT_EQ(p.versions[0].op, 'U');
  EXPECT_EQ(p.versions[0].ts, 1000);
  EXPECT_EQ(p.versions[0].valid_to, 2000);
  EXPECT_EQ(p.versions[1].values, Row({"1", "b", "x"}));
  EXPECT_EQ(p.versions[1].valid_to, 3000);
  // The delete writes a tombstone with the last values, closed at once.
  EXPECT_EQ(p.versions[2].op, 'D');
  EXPECT_EQ(p.versions[2].values, Row({"1", "b", "x"}));
  EXPECT_EQ(p.versions[2].ts, 3000);
  EXPECT_EQ(p.versions[2].valid_to, 3000);
  EXPECT_EQ(p.versions[2].lsn, Lsn(300));
}

TEST(HistoryPlanner, ChangesInOneTransactionKeepTheirSequence) {
  TablePlan p = Plan(Items(), LoadMode::kHistory,
                     {Ins(100, {"1", "a", "x"}, 0), Upd(100, {"1", "b", "x"}, {}, 1),
                      Upd(100, {"1", "c", "x"}, {}, 2)});
  ASSERT_EQ(p.versions.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p.versions[i].seq, i);
    EXPECT_EQ(p.versions[i].ts, 1000);
  }
  EXPECT_EQ(p.versions[0].valid_to, 1000);
  EXPECT_EQ(p.versions[1].valid_to, 1000);
  EXPECT_FALSE(p.versions[2].valid_to);
}

TEST(HistoryPlanner, DeleteOfAKeyTheChunkDoesNotHoldTakesItsValuesFromTheWarehouse) {
  TablePlan p = Plan(Items(), LoadMode::kHistory, {Del(100, {"1", kNull, kNull})});
  ASSERT_EQ(p.marks.size(), 1u);
  ASSERT_EQ(p.versions.size(), 1u);
  EXPECT_EQ(p.versions[0].op, 'D');
  EXPECT_EQ(p.versions[0].fill_columns, std::vector<uint32_t>({1, 2}));
  EXPECT_EQ(p.versions[0].fill_key, Key({"1"}));
  // REPLICA IDENTITY FULL sends the whole old row: nothing to fill.
  p = Plan(Items(), LoadMode::kHistory, {DelFull(100, {"1", "a", "x"})});
  ASSERT_EQ(p.versions.size(), 1u);
  EXPECT_EQ(p.versions[0].values, Row({"1", "a", "x"}));
  EXPECT_TRUE(p.versions[0].fill_columns.empty());
}

TEST(HistoryPlanner, ReinsertAfterDeleteOpensANewVersion) {
  TablePlan p = Plan(Items(), LoadMode::kHistory,
                     {Del(100, {"1", kNull, kNull}), Ins(200, {"1", "new", "y"})});
  ASSERT_EQ(p.versions.size(), 2u);
  EXPECT_EQ(p.versions[0].op, 'D');
  EXPECT_EQ(p.versions[1].op, 'I');
  EXPECT_FALSE(p.versions[1].valid_to);
  EXPECT_EQ(p.marks.size(), 1u);  // only the delete ended a warehouse version
}

TEST(HistoryPlanner, KeyChangeClosesTheOldKeyAndOpensTheNewOne) {
  TablePlan p =
      Plan(Items(), LoadMode::kHistory, {UpdKey(100, {"1", kNull, kNull}, {"2", "a", kNull}, {2})});
  ASSERT_EQ(p.marks.size(), 2u);
  EXPECT_EQ(p.marks[0].key, Key({"1"}));
  EXPECT_EQ(p.marks[1].key, Key({"2"}));
  ASSERT_EQ(p.versions.size(), 2u);
  EXPECT_EQ(p.versions[0].op, 'D');
  EXPECT_EQ(p.versions[0].fill_key, Key({"1"}));
  EXPECT_EQ(p.versions[0].valid_to, 1000);
  EXPECT_EQ(p.versions[1].op, 'U');
  EXPECT_EQ(p.versions[1].values[0], "2");
  // The unchanged body comes from the old key's current version.
  EXPECT_EQ(p.versions[1].fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(p.versions[1].fill_key, Key({"1"}));
}

TEST(HistoryPlanner, UnchangedToastComesFromThePreviousVersion) {
  TablePlan p = Plan(Items(), LoadMode::kHistory,
                     {Ins(100, {"1", "a", "big"}), Upd(200, {"1", "b", kNull}, {2}),
                      Upd(300, {"1", "c", kNull}, {2})});
  ASSERT_EQ(p.versions.size(), 3u);
  EXPECT_EQ(p.versions[1].values, Row({"1", "b", "big"}));
  EXPECT_EQ(p.versions[2].values, Row({"1", "c", "big"}));
  EXPECT_TRUE(p.versions[2].fill_columns.empty());
  // Without an in-chunk version, every version fills from the warehouse's current one.
  p = Plan(Items(), LoadMode::kHistory,
           {Upd(200, {"1", "b", kNull}, {2}), Upd(300, {"1", "c", kNull}, {2})});
  ASSERT_EQ(p.versions.size(), 2u);
  for (const auto& v : p.versions) {
    EXPECT_EQ(v.fill_columns, std::vector<uint32_t>({2}));
    EXPECT_EQ(v.fill_key, Key({"1"}));
  }
}

TEST(HistoryPlanner, TruncateMidBatchStartsAChunkThatClosesEverything) {
  auto chunks = Chunks(Items(), LoadMode::kHistory,
                       {Upd(100, {"1", "a", "x"}), Trunc(200), Snap(200, {"1", "a", "x"}),
                        Ins(300, {"2", "b", "y"})});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_FALSE(chunks[0].truncate);
  ASSERT_EQ(chunks[0].versions.size(), 1u);
  EXPECT_TRUE(chunks[1].truncate);
  EXPECT_EQ(chunks[1].truncate_lsn, Lsn(200));
  EXPECT_EQ(chunks[1].truncate_ts, 2000);
  // After the TRUNCATE no warehouse version is current: nothing more to end.
  EXPECT_TRUE(chunks[1].marks.empty());
  ASSERT_EQ(chunks[1].versions.size(), 2u);
  EXPECT_EQ(chunks[1].versions[0].op, 'R');
  EXPECT_EQ(chunks[1].versions[0].ts, 2000);  // a copied row is valid from its snapshot's time
}

TEST(HistoryPlanner, SnapshotRowEndsTheCurrentVersion) {
  TablePlan p = Plan(Items(), LoadMode::kHistory, {Snap(100, {"1", "a", "x"})});
  ASSERT_EQ(p.marks.size(), 1u);
  ASSERT_EQ(p.versions.size(), 1u);
  EXPECT_EQ(p.versions[0].op, 'R');
}

// ---- append ------------------------------------------------------------------------------

TEST(AppendPlanner, EveryChangeIsARowInOrder) {
  Change full = Upd(300, {"1", "c", kNull}, {2});
  full.old = {"1", "b", "big"};
  full.has_old = true;
  full.old_kind = 'O';
  TablePlan p = Plan(Items(), LoadMode::kAppend,
                     {Ins(100, {"1", "a", "x"}, 4), Upd(200, {"1", "b", kNull}, {2}), full,
                      Del(400, {"1", kNull, kNull}), Trunc(500)});
  ASSERT_EQ(p.versions.size(), 5u);
  EXPECT_FALSE(p.truncate);  // nothing is ever removed
  EXPECT_TRUE(p.deletes.empty());
  EXPECT_TRUE(p.marks.empty());
  std::string ops;
  for (const auto& v : p.versions) ops += v.op;
  EXPECT_EQ(ops, "IUUDT");
  EXPECT_EQ(p.versions[0].seq, 4u);
  EXPECT_EQ(p.versions[0].ts, 1000);
  // Unchanged TOAST: NULL and named, unless the whole old row came with it.
  EXPECT_EQ(p.versions[1].values, Row({"1", "b", kNull}));
  EXPECT_EQ(p.versions[1].fill_columns, std::vector<uint32_t>({2}));
  EXPECT_EQ(p.versions[2].values, Row({"1", "c", "big"}));
  EXPECT_TRUE(p.versions[2].fill_columns.empty());
  EXPECT_EQ(p.versions[3].values, Row({"1", kNull, kNull}));  // the old key
  EXPECT_EQ(p.versions[4].values, Row({kNull, kNull, kNull}));
  EXPECT_EQ(p.versions[4].lsn, Lsn(500));
}

TEST(AppendPlanner, KeyChangeIsLoggedAsDeleteThenUpdate) {
  TablePlan p =
      Plan(Items(), LoadMode::kAppend, {UpdKey(100, {"1", kNull, kNull}, {"2", "a", "x"})});
  ASSERT_EQ(p.versions.size(), 2u);
  EXPECT_EQ(p.versions[0].op, 'D');
  EXPECT_EQ(p.versions[0].values, Row({"1", kNull, kNull}));
  EXPECT_EQ(p.versions[1].op, 'U');
  EXPECT_EQ(p.versions[1].values, Row({"2", "a", "x"}));
}

TEST(AppendPlanner, KeyLessTablesLogToo) {
  Change u = UpdKey(200, {"1", "a", "x"}, {"1", "b", "x"});
  u.old_kind = 'O';
  TablePlan p = Plan(KeyLess(), LoadMode::kAppend, {Ins(100, {"1", "a", "x"}), u});
  ASSERT_EQ(p.versions.size(), 2u);
  EXPECT_EQ(p.versions[1].op, 'U');
}

// ---- ModeRules ---------------------------------------------------------------------------

core::TargetConfig Target(std::string mode,
                          std::vector<std::pair<std::string, std::string>> rules) {
  core::TargetConfig t;
  t.mode = std::move(mode);
  for (auto& [pattern, m] : rules) t.table_modes.push_back({pattern, m, "wharf.yaml:9:5"});
  return t;
}

TEST(ModeRules, FirstMatchingEntryWinsBySourceOrWarehouseName) {
  ModeRules rules(
      Target("soft_delete",
             {{"public.orders", "history"}, {"public.*", "append"}, {"shop.items", "mirror"}}));
  EXPECT_EQ(rules.For({"public", "orders"}, {"public", "orders"}), LoadMode::kHistory);
  EXPECT_EQ(rules.For({"public", "lines"}, {"public", "lines"}), LoadMode::kAppend);
  EXPECT_EQ(rules.For({"sales", "items"}, {"shop", "items"}),
            LoadMode::kMirror);  // by warehouse name
  EXPECT_EQ(rules.For({"sales", "other"}, {"shop", "other"}), LoadMode::kSoftDelete);
  EXPECT_EQ(ModeRules().For({"a", "b"}, {"a", "b"}), LoadMode::kMirror);
}

TEST(ModeRules, AnEntryThatMatchesNoTableIsAnErrorNamingTheNearest) {
  ModeRules rules(Target("mirror", {{"public.ordres", "history"}}));
  std::vector<ModeRules::Table> tables = {{{"public", "orders"}, {"public", "orders"}},
                                          {{"public", "items"}, {"public", "items"}}};
  try {
    rules.CheckAllMatch(tables);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    std::string msg = e.what();
    EXPECT_NE(msg.find("wharf.yaml:9:5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did you mean 'public.orders'"), std::string::npos) << msg;
  }
  EXPECT_NO_THROW(ModeRules(Target("mirror", {{"public.*", "append"}})).CheckAllMatch(tables));
}

}  // namespace
}  // namespace wharf::load
