// Tests of the loader against a real embedded DuckDB warehouse and a local staging directory:
// batches applied in chunks of any size (down to one change per chunk) end in the same state as
// a simulated source, TOAST fills read earlier chunks, key-less tables keep duplicates, rejects
// survive chunking, and a damaged file or a failure mid-batch applies nothing of the batch.
#include "load/loader.hpp"

#include <gtest/gtest.h>

#include "unit/support/temp_dir.hpp"
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "core/relation.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"
#include "staging/batch_writer.hpp"
#include "staging/codec.hpp"
#include "staging/layout.hpp"
#include "staging/local_store.hpp"
#include "staging/staged_log.hpp"

namespace wharf::load {
namespace {

namespace fs = std::filesystem;
using core::Change;
using core::Datum;
using core::Op;
using Row = std::vector<Datum>;

using test::TempDir;

// docs: id (key), n, body (TOAST-able). Identity 'd' (old key only) or 'f' (whole old row).
core::RelationSchema Docs(char identity) {
  core::RelationSchema s;
  s.oid = identity == 'f' ? 20001 : 20000;
  s.table = {"public", identity == 'f' ? "docs_full" : "docs"};
  s.replica_identity = identity;
  s.columns = {{"id", 23, -1, true}, {"n", 23, -1, false}, {"body", 25, -1, false}};
  return s;
}

// log: no key, REPLICA IDENTITY FULL.
core::RelationSchema Log() {
  core::RelationSchema s;
  s.oid = 20002;
  s.table = {"public", "log"};
  s.replica_identity = 'f';
  s.columns = {{"msg", 25, -1, false}, {"level", 23, -1, false}};
  return s;
}

// A simulated source: applies operations to its own copy of the tables and
// produces the changes pgoutput would send for them, unchanged TOAST included.
class Source {
 public:
  explicit Source(std::vector<std::pair<core::RelationSchema, Change>>& out) : out_(out) {}

  void Insert(const core::RelationSchema& s, Row row) {
    Change c = Base(Op::kInsert);
    c.row = row;
    Emit(s, std::move(c));
    if (s.KeyIndexes().empty()) log_.push_back(std::move(row));
    else Table(s)[Id(row)] = std::move(row);
  }
  // Updates the keyed row `id`: new n, optionally a new body and a new id.
  void Update(const core::RelationSchema& s, const std::string& id, const std::string& n,
              std::optional<std::string> body = std::nullopt,
              std::optional<std::string> new_id = std::nullopt) {
    Row old = Table(s).at(id);
    Row row = {new_id.value_or(id), n, body ? Datum(*body) : old[2]};
    Change c = Base(Op::kUpdate);
    c.row = row;
    if (!body && old[2]) {
      // The body is a TOASTed value the update did not touch: pgoutput leaves it out.
      c.row[2].reset();
      c.unchanged = {2};
    }
    if (s.replica_identity == 'f') {
      c.old = old;
      c.has_old = true;
      c.old_kind = 'O';
    } else if (new_id) {
      c.old = {old[0], std::nullopt, std::nullopt};
      c.has_old = true;
      c.old_kind = 'K';
    }
    Emit(s, std::move(c));
    Table(s).erase(id);
    Table(s)[Id(row)] = std::move(row);
  }
  void Delete(const core::RelationSchema& s, const std::string& id) {
    Row old = Table(s).at(id);
    Change c = Base(Op::kDelete);
    c.has_old = true;
    c.old = s.replica_identity == 'f' ? old : Row{old[0], std::nullopt, std::nullopt};
    c.old_kind = s.replica_identity == 'f' ? 'O' : 'K';
    Emit(s, std::move(c));
    Table(s).erase(id);
  }
  // Key-less table: deletes one of the rows equal to `row` / updates one of them.
  void DeleteOne(const core::RelationSchema& s, const Row& row) {
    auto it = std::find(log_.begin(), log_.end(), row);
    ASSERT_NE(it, log_.end());
    log_.erase(it);
    Change c = Base(Op::kDelete);
    c.old = row;
    c.has_old = true;
    c.old_kind = 'O';
    Emit(s, std::move(c));
  }
  void UpdateOne(const core::RelationSchema& s, const Row& from, Row to) {
    auto it = std::find(log_.begin(), log_.end(), from);
    ASSERT_NE(it, log_.end());
    *it = to;
    Change c = Base(Op::kUpdate);
    c.old = from;
    c.has_old = true;
    c.old_kind = 'O';
    c.row = std::move(to);
    Emit(s, std::move(c));
  }
  void Truncate(const core::RelationSchema& s) {
    Emit(s, Base(Op::kTruncate));
    if (s.KeyIndexes().empty()) log_.clear();
    else Table(s).clear();
  }

  std::map<std::string, Row>& Table(const core::RelationSchema& s) { return keyed_[s.table.name]; }
  std::map<Row, int> LogCounts() const {
    std::map<Row, int> out;
    for (const auto& r : log_) out[r]++;
    return out;
  }
  uint64_t lsn() const { return lsn_; }

 private:
  static std::string Id(const Row& row) { return *row[0]; }
  Change Base(Op op) {
    Change c;
    c.op = op;
    c.lsn = Lsn(++lsn_);
    c.seq = static_cast<uint32_t>(lsn_);
    c.xid = 1;
    c.ts = 1795715288123456;
    return c;
  }
  void Emit(const core::RelationSchema& s, Change c) { out_.emplace_back(s, std::move(c)); }

  std::vector<std::pair<core::RelationSchema, Change>>& out_;
  std::map<std::string, std::map<std::string, Row>> keyed_;
  std::vector<Row> log_;
  uint64_t lsn_ = 1000;
};

void WriteBatch(staging::ObjectStore& store, uint64_t seq,
                const std::vector<std::pair<core::RelationSchema, Change>>& changes,
                staging::Compression compression = staging::Compression::kZstd) {
  staging::BatchWriter w(store, "src", seq, {compression});
  for (const auto& [schema, c] : changes) w.Add(schema, c);
  Lsn first = changes.front().second.lsn, last = changes.back().second.lsn;
  w.Commit(first, last, Lsn(last.value() + 1), 1);
}

std::string Body(std::mt19937& rng, size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>('a' + rng() % 26);
  return out;
}

struct Fixture {
  TempDir dir;
  staging::LocalStore store{dir.path() / "stage"};
  core::TargetConfig target;
  std::unique_ptr<duckdb::DuckDbWarehouse> warehouse;
  core::SourceConfig source;

  Fixture() {
    warehouse = std::make_unique<duckdb::DuckDbWarehouse>((dir.path() / "w.duckdb").string(), target);
    source.name = "src";
  }
  std::vector<std::vector<std::optional<std::string>>> Query(const std::string& sql) {
    auto r = warehouse->connection().Query(sql);
    std::vector<std::vector<std::optional<std::string>>> out;
    for (uint64_t i = 0; i < r.rows(); ++i) {
      out.emplace_back();
      for (uint64_t j = 0; j < r.columns(); ++j) out.back().push_back(r.GetString(i, j));
    }
    return out;
  }
  bool TableExists(const std::string& name) {
    return Query("SELECT count(*) FROM information_schema.tables WHERE table_name = '" + name +
                 "'")[0][0] == "1";
  }
  void ExpectKeyedEquals(Source& src, const core::RelationSchema& s, const std::string& where = "") {
    std::vector<std::vector<std::optional<std::string>>> want;
    for (const auto& [id, row] : src.Table(s)) want.push_back({row[0], row[1], row[2]});
    std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
      return std::stoi(*a[0]) < std::stoi(*b[0]);
    });
    auto got = Query("SELECT CAST(id AS VARCHAR), CAST(n AS VARCHAR), body FROM public." +
                     s.table.name + (where.empty() ? "" : " WHERE " + where) + " ORDER BY id");
    ASSERT_EQ(got.size(), want.size()) << s.table.name;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i][0], want[i][0]);
      EXPECT_EQ(got[i][1], want[i][1]) << "id " << *want[i][0];
      EXPECT_TRUE(got[i][2] == want[i][2]) << s.table.name << " id " << *want[i][0] << ": body "
                                           << (got[i][2] ? got[i][2]->substr(0, 20) : "NULL")
                                           << "... want "
                                           << (want[i][2] ? want[i][2]->substr(0, 20) : "NULL");
    }
  }
  void ExpectLogEquals(Source& src) {
    std::map<Row, int> got;
    for (auto& r : Query("SELECT msg, CAST(level AS VARCHAR), CAST(count(*) AS VARCHAR) FROM "
                         "public.log GROUP BY ALL"))
      got[{r[0], r[1]}] = std::stoi(*r[2]);
    EXPECT_EQ(got, src.LogCounts());
  }
};

// Two batches touching every path of the planner, many times over, so that small
// chunk sizes put chunk boundaries between related changes.
void BuildBatches(Fixture& f, Source& src, std::vector<std::pair<core::RelationSchema, Change>>& out) {
  std::mt19937 rng(42);
  const auto docs = Docs('d'), full = Docs('f'), log = Log();
  for (const auto* s : {&docs, &full}) {
    for (int i = 1; i <= 60; ++i) src.Insert(*s, {std::to_string(i), "0", Body(rng, 3000 + i)});
  }
  for (int i = 0; i < 40; ++i) src.Insert(log, {"m" + std::to_string(i % 7), std::to_string(i % 3)});
  for (const auto* s : {&docs, &full}) {
    for (int i = 1; i <= 60; i += 2) src.Update(*s, std::to_string(i), "1");  // body unchanged
    for (int i = 1; i <= 60; i += 3) src.Update(*s, std::to_string(i), "2", Body(rng, 2000));
    for (int i = 1; i <= 60; i += 2) src.Update(*s, std::to_string(i), "3");  // unchanged again
    for (int i = 5; i <= 60; i += 10) src.Delete(*s, std::to_string(i));
    for (int i = 5; i <= 60; i += 20) src.Insert(*s, {std::to_string(i), "4", "reborn"});
    src.Update(*s, "7", "5", std::nullopt, "1007");  // key change, body unchanged
    src.Update(*s, "1007", "6");                      // and again under the new key
  }
  for (int i = 0; i < 10; ++i) src.DeleteOne(log, {"m" + std::to_string(i % 7), std::to_string(i % 3)});
  src.UpdateOne(log, {"m3", "0"}, {"m3", "9"});
  src.Insert(log, {"m1", "1"});
  src.Insert(log, {"m1", "1"});
  WriteBatch(f.store, 1, out);
  out.clear();
  // Batch 2: updates whose unchanged bodies are only in the warehouse (batch 1),
  // a truncate in the middle of one table, more key-less duplicates.
  for (const auto* s : {&docs, &full}) {
    for (int i = 2; i <= 60; i += 4)
      if (src.Table(*s).count(std::to_string(i))) src.Update(*s, std::to_string(i), "7");
    src.Update(*s, "1007", "8", std::nullopt, "2007");
    if (s == &full) continue;
    src.Truncate(*s);
    for (int i = 100; i < 110; ++i) src.Insert(*s, {std::to_string(i), "9", Body(rng, 100)});
    src.Update(*s, "100", "10");
  }
  // One of three identical rows loaded by batch 1 goes, another one changes.
  ASSERT_EQ((src.LogCounts()[{"m1", "1"}]), 3);
  src.DeleteOne(log, {"m1", "1"});
  src.UpdateOne(log, {"m1", "1"}, {"m1", "7"});
  for (int i = 0; i < 5; ++i) src.Insert(log, {"dup", "1"});
  src.DeleteOne(log, {"dup", "1"});
  src.UpdateOne(log, {"dup", "1"}, {"dup", "2"});
  WriteBatch(f.store, 2, out);
}

class ChunkedLoad : public ::testing::TestWithParam<size_t> {};

TEST_P(ChunkedLoad, EndsEqualToTheSourceWhateverTheChunkSize) {
  Fixture f;
  std::vector<std::pair<core::RelationSchema, Change>> changes;
  Source src(changes);
  BuildBatches(f, src, changes);
  Loader loader(f.store, *f.warehouse, LoaderOptions{GetParam()});
  EXPECT_EQ(loader.CatchUp(f.source), 2u);
  f.ExpectKeyedEquals(src, Docs('d'));
  f.ExpectKeyedEquals(src, Docs('f'));
  f.ExpectLogEquals(src);
  EXPECT_EQ(f.warehouse->AppliedSeq("src"), 2u);
  EXPECT_EQ(f.Query("SELECT count(*) FROM _wharf.rejects")[0][0], "0");
  // Replaying is a no-op.
  EXPECT_FALSE(loader.ApplyBatch(f.source, 2));
  EXPECT_EQ(loader.CatchUp(f.source), 0u);
  f.ExpectLogEquals(src);
}

INSTANTIATE_TEST_SUITE_P(ChunkBytes, ChunkedLoad,
                         ::testing::Values(size_t{1}, size_t{5000}, size_t{64} << 10,
                                           size_t{32} << 20),
                         [](const auto& info) { return std::to_string(info.param); });

// soft_delete and history (key-less public.log stays mirror) over the same
// batches: the live rows / current versions equal the source, and the whole
// table is the same whether the batches were applied in one chunk or in
// chunks of one change.
class ChunkedModes : public ::testing::TestWithParam<std::string> {
 protected:
  // Every row of `table` as text (all columns but _wharf_synced_at), sorted.
  std::vector<std::string> Dump(const std::string& mode, size_t chunk_bytes, Source*& out_src,
                                std::unique_ptr<Fixture>& f, const std::string& live) {
    f = std::make_unique<Fixture>();
    changes_.clear();
    sources_.push_back(std::make_unique<Source>(changes_));
    out_src = sources_.back().get();
    BuildBatches(*f, *out_src, changes_);
    core::TargetConfig target;
    target.mode = mode;
    target.table_modes.push_back({"public.log", "mirror", "test"});
    Loader loader(f->store, *f->warehouse, LoaderOptions{chunk_bytes}, ModeRules(target));
    EXPECT_EQ(loader.CatchUp(f->source), 2u);
    f->ExpectKeyedEquals(*out_src, Docs('d'), live);
    f->ExpectKeyedEquals(*out_src, Docs('f'), live);
    f->ExpectLogEquals(*out_src);
    std::vector<std::string> rows;
    for (const char* t : {"docs", "docs_full"}) {
      for (auto& r : f->Query(std::string("SELECT CAST(COLUMNS(c -> c <> '_wharf_synced_at') AS VARCHAR) FROM public.") + t)) {
        std::string line = t;
        for (auto& v : r) line += "|" + v.value_or("NULL");
        rows.push_back(line);
      }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }
  std::vector<std::pair<core::RelationSchema, Change>> changes_;
  std::vector<std::unique_ptr<Source>> sources_;
};

TEST_P(ChunkedModes, EqualToTheSourceAndIndependentOfChunking) {
  const std::string mode = GetParam();
  const std::string live = mode == "history" ? "_wharf_valid_to IS NULL" : "NOT _wharf_deleted";
  Source* src = nullptr;
  std::unique_ptr<Fixture> f;
  auto whole = Dump(mode, size_t{32} << 20, src, f, live);
  auto dead = f->Query("SELECT count(*) FROM public.docs WHERE NOT (" + live + ")");
  EXPECT_NE(dead[0][0], "0");  // deleted rows / ended versions are kept
  auto one_by_one = Dump(mode, 1, src, f, live);
  EXPECT_EQ(whole.size(), one_by_one.size());
  // soft_delete keeps every key ever seen: docs 60 + 1007 + 2007 + 100..109,
  // docs_full 60 + 1007 + 2007. history: a version per change (a key change
  // two) plus a T tombstone per current version at the truncate: batch 1 has
  // 152 per table, batch 2 15 + 2 (+ 57 + 11 in docs).
  EXPECT_EQ(whole.size(), mode == "history" ? 406u : 134u);
  EXPECT_TRUE(whole == one_by_one);
}

INSTANTIATE_TEST_SUITE_P(Modes, ChunkedModes, ::testing::Values("soft_delete", "history"));

TEST(Loader, HistoryTakesUnchangedToastFromTheLatestVersionEvenAfterATruncate) {
  // A table copied again (resync: TRUNCATE, then its rows) can see an update
  // of a row before the row's copy lands; its unchanged TOAST value is in the
  // T tombstone, the key's latest version.
  Fixture f;
  const auto docs = Docs('d');
  std::vector<std::pair<core::RelationSchema, Change>> changes;
  Change ins;
  ins.op = Op::kInsert;
  ins.lsn = Lsn(100);
  ins.ts = 1795715288000000;
  ins.row = {"1", "0", std::string(3000, 'b')};
  changes.emplace_back(docs, ins);
  WriteBatch(f.store, 1, changes);
  changes.clear();
  Change t;
  t.op = Op::kTruncate;
  t.lsn = Lsn(200);
  t.ts = ins.ts + 1000000;
  changes.emplace_back(docs, t);
  Change upd;
  upd.op = Op::kUpdate;
  upd.lsn = Lsn(300);
  upd.ts = ins.ts + 2000000;
  upd.row = {"1", "1", std::nullopt};
  upd.unchanged = {2};
  changes.emplace_back(docs, upd);
  WriteBatch(f.store, 2, changes);
  core::TargetConfig target;
  target.mode = "history";
  Loader loader(f.store, *f.warehouse, LoaderOptions{size_t{32} << 20}, ModeRules(target));
  EXPECT_EQ(loader.CatchUp(f.source), 2u);
  EXPECT_EQ(f.Query("SELECT string_agg(_wharf_op, '' ORDER BY _wharf_lsn) FROM public.docs")[0][0], "ITU");
  EXPECT_EQ(f.Query("SELECT CAST(n AS VARCHAR), CAST(length(body) AS VARCHAR) FROM public.docs "
                    "WHERE _wharf_valid_to IS NULL")[0],
            (std::vector<std::optional<std::string>>{"1", "3000"}));
}

TEST(Loader, ChunkSizeComesFromTheEnvironment) {
  ::setenv("WHARF_LOAD_CHUNK_BYTES", "12345", 1);
  EXPECT_EQ(LoaderOptions::FromEnvironment().chunk_bytes, 12345u);
  ::setenv("WHARF_LOAD_CHUNK_BYTES", "12k", 1);
  EXPECT_THROW(LoaderOptions::FromEnvironment(), Error);
  ::setenv("WHARF_LOAD_CHUNK_BYTES", "0", 1);
  EXPECT_THROW(LoaderOptions::FromEnvironment(), Error);
  ::unsetenv("WHARF_LOAD_CHUNK_BYTES");
  EXPECT_EQ(LoaderOptions::FromEnvironment().chunk_bytes, size_t{16} << 20);
}

TEST(Loader, RejectsAreKeptAcrossChunks) {
  Fixture f;
  core::RelationSchema s;
  s.oid = 20010;
  s.table = {"public", "prices"};
  s.columns = {{"id", 23, -1, true}, {"price", 1700, -1, false}};  // numeric: DECIMAL(38,9)
  std::vector<std::pair<core::RelationSchema, Change>> changes;
  for (int i = 1; i <= 30; ++i) {
    Change c;
    c.op = Op::kInsert;
    c.lsn = Lsn(100 + static_cast<uint64_t>(i));
    c.row = {std::to_string(i), i % 10 == 0 ? "NaN" : std::to_string(i) + ".5"};
    changes.emplace_back(s, c);
  }
  WriteBatch(f.store, 1, changes, staging::Compression::kGzip);
  Loader loader(f.store, *f.warehouse, LoaderOptions{1});
  EXPECT_EQ(loader.CatchUp(f.source), 1u);
  EXPECT_EQ(f.Query("SELECT count(*), count(price) FROM public.prices")[0],
            (std::vector<std::optional<std::string>>{"30", "27"}));
  EXPECT_EQ(f.Query("SELECT string_agg(key, ' ' ORDER BY lsn), count(rejected_at), min(batch_seq) "
                    "FROM _wharf.rejects WHERE raw_text = 'NaN'")[0],
            (std::vector<std::optional<std::string>>{"(id)=(10) (id)=(20) (id)=(30)", "3", "1"}));
}

// Stages a batch whose second file is damaged after its manifest was written.
void StageDamagedBatch(Fixture& f, const std::function<void(const std::string& path)>& damage,
                       staging::Compression compression = staging::Compression::kZstd) {
  std::vector<std::pair<core::RelationSchema, Change>> changes;
  Source src(changes);
  for (int i = 1; i <= 100; ++i) src.Insert(Docs('d'), {std::to_string(i), "0", "b"});
  for (int i = 1; i <= 100; ++i) src.Insert(Log(), {"m", std::to_string(i)});
  WriteBatch(f.store, 1, changes, compression);
  auto m = staging::ReadManifest(f.store, "src", 1);
  ASSERT_EQ(m.files.size(), 2u);
  damage(m.files[1].path);
}

void ExpectNothingApplied(Fixture& f) {
  EXPECT_EQ(f.warehouse->AppliedSeq("src"), 0u);
  EXPECT_FALSE(f.TableExists("docs")) << "nothing of the batch may be applied";
  EXPECT_FALSE(f.TableExists("log"));
}

// Loading fails with a kStaging error saying each of `says`, and applies nothing.
void ExpectLoadRefused(Fixture& f, const std::vector<std::string>& says) {
  Loader loader(f.store, *f.warehouse, LoaderOptions{1});
  try {
    loader.CatchUp(f.source);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    for (const auto& s : says) EXPECT_NE(e.message().find(s), std::string::npos) << e.what();
  }
  ExpectNothingApplied(f);
}

TEST(Loader, TruncatedFileAppliesNothingAndNamesTheFile) {
  Fixture f;
  std::string damaged;
  StageDamagedBatch(f, [&](const std::string& path) {
    damaged = path;
    fs::resize_file(f.store.root() / path, fs::file_size(f.store.root() / path) - 3);
  });
  ExpectLoadRefused(f, {damaged, "corrupt or truncated", "nothing of batch 1 was applied"});
}

TEST(Loader, AlteredButDecodableFileAppliesNothing) {
  // A changed value that still decodes is caught by the checksum at the end
  // of the file's one pass, after its rows reached the open transaction.
  Fixture f;
  std::string damaged;
  StageDamagedBatch(f, [&](const std::string& path) {
    damaged = path;
    staging::DecodingReader in(f.store.OpenReader(path), staging::Compression::kZstd, path);
    std::string text(1 << 16, '\0');
    text.resize(in.Read(text.data(), text.size()));
    auto at = text.find(R"("m")");
    ASSERT_NE(at, std::string::npos);
    text[at + 1] = 'n';
    auto m = staging::ReadManifest(f.store, "src", 1);
    staging::EncodingWriter w(f.store.OpenWriter(path), staging::ParseCompression(m.files[1].compression));
    w.Write(text);
    w.Finish();
  });
  Loader loader(f.store, *f.warehouse, LoaderOptions{1});
  try {
    loader.CatchUp(f.source);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find(damaged), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("corrupt or truncated"), std::string::npos) << e.what();
  }
  ExpectNothingApplied(f);
}

TEST(Loader, MissingFileAppliesNothing) {
  Fixture f;
  StageDamagedBatch(f, [&](const std::string& path) { fs::remove(f.store.root() / path); });
  Loader loader(f.store, *f.warehouse);
  EXPECT_THROW(loader.CatchUp(f.source), Error);
  ExpectNothingApplied(f);
}

TEST(Loader, FailureAfterSomeChunksRollsBackTheWholeBatch) {
  // The second file matches its manifest (so verification passes) but holds a bad
  // line: the first file's chunks were applied when it fails, and must be undone.
  Fixture f;
  StageDamagedBatch(f, [&](const std::string& path) {
    auto m = staging::ReadManifest(f.store, "src", 1);
    std::string text;
    for (int i = 0; i < 50; ++i) text += R"({"op":"I","lsn":5,"seq":0,"xid":1,"ts":"1970-01-01T00:00:00.000000Z","row":{"msg":"x","level":"1"}})" "\n";
    text += "{\"op\":\"I\",\"row\":{\"msg\":7}}\n";
    staging::EncodingWriter w(f.store.OpenWriter(path), staging::Compression::kZstd);
    w.Write(text);
    w.Finish();
    m.files[1].bytes = w.stored_bytes();
    m.files[1].checksum = w.checksum();
    f.store.Put(staging::ManifestPath("src", 1), m.ToJson());
  });
  Loader loader(f.store, *f.warehouse, LoaderOptions{1});
  try {
    loader.CatchUp(f.source);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("line 51 is malformed"), std::string::npos) << e.what();
  }
  ExpectNothingApplied(f);
  // The warehouse is usable afterwards: a good batch 1 loads.
  f.store.Remove(staging::ManifestPath("src", 1));
  std::vector<std::pair<core::RelationSchema, Change>> changes;
  Source src(changes);
  src.Insert(Docs('d'), {"1", "0", "b"});
  WriteBatch(f.store, 1, changes);
  EXPECT_EQ(loader.CatchUp(f.source), 1u);
  EXPECT_EQ(f.Query("SELECT count(*) FROM public.docs")[0][0], "1");
}

// Records what the loader asks of a warehouse (to check the order of calls).
class RecordingWarehouse : public Warehouse {
 public:
  std::vector<std::string> calls;
  uint64_t applied = 0;
  uint64_t AppliedSeq(const std::string&) override { return applied; }
  bool BeginBatch(const std::string&, uint64_t seq) override {
    calls.push_back("begin " + std::to_string(seq));
    return seq > applied;
  }
  void ApplyTable(const TableBatch& t) override {
    calls.push_back("apply " + t.target.name + " " + std::to_string(t.plan.changes));
  }
  void CommitBatch(Lsn, Lsn) override { calls.push_back("commit"); }
  void AbortBatch() noexcept override { calls.push_back("abort"); }
  void RecordHeldTables(const std::string&, const std::map<std::string, std::string>&) override {}
  std::vector<SourceProgress> Progress() override { return {}; }
  std::optional<uint64_t> CountRows(const core::TableName&) override { return std::nullopt; }
  TableDiff Compare(const core::TableName&, const core::RelationSchema&, const RowProducer&,
                    size_t) override {
    return {};
  }
};

TEST(Loader, CorruptFileFailsItsBatchWhichIsAbortedNotCommitted) {
  // Files are checked in the pass that applies them: a damaged one fails the
  // batch, which the warehouse rolls back, naming the file.
  Fixture f;
  StageDamagedBatch(f, [&](const std::string& path) {
    std::string stored = f.store.Read(path);
    stored[stored.size() / 2] ^= 1;
    f.store.Put(path, stored);
  });
  RecordingWarehouse w;
  Loader loader(f.store, w, LoaderOptions{1});
  try {
    loader.CatchUp(f.source);
    ADD_FAILURE() << "a corrupt file was loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    EXPECT_NE(e.message().find("corrupt or truncated"), std::string::npos) << e.what();
  }
  ASSERT_FALSE(w.calls.empty());
  EXPECT_EQ(w.calls.front(), "begin 1");
  EXPECT_EQ(w.calls.back(), "abort");
  EXPECT_EQ(std::count(w.calls.begin(), w.calls.end(), "commit"), 0);
}

// Rewrites batch 1's manifest as a wharf before xxh128 wrote it: each file's
// checksum under key "sha256", as the bare hex SHA-256 of its stored bytes.
void MakeManifestOldStyle(Fixture& f) {
  auto m = staging::ReadManifest(f.store, "src", 1);
  std::string text = m.ToJson();
  for (const auto& file : m.files) {
    std::string now = "\"checksum\": \"" + file.checksum + "\"";
    auto at = text.find(now);
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, now.size(),
                 "\"sha256\": \"" + staging::Sha256Hex(f.store.Read(file.path)) + "\"");
  }
  ASSERT_EQ(text.find("\"checksum\""), std::string::npos) << text;
  f.store.Put(staging::ManifestPath("src", 1), text);
}

TEST(Loader, BatchStagedWithSha256ChecksumsStillLoads) {
  Fixture f;
  StageDamagedBatch(f, [](const std::string&) {});
  MakeManifestOldStyle(f);
  EXPECT_EQ(staging::ReadManifest(f.store, "src", 1).files[1].checksum.substr(0, 7), "sha256:");
  Loader loader(f.store, *f.warehouse, LoaderOptions{1});
  EXPECT_EQ(loader.CatchUp(f.source), 1u);
  EXPECT_EQ(
      f.Query("SELECT (SELECT count(*) FROM public.docs), (SELECT count(*) FROM public.log)")[0],
      (std::vector<std::optional<std::string>>{"100", "100"}));
}

TEST(Loader, DamagedFileIsRefusedUnderEitherChecksum) {
  // Under xxh128 (as staged now) and sha256 (a batch of an earlier wharf): a
  // truncated zstd file (its frame fails, then the checksum is checked), and an
  // uncompressed one altered in place, same size and decodable, which only the
  // checksum at the end of its pass can tell.
  for (bool old_style : {false, true}) {
    for (bool truncate : {true, false}) {
      SCOPED_TRACE(std::string(old_style ? "sha256 " : "xxh128 ") +
                   (truncate ? "truncated" : "altered"));
      Fixture f;
      std::string damaged;
      StageDamagedBatch(
          f, [&](const std::string& path) { damaged = path; },
          truncate ? staging::Compression::kZstd : staging::Compression::kNone);
      if (old_style) MakeManifestOldStyle(f);
      if (truncate) {
        fs::resize_file(f.store.root() / damaged, fs::file_size(f.store.root() / damaged) - 3);
      } else {
        std::string text = f.store.Read(damaged);
        auto at = text.find(R"("m")");
        ASSERT_NE(at, std::string::npos);
        text[at + 1] = 'n';
        f.store.Put(damaged, text);
      }
      ExpectLoadRefused(f, {damaged, "corrupt or truncated"});
    }
  }
}

TEST(Loader, UnknownChecksumAlgorithmAppliesNothing) {
  Fixture f;
  StageDamagedBatch(f, [](const std::string&) {});
  auto m = staging::ReadManifest(f.store, "src", 1);
  m.files[1].checksum = "blake3:" + std::string(64, '0');
  f.store.Put(staging::ManifestPath("src", 1), m.ToJson());
  ExpectLoadRefused(f, {m.files[1].path, "'blake3'", "newer wharf"});
}

TEST(Loader, ChunksOfOneFileAreAppliedInOrderInOneBatch) {
  Fixture f;
  std::vector<std::pair<core::RelationSchema, Change>> changes;
  Source src(changes);
  for (int i = 1; i <= 10; ++i) src.Insert(Docs('d'), {std::to_string(i), "0", std::string(100, 'b')});
  WriteBatch(f.store, 1, changes);
  RecordingWarehouse w;
  // About four changes per chunk.
  Loader loader(f.store, w, LoaderOptions{4 * (sizeof(Change) + 64 + 3 * sizeof(Datum) + 100)});
  EXPECT_EQ(loader.CatchUp(f.source), 1u);
  EXPECT_EQ(w.calls, (std::vector<std::string>{"begin 1", "apply docs 4", "apply docs 4",
                                               "apply docs 2", "commit"}));
  // An already applied batch: begun, found applied, nothing else.
  w.calls.clear();
  w.applied = 1;
  EXPECT_FALSE(loader.ApplyBatch(f.source, 1));
  EXPECT_EQ(w.calls, (std::vector<std::string>{"begin 1"}));
}

}  // namespace
}  // namespace wharf::load
