// The conformance suite (issue 6): the same reconciliation rules checked against every warehouse
// target, each test instantiated once per target ({duckdb, postgres}; a target mode such as
// soft_delete or history joins as a further TargetParam). Two levels:
//  - Api*: batches planned in the test and applied through the Warehouse interface directly, so
//    each rule of planner.hpp is checked exactly: one transaction per batch with its progress
//    row, replay a no-op, per-key net effect by (commit LSN, seq), key changes, TRUNCATE mid
//    batch, unchanged TOAST filled from the batch or the warehouse row (also under a changed
//    key), key-less multisets, snapshot rows handed over to the stream, chunked batches;
//  - end to end through the wharf binary: key-less tables, unchanged TOAST under DEFAULT and FULL
//    identity, batches split into chunks, a SIGKILL mid-batch then restart applying exactly once,
//    every built-in type landing exactly, and `wharf validate` on each.
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "core/pg_types.hpp"
#include "harness.hpp"
#include "load/planner.hpp"
#include "load/warehouse.hpp"
#include "staging/codec.hpp"
#include "staging/jsonl.hpp"
#include "staging/local_store.hpp"
#include "staging/staged_log.hpp"
#include "types_data.hpp"

namespace wharf::test {
namespace {

using core::Datum;
using core::Op;

// One warehouse configuration the suite runs against.
struct TargetParam {
  std::string name;  // test name suffix
  std::string type;  // target.type
  std::string mode = "mirror";
};
void PrintTo(const TargetParam& p, std::ostream* os) { *os << p.name; }

class Conformance : public WharfTest, public ::testing::WithParamInterface<TargetParam> {
 protected:
  void SetUp() override {
    WharfTest::SetUp();
    target_.type = GetParam().type;
    target_.mode = GetParam().mode;
    if (IsPostgres()) {
      // The warehouse is another database on the same cluster as the source.
      wh_dsn_ = CreateDatabase("wh");
      target_.dsn = wh_dsn_;
      target_yaml_ = "  type: postgres\n  dsn: " + wh_dsn_ + "\n";
    } else {
      target_.path = warehouse_.string();
    }
    if (GetParam().mode != "mirror") target_yaml_ += "  mode: " + GetParam().mode + "\n";
  }

  bool IsPostgres() const { return GetParam().type == "postgres"; }

  core::TargetConfig target_;  // this parameter's target, as wharf.yaml describes it
  std::string wh_dsn_;         // postgres: the warehouse database (beside the source's)

  // SQL on the warehouse; queries use what both dialects share (CAST(x AS VARCHAR), md5, ...).
  Rows W(const std::string& sql) { return IsPostgres() ? PgQuery(wh_dsn_, sql) : Duck(sql); }
  void WExec(const std::string& sql) {
    if (IsPostgres()) PgExec(wh_dsn_, sql);
    else DuckExec(warehouse_, sql);
  }

  // The Warehouse interface of this target, opened as wharf opens it. DuckDB allows one
  // database instance per file, so close it (reset) before W().
  std::unique_ptr<load::Warehouse> Open() { return load::OpenWarehouse(target_, work_.string()); }

  // Applies `changes` to `schema`'s table as batch `seq` of source "api", planned in chunks of
  // `chunk` changes (0: the whole batch in one plan). Returns whether the batch was applied.
  // Planned for load mode `mode`, as the loader plans it (a TRUNCATE opening a chunk).
  bool ApplyBatch(uint64_t seq, const core::RelationSchema& schema, const std::vector<core::Change>& changes,
                  size_t chunk = 0, load::LoadMode mode = load::LoadMode::kMirror) {
    auto w = Open();
    if (!w->BeginBatch("api", seq)) return false;
    load::Planner planner(schema, mode);
    auto flush = [&] {
      load::TableBatch tb{schema.table, schema, mode, planner.Finish()};
      w->ApplyTable(tb);
    };
    Lsn last;
    for (const auto& c : changes) {
      if (planner.StartsNewChunk(c)) flush();
      planner.Add(c);
      last = c.lsn;
      if (chunk && planner.pending_changes() >= chunk) flush();
    }
    flush();
    w->CommitBatch(last, Lsn(last.value() + 1));
    return true;
  }
  ProcessResult RunOnceChunked(size_t chunk_bytes) {
    return Wharf({"run", "--once"}, {"WHARF_LOAD_CHUNK_BYTES=" + std::to_string(chunk_bytes)});
  }

  // Staged updates to `table` that left a column out as unchanged TOAST.
  size_t StagedUnchanged(const std::string& table) {
    staging::LocalStore store(work_ / "stage");
    size_t n = 0;
    for (uint64_t seq : staging::ListManifests(store, "src")) {
      for (const auto& f : staging::ReadManifest(store, "src", seq).files) {
        if (f.relation.table.name != table) continue;
        staging::DecodingReader text(store.OpenReader(f.path),
                                     staging::ParseCompression(f.compression), f.path);
        staging::JsonLinesReader lines(f.relation, text, f.path);
        core::Change c;
        while (lines.Next(c)) n += !c.unchanged.empty();
      }
    }
    return n;
  }

  // (key, other columns..., md5 of the wide column) on both sides, in key order.
  void ExpectSameWide(const std::string& table) {
    auto pg = Pg("SELECT id::text, n::text, md5(body), length(body)::text FROM " + table +
                 " t ORDER BY t.id");
    auto duck = W("SELECT CAST(id AS VARCHAR), CAST(n AS VARCHAR), md5(body), "
                     "CAST(length(body) AS VARCHAR) FROM public." + table + " t ORDER BY t.id");
    EXPECT_EQ(duck, pg) << table;
  }

  // Copies per distinct (k, v) row on both sides.
  void ExpectSameMultiset(const std::string& table) {
    auto pg = Pg("SELECT t.k::text, t.v, count(*)::text FROM " + table +
                 " t GROUP BY t.k, t.v ORDER BY t.k, t.v NULLS LAST");
    auto duck = W("SELECT CAST(k AS VARCHAR), v, CAST(count(*) AS VARCHAR) FROM public." +
                     table + " t GROUP BY t.k, t.v ORDER BY t.k, t.v NULLS LAST");
    EXPECT_EQ(duck, pg) << table;
  }
};

// ---- changes for the Api tests ------------------------------------------------------------

core::RelationSchema Table(const std::string& name, bool keyed) {
  core::RelationSchema s;
  s.table = {"public", name};
  s.replica_identity = keyed ? 'd' : 'f';
  s.columns = {{"id", core::oid::kInt4, -1, keyed}, {"v", core::oid::kText, -1, false},
               {"body", core::oid::kText, -1, false}};
  return s;
}

// A transaction's commit time in the Api tests: one second per LSN since the epoch (history's
// valid_from/valid_to and append's _wharf_ts, read back with Epoch()).
int64_t TsOf(uint64_t lsn) { return static_cast<int64_t>(lsn) * 1000000; }

core::Change Ins(uint64_t lsn, uint32_t seq, std::vector<Datum> row, Op op = Op::kInsert) {
  core::Change c;
  c.op = op;
  c.lsn = Lsn(lsn);
  c.seq = seq;
  c.ts = TsOf(lsn);
  c.row = std::move(row);
  return c;
}

// An update; `old_key` set when the key changed (pgoutput then sends the old key);
// `unchanged` lists columns PostgreSQL left out as unchanged TOAST (their row value is NULL).
core::Change Upd(uint64_t lsn, uint32_t seq, std::vector<Datum> row, std::optional<std::string> old_key = {},
                 std::vector<uint32_t> unchanged = {}) {
  core::Change c = Ins(lsn, seq, std::move(row), Op::kUpdate);
  if (old_key) {
    c.has_old = true;
    c.old_kind = 'K';
    c.old = {old_key, std::nullopt, std::nullopt};
  }
  c.unchanged = std::move(unchanged);
  return c;
}

core::Change Del(uint64_t lsn, uint32_t seq, std::vector<Datum> old, char kind = 'K') {
  core::Change c;
  c.op = Op::kDelete;
  c.lsn = Lsn(lsn);
  c.seq = seq;
  c.ts = TsOf(lsn);
  c.has_old = true;
  c.old_kind = kind;
  c.old = std::move(old);
  return c;
}

core::Change Trunc(uint64_t lsn, uint32_t seq) {
  core::Change c;
  c.op = Op::kTruncate;
  c.lsn = Lsn(lsn);
  c.seq = seq;
  c.ts = TsOf(lsn);
  return c;
}

// A key-less table's update: the whole old row and the new one.
core::Change UpdFull(uint64_t lsn, uint32_t seq, std::vector<Datum> old, std::vector<Datum> row) {
  core::Change c = Ins(lsn, seq, std::move(row), Op::kUpdate);
  c.has_old = true;
  c.old_kind = 'O';
  c.old = std::move(old);
  return c;
}

// Rows of a table in key order. Both dialects name the column CAST(id AS VARCHAR) differently
// (PostgreSQL: "id"), so ORDER BY names the table's column.
const std::string kRowsOf = "SELECT CAST(t.id AS VARCHAR), t.v, t.body FROM public.";

// ---- Api: the Warehouse interface ---------------------------------------------------------

TEST_P(Conformance, ApiBatchCommitsWithItsProgressRowAndReplayIsANoOp) {
  const auto t = Table("items", true);
  const std::vector<core::Change> batch1 = {Ins(100, 0, {"1", "a", "A"}), Ins(100, 1, {"2", "b", "B"})};
  ASSERT_TRUE(ApplyBatch(1, t, batch1));
  {
    auto w = Open();
    EXPECT_EQ(w->AppliedSeq("api"), 1u);
    auto progress = w->Progress();
    ASSERT_EQ(progress.size(), 1u);
    EXPECT_EQ(progress[0].source, "api");
    EXPECT_EQ(progress[0].batch_seq, 1u);
    EXPECT_EQ(progress[0].lsn, Lsn(100));
    EXPECT_EQ(progress[0].end_lsn, Lsn(101));
    EXPECT_FALSE(progress[0].applied_at.empty());
    EXPECT_EQ(w->CountRows(t.table), std::optional<uint64_t>(2));
    EXPECT_EQ(w->CountRows({"public", "nope"}), std::nullopt);
  }
  // Replaying batch 1 (or an older one) does nothing, even with different content.
  EXPECT_FALSE(ApplyBatch(1, t, {Ins(100, 0, {"3", "c", "C"})}));
  EXPECT_FALSE(ApplyBatch(0, t, {Trunc(90, 0)}));
  EXPECT_EQ(W(kRowsOf + "items t ORDER BY t.id"), (Rows{{"1", "a", "A"}, {"2", "b", "B"}}));

  // An aborted batch leaves neither its rows nor its progress row, and can be applied afterwards.
  {
    auto w = Open();
    ASSERT_TRUE(w->BeginBatch("api", 2));
    load::Planner planner(t);
    planner.Add(Trunc(200, 0));
    planner.Add(Ins(200, 1, {"9", "z", "Z"}));
    w->ApplyTable({t.table, t, load::LoadMode::kMirror, planner.Finish()});
    w->AbortBatch();
    EXPECT_EQ(w->AppliedSeq("api"), 1u);
  }
  EXPECT_EQ(W(kRowsOf + "items t ORDER BY t.id"), (Rows{{"1", "a", "A"}, {"2", "b", "B"}}));
  ASSERT_TRUE(ApplyBatch(2, t, {Upd(200, 0, {"1", "a2", "A"})}));
  EXPECT_EQ(W("SELECT CAST(batch_seq AS VARCHAR), CAST(lsn AS VARCHAR) FROM _wharf.state WHERE source = 'api'"),
            (Rows{{"2", "200"}}));
  EXPECT_EQ(W("SELECT CAST(_wharf_lsn AS VARCHAR) FROM public.items t ORDER BY t.id"), (Rows{{"200"}, {"100"}}));
  EXPECT_EQ(W("SELECT count(*) FROM public.items WHERE _wharf_synced_at IS NULL"), (Rows{{"0"}}));
}

TEST_P(Conformance, ApiNetEffectPerKeyInOrderOfLsnAndSeq) {
  // The same batch applied whole and one change per chunk must give the same rows.
  for (size_t chunk : {size_t{0}, size_t{1}}) {
    const auto t = Table(chunk ? "net_chunked" : "net_whole", true);
    SCOPED_TRACE(t.table.name);
    ASSERT_TRUE(ApplyBatch(chunk ? 10 : 1, t,
                           {Ins(100, 0, {"1", "one", "B1"}), Ins(100, 1, {"4", "four", "B4"}),
                            Ins(100, 2, {"5", "five", "B5"})}));
    ASSERT_TRUE(ApplyBatch(chunk ? 11 : 2, t,
                           {
                               // delete then re-insert: the new row
                               Del(200, 0, {"1", std::nullopt, std::nullopt}),
                               Ins(200, 1, {"1", "reborn", "R1"}),
                               // insert then delete: nothing
                               Ins(200, 2, {"2", "gone", "G"}),
                               Del(210, 0, {"2", std::nullopt, std::nullopt}),
                               // insert, update, update: the last values
                               Ins(210, 1, {"3", "v1", "x"}),
                               Upd(220, 0, {"3", "v2", "y"}),
                               Upd(220, 1, {"3", "v3", "z"}),
                               // a key change moves the row (and the next update follows it)
                               Upd(230, 0, {"40", "four", "B4"}, "4"),
                               Upd(230, 1, {"40", "forty", "B4"}),
                               // delete of a key that exists only in the warehouse
                               Del(240, 0, {"5", std::nullopt, std::nullopt}),
                           },
                           chunk));
    EXPECT_EQ(W(kRowsOf + t.table.name + " t ORDER BY t.id"),
              (Rows{{"1", "reborn", "R1"}, {"3", "v3", "z"}, {"40", "forty", "B4"}}));
    EXPECT_EQ(W("SELECT CAST(id AS VARCHAR), CAST(_wharf_lsn AS VARCHAR) FROM public." + t.table.name +
                " t ORDER BY t.id"),
              (Rows{{"1", "200"}, {"3", "220"}, {"40", "230"}}));
  }
}

TEST_P(Conformance, ApiUnchangedToastFromTheLatestCarryingChangeElseTheWarehouseRow) {
  for (size_t chunk : {size_t{0}, size_t{1}}) {
    const auto t = Table(chunk ? "toast_chunked" : "toast_whole", true);
    SCOPED_TRACE(t.table.name);
    ASSERT_TRUE(ApplyBatch(chunk ? 10 : 1, t,
                           {Ins(100, 0, {"1", "a", "W1"}), Ins(100, 1, {"2", "b", "W2"}),
                            Ins(100, 2, {"3", "c", "W3"}), Ins(100, 3, {"4", "d", "W4"})}));
    ASSERT_TRUE(ApplyBatch(chunk ? 11 : 2, t,
                           {
                               // only the warehouse holds body of 1
                               Upd(200, 0, {"1", "a2", std::nullopt}, {}, {2}),
                               // the batch carries a newer body of 2 before the unchanged one
                               Upd(200, 1, {"2", "b2", "NEW2"}),
                               Upd(200, 2, {"2", "b3", std::nullopt}, {}, {2}),
                               // key change 3 -> 30 with body unchanged: from the warehouse row 3
                               Upd(210, 0, {"30", "c2", std::nullopt}, "3", {2}),
                               Upd(210, 1, {"30", "c3", std::nullopt}, {}, {2}),
                               // key change after an in-batch body
                               Upd(220, 0, {"4", "d2", "NEW4"}),
                               Upd(220, 1, {"44", "d3", std::nullopt}, "4", {2}),
                           },
                           chunk));
    EXPECT_EQ(W(kRowsOf + t.table.name + " t ORDER BY t.id"),
              (Rows{{"1", "a2", "W1"}, {"2", "b3", "NEW2"}, {"30", "c3", "W3"}, {"44", "d3", "NEW4"}}));
  }
}

TEST_P(Conformance, ApiTruncateInTheMiddleEmptiesThenKeepsWhatFollows) {
  for (size_t chunk : {size_t{0}, size_t{1}}) {
    const std::string suffix = chunk ? "_chunked" : "_whole";
    const auto keyed = Table("trunc" + suffix, true);
    const auto bag = Table("trunc_bag" + suffix, false);
    for (const auto* t : {&keyed, &bag}) {
      SCOPED_TRACE(t->table.name);
      ASSERT_TRUE(ApplyBatch(1, *t, {Ins(100, 0, {"1", "old", "O"}), Ins(100, 1, {"2", "old", "O"})}));
      ASSERT_TRUE(ApplyBatch(2, *t,
                             {Ins(200, 0, {"3", "before", "X"}), Trunc(210, 0), Ins(220, 0, {"4", "after", "A"}),
                              Ins(220, 1, {"5", "after", "A"})},
                             chunk));
      EXPECT_EQ(W(kRowsOf + t->table.name + " t ORDER BY t.id"), (Rows{{"4", "after", "A"}, {"5", "after", "A"}}));
      // The next batch of this table's own source: sources keep separate progress.
      auto w = Open();
      EXPECT_EQ(w->AppliedSeq("api"), 2u);
      w.reset();
      WExec("DELETE FROM _wharf.state");  // the next table starts from batch 1 again
    }
  }
}

TEST_P(Conformance, ApiKeylessTablesAreMultisets) {
  const auto t = Table("bag", false);
  const Datum n = std::nullopt;
  ASSERT_TRUE(ApplyBatch(1, t,
                         {Ins(100, 0, {"1", "x", n}), Ins(100, 1, {"1", "x", n}), Ins(100, 2, {"1", "x", n}),
                          Ins(100, 3, {"2", "", "y"}), Ins(100, 4, {"2", "", "y"}), Ins(100, 5, {n, n, n})}));
  ASSERT_TRUE(ApplyBatch(2, t,
                         {
                             // one of three identical rows deleted, one updated
                             Del(200, 0, {"1", "x", n}, 'O'),
                             UpdFull(200, 1, {"1", "x", n}, {"1", "y", n}),
                             // '' is not NULL: this matches the (2,'',y) rows only
                             Del(200, 2, {"2", "", "y"}, 'O'),
                             // the all-NULL row is deleted, two copies of it inserted
                             Del(200, 3, {n, n, n}, 'O'),
                             Ins(210, 0, {n, n, n}),
                             Ins(210, 1, {n, n, n}),
                             // inserted then deleted in the batch
                             Ins(210, 2, {"9", "tmp", n}),
                             Del(210, 3, {"9", "tmp", n}, 'O'),
                         }));
  EXPECT_EQ(W("SELECT CAST(id AS VARCHAR), v, body, CAST(count(*) AS VARCHAR) FROM public.bag t GROUP BY t.id, t.v, t.body "
              "ORDER BY t.id NULLS LAST, t.v"),
            (Rows{{"1", "x", n, "1"}, {"1", "y", n, "1"}, {"2", "", "y", "1"}, {n, n, n, "2"}}));
}

TEST_P(Conformance, ApiSnapshotRowsAreHandedOverToTheStream) {
  const auto t = Table("copied", true);
  ASSERT_TRUE(ApplyBatch(1, t, {Ins(100, 0, {"1", "stale", "S"}), Ins(100, 1, {"7", "stale", "S"})}));
  // A (re)copy: the T before the copy empties the table, the copy's rows (op R, LSN S = 300) land,
  // then streamed changes above S apply on top of them.
  ASSERT_TRUE(ApplyBatch(2, t,
                         {Trunc(300, 0), Ins(300, 1, {"1", "copied", "C1"}, Op::kSnapshot),
                          Ins(300, 2, {"2", "copied", "C2"}, Op::kSnapshot),
                          Ins(300, 3, {"3", "copied", "C3"}, Op::kSnapshot)}));
  ASSERT_TRUE(ApplyBatch(3, t,
                         {Upd(310, 0, {"2", "streamed", std::nullopt}, {}, {2}),
                          Del(320, 0, {"3", std::nullopt, std::nullopt}), Ins(320, 1, {"4", "streamed", "N4"}),
                          // a snapshot row of a later range copy replaces what the warehouse holds
                          Ins(330, 0, {"1", "recopied", "R1"}, Op::kSnapshot)}));
  EXPECT_EQ(W(kRowsOf + "copied t ORDER BY t.id"),
            (Rows{{"1", "recopied", "R1"}, {"2", "streamed", "C2"}, {"4", "streamed", "N4"}}));
}

TEST_P(Conformance, ApiCompareByKeyAndAsMultiset) {
  const auto keyed = Table("cmp", true);
  const auto bag = Table("cmp_bag", false);
  ASSERT_TRUE(ApplyBatch(1, keyed, {Ins(100, 0, {"1", "a", "x\ty\\z"}), Ins(100, 1, {"2", "b", std::nullopt})}));
  WExec("DELETE FROM _wharf.state");
  ASSERT_TRUE(ApplyBatch(1, bag, {Ins(100, 0, {"1", "a", "A"}), Ins(100, 1, {"1", "a", "A"})}));
  auto w = Open();
  auto compare = [&](const core::RelationSchema& s, Rows source) {
    return w->Compare(s.table, s, [&](const load::RowCallback& cb) {
      for (const auto& r : source) cb(r);
    }, 10);
  };
  EXPECT_TRUE(compare(keyed, {{"1", "a", "x\ty\\z"}, {"2", "b", std::nullopt}}).Equal());
  auto d = compare(keyed, {{"1", "a", "x\ty\\z"}, {"2", "b", ""}, {"3", "c", "C"}});
  EXPECT_EQ(d.missing, 1u);
  EXPECT_EQ(d.different, 1u) << "NULL and '' differ";
  EXPECT_EQ(d.extra, 0u);
  EXPECT_EQ(d.source_rows, 3u);
  EXPECT_EQ(d.warehouse_rows, 2u);
  EXPECT_TRUE(compare(bag, {{"1", "a", "A"}, {"1", "a", "A"}}).Equal());
  d = compare(bag, {{"1", "a", "A"}, {"1", "a", "A"}, {"1", "a", "A"}, {"2", "b", "B"}});
  EXPECT_EQ(d.missing, 2u);
  EXPECT_EQ(d.extra, 0u);
  d = compare(bag, {});
  EXPECT_EQ(d.extra, 2u);
}

TEST_P(Conformance, ApiAddedColumnsWidenTheTableAndNamesAreQuoted) {
  core::RelationSchema t;
  t.table = {"Sch\"ema", "Odd Table"};
  t.columns = {{"id", core::oid::kInt4, -1, true}, {"Mixed Case", core::oid::kText, -1, false}};
  ASSERT_TRUE(ApplyBatch(1, t, {Ins(100, 0, {"1", "one"})}));
  // The source gained a column: the warehouse table widens, older rows hold NULL there.
  core::RelationSchema wider = t;
  wider.columns.push_back({"select", core::oid::kNumeric, (10 << 16) + 2 + 4, false});  // numeric(10,2)
  ASSERT_TRUE(ApplyBatch(2, wider, {Ins(200, 0, {"2", "two", "2.50"}), Upd(200, 1, {"1", "uno", std::nullopt})}));
  EXPECT_EQ(W("SELECT CAST(\"id\" AS VARCHAR), \"Mixed Case\", CAST(\"select\" AS VARCHAR) FROM "
              "\"Sch\"\"ema\".\"Odd Table\" t ORDER BY t.id"),
            (Rows{{"1", "uno", std::nullopt}, {"2", "two", "2.50"}}));
}

TEST_P(Conformance, ApiReadersSeeNoPartOfAnOpenBatch) {
  if (!IsPostgres()) {
    // One process holds a DuckDB file: no other reader can look while a batch is open.
    GTEST_SKIP() << "DuckDB has no concurrent reader outside the loading process";
  }
  const auto t = Table("seen", true);
  ASSERT_TRUE(ApplyBatch(1, t, {Ins(100, 0, {"1", "a", "A"}), Ins(100, 1, {"2", "b", "B"})}));
  auto w = Open();
  ASSERT_TRUE(w->BeginBatch("api", 2));
  load::Planner planner(t);
  planner.Add(Upd(200, 0, {"1", "changed", std::nullopt}, {}, {2}));
  planner.Add(Del(200, 1, {"2", std::nullopt, std::nullopt}));
  planner.Add(Ins(200, 2, {"3", "c", "C"}));
  w->ApplyTable({t.table, t, load::LoadMode::kMirror, planner.Finish()});
  // Another session sees the table and the progress as before the batch.
  EXPECT_EQ(W(kRowsOf + "seen t ORDER BY t.id"), (Rows{{"1", "a", "A"}, {"2", "b", "B"}}));
  EXPECT_EQ(W("SELECT batch_seq::text FROM _wharf.state WHERE source = 'api'"), (Rows{{"1"}}));
  w->CommitBatch(Lsn(200), Lsn(201));
  EXPECT_EQ(W(kRowsOf + "seen t ORDER BY t.id"), (Rows{{"1", "changed", "A"}, {"3", "c", "C"}}));
  EXPECT_EQ(W("SELECT batch_seq::text FROM _wharf.state WHERE source = 'api'"), (Rows{{"2"}}));
}

// ---- Api: load modes (load_mode.hpp), the same rules on every target ----------------------

// A timestamptz column as whole seconds since the epoch, in both dialects.
std::string Epoch(const std::string& col) {
  return "CAST(CAST(extract(epoch FROM " + col + ") AS BIGINT) AS VARCHAR)";
}

TEST_P(Conformance, ApiSoftDeleteFlagsDeletesRevivesKeysAndTruncates) {
  const auto soft = load::LoadMode::kSoftDelete;
  for (size_t chunk : {size_t{0}, size_t{1}}) {
    const auto t = Table(chunk ? "soft_chunked" : "soft_whole", true);
    SCOPED_TRACE(t.table.name);
    const uint64_t b = chunk ? 10 : 1;
    const std::string rows = "SELECT CAST(t.id AS VARCHAR), t.v, t.body, CAST(t._wharf_deleted AS VARCHAR), "
                             "CAST(t._wharf_lsn AS VARCHAR) FROM public." + t.table.name + " t ORDER BY t.id";
    ASSERT_TRUE(ApplyBatch(b, t,
                           {Ins(100, 0, {"1", "a", "A"}), Ins(100, 1, {"2", "b", "B"}), Ins(100, 2, {"3", "c", "C"}),
                            Ins(100, 3, {"4", "d", "D"})},
                           chunk, soft));
    ASSERT_TRUE(ApplyBatch(b + 1, t,
                           {
                               // unchanged TOAST from the warehouse row
                               Upd(200, 0, {"1", "a2", std::nullopt}, {}, {2}),
                               // a key only the warehouse knows: flagged, keeping its values
                               Del(210, 0, {"2", std::nullopt, std::nullopt}),
                               // a key the chunk knows: a tombstone with its last values
                               Upd(220, 0, {"3", "c2", "C2"}),
                               Del(230, 0, {"3", std::nullopt, std::nullopt}),
                               // inserted and deleted in the chunk: a tombstone too
                               Ins(240, 0, {"9", "z", "Z"}),
                               Del(240, 1, {"9", std::nullopt, std::nullopt}),
                           },
                           chunk, soft));
    EXPECT_EQ(W(rows), (Rows{{"1", "a2", "A", "false", "200"},
                             {"2", "b", "B", "true", "210"},
                             {"3", "c2", "C2", "true", "230"},
                             {"4", "d", "D", "false", "100"},
                             {"9", "z", "Z", "true", "240"}}));
    // A deleted key inserted again lives again, in the same row.
    ASSERT_TRUE(ApplyBatch(b + 2, t, {Ins(300, 0, {"2", "again", "G"})}, chunk, soft));
    EXPECT_EQ(W(rows)[1], (std::vector<std::optional<std::string>>{"2", "again", "G", "false", "300"}));
    // TRUNCATE flags every live row as of its LSN; deleted rows keep theirs; what follows lives.
    const std::vector<core::Change> truncate = {Ins(400, 0, {"4", "d2", "D2"}), Trunc(410, 0),
                                                Ins(410, 1, {"5", "e", "E"})};
    ASSERT_TRUE(ApplyBatch(b + 3, t, truncate, chunk, soft));
    EXPECT_EQ(W(rows), (Rows{{"1", "a2", "A", "true", "410"},
                             {"2", "again", "G", "true", "410"},
                             {"3", "c2", "C2", "true", "230"},
                             {"4", "d2", "D2", "true", "410"},
                             {"5", "e", "E", "false", "410"},
                             {"9", "z", "Z", "true", "240"}}));
    // A replay is a no-op.
    EXPECT_FALSE(ApplyBatch(b + 3, t, truncate, chunk, soft));
    EXPECT_EQ(W("SELECT count(*) FROM public." + t.table.name), (Rows{{"6"}}));
    // validate compares the live rows only.
    auto w = Open();
    auto d = w->Compare(t.table, t, [](const load::RowCallback& cb) { cb({"5", "e", "E"}); }, 10);
    EXPECT_TRUE(d.Equal()) << ::testing::PrintToString(d.sample);
    EXPECT_EQ(d.warehouse_rows, 1u);
    d = w->Compare(t.table, t, [](const load::RowCallback& cb) { cb({"1", "a2", "A"}); }, 10);
    EXPECT_EQ(d.missing, 1u);
    EXPECT_EQ(d.extra, 1u);
  }
}

TEST_P(Conformance, ApiHistoryKeepsVersionChainsKeyChangesAndToastFromThePreviousVersion) {
  const auto history = load::LoadMode::kHistory;
  for (size_t chunk : {size_t{0}, size_t{1}}) {
    const auto t = Table(chunk ? "hist_chunked" : "hist_whole", true);
    SCOPED_TRACE(t.table.name);
    const uint64_t b = chunk ? 10 : 1;
    const std::string versions =
        "SELECT CAST(t.id AS VARCHAR), t.v, t.body, t._wharf_op, CAST(t._wharf_lsn AS VARCHAR), " +
        Epoch("t._wharf_valid_from") + ", " + Epoch("t._wharf_valid_to") + " FROM public." + t.table.name +
        " t ORDER BY t.id, t._wharf_lsn, t._wharf_seq";
    ASSERT_TRUE(ApplyBatch(b, t,
                           {Ins(100, 0, {"1", "a", "A"}), Ins(100, 1, {"2", "b", "B"}), Ins(100, 2, {"3", "c", "C"})},
                           chunk, history));
    ASSERT_TRUE(ApplyBatch(b + 1, t,
                           {
                               // unchanged TOAST from the warehouse's version, then from the chunk's
                               Upd(200, 0, {"1", "a2", std::nullopt}, {}, {2}),
                               Upd(200, 1, {"1", "a3", std::nullopt}, {}, {2}),
                               // a delete ends the version and leaves a tombstone
                               Del(210, 0, {"2", std::nullopt, std::nullopt}),
                               // a key change: the old key ends (tombstone), the new one begins,
                               // its TOAST from the old key's version
                               Upd(220, 0, {"30", "c", std::nullopt}, "3", {2}),
                           },
                           chunk, history));
    EXPECT_EQ(W(versions), (Rows{{"1", "a", "A", "I", "100", "100", "200"},
                                 {"1", "a2", "A", "U", "200", "200", "200"},
                                 {"1", "a3", "A", "U", "200", "200", std::nullopt},
                                 {"2", "b", "B", "I", "100", "100", "210"},
                                 {"2", "b", "B", "D", "210", "210", "210"},
                                 {"3", "c", "C", "I", "100", "100", "220"},
                                 {"3", "c", "C", "D", "220", "220", "220"},
                                 {"30", "c", "C", "U", "220", "220", std::nullopt}}));
    // TRUNCATE: a tombstone (op T) per current version, every current version ends; what follows begins.
    const std::vector<core::Change> truncate = {Trunc(300, 0), Ins(300, 1, {"7", "f", "F"})};
    ASSERT_TRUE(ApplyBatch(b + 2, t, truncate, chunk, history));
    const std::string current = "SELECT CAST(t.id AS VARCHAR), t.v, t._wharf_op FROM public." + t.table.name +
                                " t WHERE t._wharf_valid_to IS NULL ORDER BY t.id";
    EXPECT_EQ(W(current), (Rows{{"7", "f", "I"}}));
    EXPECT_EQ(W("SELECT CAST(t.id AS VARCHAR), t.body, " + Epoch("t._wharf_valid_from") + ", " +
                Epoch("t._wharf_valid_to") + " FROM public." + t.table.name +
                " t WHERE t._wharf_op = 'T' ORDER BY t.id"),
              (Rows{{"1", "A", "300", "300"}, {"30", "C", "300", "300"}}));
    EXPECT_EQ(W("SELECT count(*) FROM public." + t.table.name + " t WHERE t._wharf_valid_to = t._wharf_valid_from "
                "AND t._wharf_op IN ('I', 'U') AND " + Epoch("t._wharf_valid_to") + " = '300'"),
              (Rows{{"0"}}));
    // A replay is a no-op.
    EXPECT_FALSE(ApplyBatch(b + 2, t, truncate, chunk, history));
    EXPECT_EQ(W("SELECT count(*) FROM public." + t.table.name), (Rows{{"11"}}));
    // validate compares the current versions only.
    auto w = Open();
    auto d = w->Compare(t.table, t, [](const load::RowCallback& cb) { cb({"7", "f", "F"}); }, 10);
    EXPECT_TRUE(d.Equal()) << ::testing::PrintToString(d.sample);
    EXPECT_EQ(d.warehouse_rows, 1u);
  }
}

TEST_P(Conformance, ApiAppendKeepsEveryChangeAsARow) {
  const auto append = load::LoadMode::kAppend;
  for (bool keyed : {true, false}) {
    const auto t = Table(keyed ? "log_keyed" : "log_bag", keyed);
    SCOPED_TRACE(t.table.name);
    const uint64_t b = keyed ? 1 : 10;
    const std::vector<core::Change> changes = {
        Ins(100, 0, {"1", "a", "A"}),
        keyed ? Upd(110, 0, {"1", "a2", std::nullopt}, {}, {2}) : UpdFull(110, 0, {"1", "a", "A"}, {"1", "a2", "A"}),
        keyed ? Del(120, 0, {"1", std::nullopt, std::nullopt}) : Del(120, 0, {"1", "a2", "A"}, 'O'),
        Trunc(130, 0),
        Ins(130, 1, {"2", "b", "B"}),
    };
    ASSERT_TRUE(ApplyBatch(b, t, changes, 0, append));
    EXPECT_EQ(W("SELECT t._wharf_op, CAST(t._wharf_seq AS VARCHAR), CAST(t._wharf_lsn AS VARCHAR), " +
                Epoch("t._wharf_ts") + ", CAST(t.id AS VARCHAR), t.v, t.body, CAST(t._wharf_unchanged AS VARCHAR) "
                "FROM public." + t.table.name + " t ORDER BY t._wharf_lsn, t._wharf_seq"),
              keyed ? (Rows{{"I", "0", "100", "100", "1", "a", "A", std::nullopt},
                            {"U", "0", "110", "110", "1", "a2", std::nullopt, "[\"body\"]"},
                            {"D", "0", "120", "120", "1", std::nullopt, std::nullopt, std::nullopt},
                            {"T", "0", "130", "130", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
                            {"I", "1", "130", "130", "2", "b", "B", std::nullopt}})
                    : (Rows{{"I", "0", "100", "100", "1", "a", "A", std::nullopt},
                            {"U", "0", "110", "110", "1", "a2", "A", std::nullopt},
                            {"D", "0", "120", "120", "1", "a2", "A", std::nullopt},
                            {"T", "0", "130", "130", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
                            {"I", "1", "130", "130", "2", "b", "B", std::nullopt}}));
    EXPECT_FALSE(ApplyBatch(b, t, changes, 0, append));
    EXPECT_EQ(W("SELECT count(*) FROM public." + t.table.name), (Rows{{"5"}}));
    auto d = Open()->Compare(t.table, t, [](const load::RowCallback& cb) { cb({"2", "b", "B"}); }, 10);
    EXPECT_NE(d.skipped.find("append mode"), std::string::npos) << d.skipped;
  }
}

TEST_P(Conformance, ApiATableKeepsTheModeItWasCreatedIn) {
  const auto t = Table("moded", true);
  ASSERT_TRUE(ApplyBatch(1, t, {Ins(100, 0, {"1", "a", "A"})}, 0, load::LoadMode::kHistory));
  for (auto mode : {load::LoadMode::kMirror, load::LoadMode::kSoftDelete, load::LoadMode::kAppend}) {
    try {
      ApplyBatch(2, t, {Ins(200, 0, {"2", "b", "B"})}, 0, mode);
      ADD_FAILURE() << "loading a history table in " << load::ModeName(mode) << " mode was not refused";
    } catch (const wharf::Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("created in history mode"), std::string::npos) << what;
      EXPECT_NE(what.find("wharf resync --table public.moded"), std::string::npos) << what;
    }
  }
  EXPECT_EQ(W("SELECT count(*) FROM public.moded"), (Rows{{"1"}}));
  ASSERT_TRUE(ApplyBatch(2, t, {Ins(200, 0, {"2", "b", "B"})}, 0, load::LoadMode::kHistory));
  EXPECT_EQ(W("SELECT count(*) FROM public.moded"), (Rows{{"2"}}));
}

// ---- end to end: the wharf binary ---------------------------------------------------------

TEST_P(Conformance, TableWithoutKeyKeepsIdenticalRowsApart) {
  PgRun("CREATE TABLE bag (k int, v text);"
        "ALTER TABLE bag REPLICA IDENTITY FULL;"
        "INSERT INTO bag VALUES (1, 'x'), (1, 'x'), (1, 'x'), (2, 'y'), (2, 'y'), (3, NULL), "
        "(3, NULL), (4, 'z');");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameMultiset("bag");
  EXPECT_EQ(W("SELECT count(*) FROM public.bag")[0][0], "8");

  // One of three identical rows deleted, one of two updated, one NULL-holding row
  // deleted, duplicates inserted; each statement its own transaction.
  PgExec(dsn_, "DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE k = 1 LIMIT 1)");
  PgExec(dsn_, "UPDATE bag SET v = 'y2' WHERE ctid = (SELECT ctid FROM bag WHERE k = 2 LIMIT 1)");
  PgExec(dsn_, "DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE k = 3 LIMIT 1)");
  PgExec(dsn_, "INSERT INTO bag VALUES (4, 'z'), (4, 'z'), (5, 'w')");
  // Within one transaction: insert two, delete one of them, update one copy to equal another row.
  PgExec(dsn_, "BEGIN;"
               "INSERT INTO bag VALUES (6, 'q'), (6, 'q');"
               "DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE k = 6 LIMIT 1);"
               "UPDATE bag SET k = 1, v = 'x' WHERE ctid = (SELECT ctid FROM bag WHERE k = 4 LIMIT 1);"
               "COMMIT;");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameMultiset("bag");
  EXPECT_EQ(W("SELECT count(*) FROM public.bag WHERE k = 1")[0][0], "3");
  EXPECT_EQ(W("SELECT count(*) FROM public.bag WHERE k = 2 AND v = 'y'")[0][0], "1");
  EXPECT_EQ(W("SELECT count(*) FROM public.bag WHERE k = 3")[0][0], "1");
  // validate compares a key-less table as a multiset too.
  ExpectValidateEqual();

  // Deleting every copy and an UPDATE of all identical rows.
  PgExec(dsn_, "DELETE FROM bag WHERE k = 1");
  PgExec(dsn_, "UPDATE bag SET v = 'all' WHERE k = 4");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameMultiset("bag");
  ExpectValidateEqual();
}

TEST_P(Conformance, EveryModeEndToEndWithValidate) {
  // Per-table modes through the binary: a copy (T then R rows), then changes with a key
  // change, an unchanged TOAST value and a TRUNCATE; validate compares each mode's rows.
  PgRun("CREATE TABLE m_soft (id int PRIMARY KEY, v text, body text);"
        "CREATE TABLE m_hist (id int PRIMARY KEY, v text, body text);"
        "CREATE TABLE m_log (id int PRIMARY KEY, v text, body text);"
        "ALTER TABLE m_hist ALTER COLUMN body SET STORAGE EXTERNAL;"
        "INSERT INTO m_soft SELECT g, 'n' || g, 'b' FROM generate_series(1, 4) g;"
        "INSERT INTO m_hist SELECT g, 'n' || g, (SELECT string_agg(md5(x::text), '') FROM generate_series(1, 200) x) "
        "FROM generate_series(1, 4) g;"
        "INSERT INTO m_log SELECT g, 'n' || g, 'b' FROM generate_series(1, 4) g;");
  target_yaml_ += "  tables:\n    \"public.m_soft\": { mode: soft_delete }\n"
                  "    \"public.m_hist\": { mode: history }\n    \"public.m_log\": { mode: append }\n";
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* table : {"m_soft", "m_hist", "m_log"}) {
    PgRun(std::string("UPDATE ") + table + " SET v = 'u' WHERE id = 1;"
          "DELETE FROM " + table + " WHERE id = 2;"
          "UPDATE " + table + " SET id = 30 WHERE id = 3;");
  }
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(W("SELECT CAST(t.id AS VARCHAR), t.v, CAST(t._wharf_deleted AS VARCHAR) FROM public.m_soft t "
              "ORDER BY t.id"),
            (Rows{{"1", "u", "false"}, {"2", "n2", "true"}, {"3", "n3", "true"}, {"4", "n4", "false"},
                  {"30", "n3", "false"}}));
  // The TOASTed body of key 1 carried from the copied version into the update's.
  EXPECT_EQ(W("SELECT t._wharf_op, t.v, CAST(length(t.body) AS VARCHAR) FROM public.m_hist t WHERE t.id = 1 "
              "ORDER BY t._wharf_lsn, t._wharf_seq"),
            (Rows{{"R", "n1", "6400"}, {"U", "u", "6400"}}));
  EXPECT_EQ(W("SELECT count(*) FROM public.m_hist t WHERE t._wharf_valid_to IS NULL"), (Rows{{"3"}}));
  EXPECT_EQ(W("SELECT count(*) FROM public.m_log t WHERE t._wharf_op IN ('U', 'D')"), (Rows{{"4"}}));
  auto v = Wharf({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find("append mode"), std::string::npos) << v.output;

  PgRun("TRUNCATE m_soft, m_hist; INSERT INTO m_soft VALUES (7, 'x', 'y'); INSERT INTO m_hist VALUES (7, 'x', 'y')");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(W("SELECT count(*) FROM public.m_soft t WHERE NOT t._wharf_deleted"), (Rows{{"1"}}));
  EXPECT_EQ(W("SELECT count(*) FROM public.m_hist t WHERE t._wharf_op = 'T'"), (Rows{{"3"}}))
      << "one per current version (the copy's own TRUNCATE met an empty table)";
  v = Wharf({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

TEST_P(Conformance, ValidateCountsCopiesOfKeylessRows) {
  PgRun("CREATE TABLE bag (k int, v text); ALTER TABLE bag REPLICA IDENTITY FULL;"
        "INSERT INTO bag VALUES (1, 'x'), (1, 'x'), (2, 'y');");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  ExpectValidateEqual();
  // One copy too many in the warehouse, one row missing.
  WExec("INSERT INTO public.bag (k, v) VALUES (1, 'x');"
                       "DELETE FROM public.bag WHERE k = 2;");
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not in source: (k,v)=(1,x)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing in warehouse: (k,v)=(2,y)"), std::string::npos) << r.output;
}

TEST_P(Conformance, UnchangedToastValuesLandExactlyUnderDefaultAndFullIdentity) {
  // 100 kB of md5 hex: pglz cannot shrink it enough, so it is stored out of line
  // and updates that do not touch it send it as an unchanged TOAST value.
  PgRun("CREATE FUNCTION wide() RETURNS text LANGUAGE sql VOLATILE AS "
        "$$ SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 3125) $$;"
        "CREATE TABLE docs_d (id int PRIMARY KEY, n int, body text);"
        "CREATE TABLE docs_f (id int PRIMARY KEY, n int, body text);"
        "ALTER TABLE docs_f REPLICA IDENTITY FULL;"
        "INSERT INTO docs_d SELECT g, 0, wide() FROM generate_series(1, 8) g;"
        "INSERT INTO docs_f SELECT * FROM docs_d;");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> tables = {"docs_d", "docs_f"};
  auto each = [&](const std::string& sql_with_t) {
    std::string all;
    for (const auto& t : tables) {
      std::string s = sql_with_t;
      for (size_t p; (p = s.find("$T")) != std::string::npos;) s.replace(p, 2, t);
      all += s;
    }
    return all;
  };

  // Several updates to one key in one transaction (one batch), only some of which
  // change the wide column; and a key whose wide column never changes.
  PgRun(each("BEGIN;"
             "UPDATE $T SET n = n + 1 WHERE id = 1;"
             "UPDATE $T SET body = wide() WHERE id = 1;"
             "UPDATE $T SET n = n + 1 WHERE id = 1;"
             "UPDATE $T SET n = n + 1 WHERE id = 2;"
             "UPDATE $T SET n = n + 1 WHERE id = 2;"
             "COMMIT;"));
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& t : tables) ExpectSameWide(t);

  // The same across separate batches: the unchanged value is then only in the warehouse
  // (DEFAULT) or in the old row (FULL).
  for (const char* sql : {"UPDATE $T SET n = n + 1 WHERE id = 3;", "UPDATE $T SET body = wide() WHERE id = 3;",
                          "UPDATE $T SET n = n + 1 WHERE id = 3;"}) {
    PgRun(each(sql));
    r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const auto& t : tables) ExpectSameWide(t);
  }

  // A key change with the wide column unchanged, then another update under the new key.
  PgRun(each("BEGIN; UPDATE $T SET id = 40 WHERE id = 4; UPDATE $T SET n = 9 WHERE id = 40; COMMIT;"));
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& t : tables) ExpectSameWide(t);

  // One change per chunk: the later updates fill from what earlier chunks of the same
  // warehouse transaction wrote.
  PgRun(each("BEGIN;"
             "UPDATE $T SET body = wide() WHERE id = 5;"
             "UPDATE $T SET n = n + 1 WHERE id = 5;"
             "UPDATE $T SET n = n + 1 WHERE id = 6;"
             "UPDATE $T SET body = wide(), n = 7 WHERE id = 6;"
             "UPDATE $T SET n = n + 1 WHERE id = 6;"
             "DELETE FROM $T WHERE id = 7;"
             "INSERT INTO $T VALUES (7, 70, wide());"
             "UPDATE $T SET n = 71 WHERE id = 7;"
             "COMMIT;"));
  r = RunOnceChunked(1);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& t : tables) ExpectSameWide(t);
  EXPECT_EQ(W("SELECT min(length(body)) FROM public.docs_d")[0][0], "100000");

  // The test means something only if PostgreSQL really left the values out.
  EXPECT_GT(StagedUnchanged("docs_d"), 5u);
  EXPECT_GT(StagedUnchanged("docs_f"), 5u);
  ExpectValidateEqual();
}

TEST_P(Conformance, BatchSplitIntoManyChunksEqualsTheSource) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text, n int);"
        "INSERT INTO items SELECT g, 'v' || g, g FROM generate_series(1, 500) g;"
        "CREATE TABLE bag (k int, v text);"
        "ALTER TABLE bag REPLICA IDENTITY FULL;"
        "INSERT INTO bag SELECT g % 10, 'v' || (g % 4) FROM generate_series(1, 200) g;");
  WriteDefaultConfig();
  // The full load too goes through small chunks.
  auto r = RunOnceChunked(20000);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectValidateEqual();

  // One large transaction whose changes to the same keys fall into different chunks:
  // updates, deletes, re-inserts, key changes, a delete and re-insert of a range.
  PgRun("BEGIN;"
        "UPDATE items SET n = n + 1;"
        "DELETE FROM items WHERE id % 3 = 0;"
        "INSERT INTO items SELECT g, 'again', -g FROM generate_series(1, 500) g WHERE g % 3 = 0;"
        "UPDATE items SET v = v || '!' WHERE id % 5 = 0;"
        "UPDATE items SET id = id + 10000 WHERE id % 7 = 0;"
        "INSERT INTO items SELECT g, 'new', 0 FROM generate_series(600, 900) g;"
        "DELETE FROM items WHERE id BETWEEN 650 AND 700;"
        "INSERT INTO items SELECT g, 'back', 1 FROM generate_series(650, 660) g;"
        "UPDATE items SET n = n * 2 WHERE id BETWEEN 1 AND 100;"
        "INSERT INTO bag SELECT g % 10, 'v' || (g % 4) FROM generate_series(1, 300) g;"
        "DELETE FROM bag WHERE ctid IN (SELECT ctid FROM bag WHERE k = 1 LIMIT 5);"
        "UPDATE bag SET v = 'changed' WHERE ctid IN (SELECT ctid FROM bag WHERE k = 2 LIMIT 3);"
        "COMMIT;"
        "BEGIN;"
        "DELETE FROM items WHERE id > 10000;"
        "UPDATE items SET v = 'last' WHERE id % 11 = 0;"
        "DELETE FROM bag WHERE k = 3;"
        "COMMIT;");
  const size_t before = ManifestCount();
  r = RunOnceChunked(20000);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_LE(ManifestCount() - before, 2u) << "each transaction is at most one batch";
  EXPECT_NE(r.output.find("chunks"), std::string::npos) << "the batch was not split:\n" << r.output;
  EXPECT_EQ(W("SELECT count(*), count(DISTINCT id), sum(n) FROM public.items")[0],
            Pg("SELECT count(*)::text, count(DISTINCT id)::text, sum(n)::text FROM items")[0]);
  ExpectSameMultiset("bag");
  ExpectValidateEqual();
  // A TRUNCATE in the middle of a chunked batch.
  PgRun("BEGIN; UPDATE items SET n = 0 WHERE id < 50; TRUNCATE items; "
        "INSERT INTO items SELECT g, 't', g FROM generate_series(1, 300) g; "
        "UPDATE items SET v = 'tt' WHERE id < 100; COMMIT;");
  r = RunOnceChunked(5000);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(W("SELECT count(*), count(*) FILTER (WHERE v = 'tt') FROM public.items")[0],
            (std::vector<std::optional<std::string>>{"300", "99"}));
  ExpectValidateEqual();
}


TEST_P(Conformance, KillMidBatchThenRestartAppliesExactlyOnce) {
  ShopWorkload shop(dsn_);
  shop.Create(300);
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string orders = "SELECT CAST(count(*) AS VARCHAR), CAST(sum(id) AS VARCHAR) FROM public.orders";
  int round = 0;
  for (const char* fault : {"load.mid_apply", "load.before_commit", "load.after_commit"}) {
    SCOPED_TRACE(fault);
    const auto before = W(orders);
    const auto seq_before = W("SELECT CAST(batch_seq AS VARCHAR) FROM _wharf.state WHERE source = 'src'");
    shop.Round(++round);
    r = Wharf({"run", "--once"}, {std::string("WHARF_FAULT=") + fault});
    ASSERT_EQ(r.exit_code, 128 + SIGKILL) << r.output;
    if (std::string(fault) != "load.after_commit") {
      // Nothing of the killed batch is visible, not even its progress row.
      EXPECT_EQ(W(orders), before);
      EXPECT_EQ(W("SELECT CAST(batch_seq AS VARCHAR) FROM _wharf.state WHERE source = 'src'"), seq_before);
    }
    r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ExpectValidateEqual();
    EXPECT_EQ(W(orders), Pg("SELECT count(*)::text, sum(id)::text FROM orders"));
    EXPECT_EQ(W("SELECT CAST(batch_seq AS VARCHAR) FROM _wharf.state WHERE source = 'src'")[0][0],
              std::to_string(ManifestCount()));
  }
}

TEST_P(Conformance, TableAddedWhileStreamingIsHandedOverOnce) {
  PgRun("CREATE TABLE first (id int PRIMARY KEY, v text); INSERT INTO first VALUES (1, 'a');");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  // A table created later is copied under a snapshot of its own while changes to it stream.
  PgRun("CREATE TABLE late (id int PRIMARY KEY, v text);"
        "INSERT INTO late SELECT g, 'v' || g FROM generate_series(1, 500) g;");
  PgRun("UPDATE late SET v = 'u' WHERE id % 10 = 0");
  PgRun("DELETE FROM late WHERE id % 7 = 0");
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  PgRun("UPDATE late SET v = 'after' WHERE id < 50; INSERT INTO late VALUES (1000, 'new');");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(W("SELECT CAST(count(*) AS VARCHAR), CAST(count(DISTINCT id) AS VARCHAR) FROM public.late"),
            Pg("SELECT count(*)::text, count(*)::text FROM late"));
  ExpectValidateEqual();
}

TEST_P(Conformance, EveryBuiltInTypeRoundTrips) {
  PgRun(kSchema);
  PgRun(kRows);
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The stream too: the rows again under new keys, and updates of every column.
  PgRun(std::string("INSERT INTO typed SELECT id + 100, ") + kColumns + " FROM typed WHERE id < 100");
  PgRun(std::string("UPDATE typed t SET (") + kColumns + ") = (SELECT " + kColumns +
        " FROM typed s WHERE s.id = t.id % 10 + 1) WHERE id BETWEEN 101 AND 104");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(W("SELECT CAST(count(*) AS VARCHAR) FROM public.typed"), Pg("SELECT count(*)::text FROM typed"));
  if (IsPostgres()) {
    // Lossless: every value's text equals the source's, column by column, rows 1-10 included
    // (NaN, infinity, BC dates, 1,000-digit numerics, arrays with bounds, ...).
    for (const auto& col : Pg("SELECT attname FROM pg_attribute WHERE attrelid = 'typed'::regclass AND "
                              "attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      const std::string c = "\"" + *col[0] + "\"";
      // Under wharf's session settings (pg::kSessionOptions), as `wharf validate` compares.
      const std::string session =
          "SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; "
          "SET extra_float_digits = 3; SET bytea_output = hex; SET lc_monetary = 'C'; ";
      // format('%s') is the type's output function (what COPY and validate see); ::text is not
      // for every type (true::text is 'true').
      EXPECT_EQ(W(session + "SELECT t.id::text, format('%s', t." + c + ") FROM public.typed t ORDER BY t.id"),
                Pg(session + "SELECT t.id::text, format('%s', t." + c + ") FROM typed t ORDER BY t.id"))
          << *col[0];
    }
    EXPECT_EQ(W("SELECT to_regclass('_wharf.rejects') IS NULL")[0][0], "t")
        << "nothing can be rejected, so there is no rejects table";
    ExpectValidateEqual();
  } else {
    // DuckDB holds some values as NULL (listed in _wharf.rejects); types_test checks each one.
    EXPECT_NE(W("SELECT CAST(count(*) AS VARCHAR) FROM _wharf.rejects")[0][0], "0");
    ExpectValidateEqual();
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, Conformance,
                         ::testing::Values(TargetParam{"duckdb", "duckdb"}, TargetParam{"postgres", "postgres"}),
                         [](const ::testing::TestParamInfo<TargetParam>& p) { return p.param.name; });

}  // namespace
}  // namespace wharf::test
