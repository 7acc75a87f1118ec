// The in-memory hand-off of fresh full-load rows from copy worker to loader
// (staging::FreshCache): FreshText's blocks and counts, the cache's budget
// and eviction, BatchWriter offering a file's COPY text only once its batch is
// committed, and the loader appending those rows, against a real embedded
// DuckDB, exactly as it appends them from the staged file: escapes, NULLs,
// several blocks and DuckDB threads; and falling back to the file whenever the
// cache has no text for it.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"
#include "load/fresh_rows.hpp"
#include "load/loader.hpp"
#include "pg/copy_text.hpp"
#include "staging/batch_writer.hpp"
#include "staging/fresh_cache.hpp"
#include "staging/local_store.hpp"
#include "unit/load/fresh_fixture.hpp"

namespace wharf {
namespace {

using staging::FreshCache;
using staging::FreshText;
using namespace test::fresh;

// The whole text of `t`, which must no longer be being written.
std::string Joined(const FreshText& t) {
  std::string all;
  for (size_t i = 0; auto b = t.Block(i); ++i) all += *b;
  return all;
}

TEST(FreshText, KeepsWholeLinesInBlocksWithOneNewlineEach) {
  FreshText t;
  EXPECT_TRUE(t.Add("1\tone\n"));
  EXPECT_TRUE(t.Add("2\ttwo"));  // no newline: one is added
  EXPECT_TRUE(t.Add(""));
  t.Seal();
  EXPECT_EQ(t.rows(), 3u);
  EXPECT_EQ(Joined(t), "1\tone\n2\ttwo\n\n");

  FreshText big;
  const std::string line(1000, 'a');
  for (int i = 0; i < 3000; ++i) big.Add(line);
  big.Seal();
  EXPECT_GE(big.blocks(), 2u);
  for (size_t i = 0; i < big.blocks(); ++i) {
    std::string_view b = *big.Block(i);
    ASSERT_FALSE(b.empty());
    EXPECT_EQ(b.back(), '\n');              // no line is cut between blocks
    EXPECT_EQ(b.size() % (line.size() + 1), 0u);
    EXPECT_LE(b.size(), FreshText::kBlockBytes);
  }
  EXPECT_EQ(Joined(big), [&] {
    std::string all;
    for (int i = 0; i < 3000; ++i) all += line + "\n";
    return all;
  }());
}

// The budget counts texts being written as well as texts kept, until the
// loader drops what it took; a text that finds no room stops growing.
TEST(FreshCache, BudgetCoversTextsBeingWrittenAndKept) {
  const size_t block = FreshText::kBlockBytes;
  FreshCache cache(3 * block);
  auto a = std::make_shared<FreshText>(&cache);
  const std::string line(1000, 'x');
  while (cache.used_bytes() < 2 * block) ASSERT_TRUE(a->Add(line));  // a second block: two reserved
  EXPECT_EQ(cache.used_bytes(), 2 * block);
  auto b = std::make_shared<FreshText>(&cache);
  EXPECT_TRUE(b->Add(line));  // the third block
  uint64_t rows = 1;
  while (b->Add(line)) ++rows;  // fills its block, then finds no room for a fourth
  b->Seal();
  EXPECT_EQ(b->rows(), rows);
  EXPECT_EQ(b->blocks(), 1u);
  EXPECT_EQ(cache.used_bytes(), 3 * block);

  cache.Offer("a", a);
  a.reset();
  EXPECT_EQ(cache.kept(), 1u);
  EXPECT_EQ(cache.used_bytes(), 3 * block);  // kept texts count
  b.reset();  // dropped by its writer: its share comes back
  EXPECT_EQ(cache.used_bytes(), 2 * block);
  auto taken = cache.Take("a");
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(cache.Take("a"), nullptr);  // taken once
  EXPECT_EQ(cache.kept(), 0u);
  EXPECT_EQ(cache.used_bytes(), 2 * block);  // until the loader lets go of it
  taken.reset();
  EXPECT_EQ(cache.used_bytes(), 0u);

  // A line longer than a block gets a block of its own size, within the budget or not at all.
  auto c = std::make_shared<FreshText>(&cache);
  EXPECT_FALSE(c->Add(std::string(4 * block, 'y')));
  EXPECT_TRUE(c->Add(std::string(2 * block, 'y')));
  EXPECT_EQ(cache.used_bytes(), 2 * block + 1);
  cache.Offer("c", c);
}

TEST(FreshTextRows, ReadEveryLineAsParseCopyTextRowDoes) {
  // Fields with and without NULLs, escapes and look-alikes of both.
  const std::vector<std::string> pieces = {"", "a", "\\N", "\\\\N", "N", "x\\ty", "\\\\", "abc\\n", "\\x41",
                                           "\\101z", "9.5", "\\Nx"};
  std::mt19937 rng(7);
  for (size_t columns : {1, 3, 8}) {
    FreshText text;
    std::vector<std::string> lines;
    for (int i = 0; i < 3000; ++i) {
      std::string line;
      for (size_t c = 0; c < columns; ++c) line += (c ? "\t" : "") + pieces[rng() % pieces.size()];
      lines.push_back(line);
      text.Add(line);
    }
    text.Seal();
    // As rows of strings (Next) and as views (NextViews, the bulk path),
    // taking turns on one cursor.
    load::FreshTextRows rows(text, columns, "test");
    auto cursor = rows.OpenCursor();
    std::vector<core::Datum> got, want;
    std::vector<core::DatumView> views;
    for (size_t i = 0; i < lines.size(); ++i) {
      pg::ParseCopyTextRow(lines[i], want, columns);
      if (i % 2) {
        ASSERT_TRUE(cursor->NextViews(views));
        core::CopyRow(views, got);
      } else {
        ASSERT_TRUE(cursor->Next(got));
      }
      ASSERT_EQ(got, want) << lines[i];
    }
    EXPECT_FALSE(cursor->Next(got));
    EXPECT_FALSE(cursor->NextViews(views));
    cursor.reset();
    EXPECT_NO_THROW(rows.Finish());
  }
}

TEST(FreshHandoff, BatchWriterOffersEachFilesLinesOnceCommitted) {
  Staged st;
  auto lines = Lines(1000);
  StageFresh(st, lines, &st.cache);
  ASSERT_EQ(st.manifest.files.size(), 1u);
  auto text = st.cache.Take(st.manifest.files[0].path);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->state(), FreshText::State::kCommitted);
  EXPECT_EQ(text->rows(), 1000u);
  std::string want;
  for (const auto& l : lines) want += l;
  EXPECT_EQ(Joined(*text), want);
}

TEST(FreshHandoff, NoTextWithoutFreshOrForARowThatWasNotCopyText) {
  Staged st;
  staging::BatchOptions o;
  o.fresh_cache = &st.cache;  // not fresh: a streamed batch
  {
    staging::BatchWriter w(st.store, "src", 1, o);
    core::Change h;
    h.op = core::Op::kInsert;
    w.AddCopyText(Items(), h, Lines(1)[0]);
    w.Commit(Lsn(1), Lsn(1), Lsn(1), 1);
  }
  EXPECT_EQ(st.cache.kept(), 0u);
  EXPECT_EQ(st.cache.used_bytes(), 0u);
  o.fresh = true;
  staging::BatchWriter w(st.store, "src", 2, o);
  core::Change h;
  h.op = core::Op::kSnapshot;
  w.AddCopyText(Items(), h, Lines(1)[0]);
  h.row = {std::string("2"), std::string("x"), std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  w.Add(Items(), h);  // a parsed row: the file is no longer all COPY text
  w.Commit(Lsn(), Lsn(), Lsn(1), 0);
  EXPECT_EQ(st.cache.kept(), 0u);
  EXPECT_EQ(st.cache.used_bytes(), 0u);
}

TEST(FreshHandoff, LoaderAppendsTheKeptRowsAsItWouldTheFile) {
  // Enough rows for several blocks and two DuckDB threads (FreshThreads:
  // 1.25 row groups of 16,384 rows each under a small memory_limit).
  Staged st;
  auto lines = Lines(60000);
  StageFresh(st, lines, &st.cache);
  const auto& f = st.manifest.files[0];
  ASSERT_EQ(st.cache.kept(), 1u);
  ASSERT_GT(st.cache.used_bytes(), FreshText::kBlockBytes);
  Rows from_memory = Load(st, &st.cache, "a.duckdb", "1GB");
  EXPECT_EQ(st.cache.kept(), 0u);  // taken
  EXPECT_EQ(st.cache.used_bytes(), 0u);  // and let go
  Rows from_file = Load(st, nullptr, "b.duckdb", "1GB");
  ASSERT_EQ(from_memory.size(), lines.size() + 1);
  EXPECT_EQ(from_memory, from_file);
  EXPECT_EQ(from_memory.back()[0], std::to_string(60000 / 997));  // rejects kept alike
  EXPECT_EQ(from_memory[4][1], "tab\there\\ and\nnewline 5");
  EXPECT_EQ(from_memory[9][4], std::nullopt);
  (void)f;
}

TEST(FreshHandoff, LoaderUsesTheKeptRowsAndReadsTheFileOtherwise) {
  Staged st;
  auto lines = Lines(500);
  StageFresh(st, lines, &st.cache);
  const auto path = st.store.root() / st.manifest.files[0].path;
  // Damage the file: only a loader that reads it notices.
  {
    std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(20);
    io.put('\x7f');
  }
  Rows from_memory = Load(st, &st.cache, "a.duckdb");
  EXPECT_EQ(from_memory.size(), 501u);
  // The text is gone (taken): the next loader reads the damaged file and refuses it.
  try {
    Load(st, &st.cache, "b.duckdb");
    FAIL() << "a damaged file loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    EXPECT_NE(e.message().find(st.manifest.files[0].path), std::string::npos) << e.message();
  }
}

// Kept rows the loader will not use are freed, not left to the budget: a
// table in another load mode (its snapshot rows are planned), a batch the
// warehouse had already applied.
TEST(FreshHandoff, UnusedTextIsFreed) {
  Staged st;
  StageFresh(st, Lines(200), &st.cache);
  ASSERT_EQ(st.cache.kept(), 1u);
  core::TargetConfig target;
  target.mode = "soft_delete";
  core::SourceConfig source;
  source.name = "src";
  {
    load::duckdb::DuckDbWarehouse w((st.dir.path() / "soft.duckdb").string(), target);
    load::Loader loader(st.store, w, load::LoaderOptions{}, load::ModeRules(target), &st.cache);
    EXPECT_TRUE(loader.ApplyBatch(source, 1));
    EXPECT_EQ(st.cache.kept(), 0u);
    EXPECT_EQ(st.cache.used_bytes(), 0u);
    EXPECT_EQ(w.connection().Query("SELECT count(*) FROM public.items").GetString(0, 0), "200");
  }
  StageFresh(st, Lines(200), nullptr);  // the same batch again, now with nothing kept
  core::TargetConfig mirror;
  load::duckdb::DuckDbWarehouse w((st.dir.path() / "mirror.duckdb").string(), mirror);
  load::Loader first(st.store, w, load::LoaderOptions{}, load::ModeRules{}, nullptr);
  EXPECT_TRUE(first.ApplyBatch(source, 1));
  st.cache.Offer(st.manifest.files[0].path, std::make_shared<FreshText>());
  load::Loader again(st.store, w, load::LoaderOptions{}, load::ModeRules{}, &st.cache);
  EXPECT_FALSE(again.ApplyBatch(source, 1));  // already applied
  EXPECT_EQ(st.cache.Take(st.manifest.files[0].path), nullptr);
}

TEST(FreshHandoff, AFileWhoseTextFindsNoRoomIsReadBack) {
  Staged st;
  FreshCache small(2 * FreshText::kBlockBytes);
  StageFresh(st, Lines(20000), &small);  // ~1.5 MB of lines
  EXPECT_EQ(small.kept(), 0u);
  EXPECT_EQ(small.used_bytes(), 0u);  // what the dropped text held came back
  Rows rows = Load(st, &small, "a.duckdb");
  EXPECT_EQ(rows.size(), 20001u);
}

TEST(FreshHandoff, TextWhoseCountDisagreesWithTheManifestIsNotUsed) {
  Staged st;
  auto lines = Lines(300);
  StageFresh(st, lines, nullptr);
  auto wrong = std::make_shared<FreshText>(&st.cache);
  for (size_t i = 0; i < 299; ++i) wrong->Add(lines[i]);
  wrong->Seal();
  st.cache.Offer(st.manifest.files[0].path, wrong);
  Rows rows = Load(st, &st.cache, "a.duckdb");
  EXPECT_EQ(rows.size(), 301u);  // all 300 rows, from the file
}

}  // namespace
}  // namespace wharf
