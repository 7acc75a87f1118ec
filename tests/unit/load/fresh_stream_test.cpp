// Fresh full-load rows streamed from copy worker to loader while their file
// is still being written (staging::FreshCache::Announce, Loader::ApplyAhead):
// a FreshText read a block behind its writer, and a loader that appends the
// rows inside the batch's transaction but commits only with the batch's
// manifest, against a real embedded DuckDB. Whatever goes wrong before the
// commit (the writer gives up, wharf stops, the manifest names other rows),
// nothing is applied and the batch later loads from its file as always.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "load/loader.hpp"
#include "unit/load/fresh_fixture.hpp"

namespace wharf {
namespace {

using namespace std::chrono_literals;
using staging::FreshCache;
using staging::FreshText;
using namespace test::fresh;

// Waits up to 10 s for `cond`.
template <typename Cond>
bool Eventually(Cond cond) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(FreshText, IsReadABlockBehindItsWriter) {
  FreshText text;
  const std::string line(1000, 'r');  // 65 lines a block
  std::thread writer([&] {
    for (int i = 0; i < 5000; ++i) {
      text.Add(line + std::to_string(i % 10));
      if (i % 500 == 0) std::this_thread::sleep_for(1ms);
    }
    text.Seal();
  });
  // Blocks come whole and in order while the writer still writes; the reader
  // waits for each, and the sealed text ends.
  std::string all;
  size_t blocks = 0;
  while (auto b = text.Block(blocks)) {
    ASSERT_FALSE(b->empty());
    ASSERT_EQ(b->back(), '\n');
    all += *b;
    ++blocks;
  }
  writer.join();
  EXPECT_EQ(text.state(), FreshText::State::kSealed);
  EXPECT_EQ(blocks, text.blocks());
  EXPECT_EQ(text.rows(), 5000u);
  std::string want;
  for (int i = 0; i < 5000; ++i) want += line + std::to_string(i % 10) + "\n";
  EXPECT_EQ(all, want);
}

TEST(FreshText, CountsOnlyCompleteBlocksUntilSealed) {
  FreshText text;
  const std::string line(1000, 'c');
  while (text.blocks() == 0) text.Add(line);  // the first block is complete once a second starts
  const uint64_t in_first = text.rows();
  EXPECT_GT(in_first, 0u);
  EXPECT_TRUE(text.WaitRows(in_first));
  text.Add(line);
  EXPECT_EQ(text.rows(), in_first);  // the row in the open block is not readable yet
  text.Seal();
  EXPECT_EQ(text.rows(), in_first + 2);
  EXPECT_FALSE(text.WaitRows(in_first + 3));  // sealed with fewer: no wait
  EXPECT_TRUE(text.WaitRows(in_first + 2));
}

TEST(FreshText, ReadersWaitingOnAnAbandonedOrCancelledTextGiveUp) {
  {
    FreshText text;
    text.Add("1\ta");
    auto reader = std::async(std::launch::async, [&] { return text.Block(0); });
    EXPECT_EQ(reader.wait_for(100ms), std::future_status::timeout);  // waits: block 0 is open
    text.Abandon();
    try {
      reader.get();
      FAIL() << "a reader of an abandoned text got a block";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kStaging);
      EXPECT_NE(e.message().find("abandoned"), std::string::npos) << e.message();
    }
    EXPECT_FALSE(text.WaitCommitted());
    EXPECT_FALSE(text.WaitRows(1));
    text.Seal();  // too late: abandoned stays abandoned
    EXPECT_EQ(text.state(), FreshText::State::kAbandoned);
  }
  FreshCache cache(size_t{1} << 20);
  std::atomic<bool> stopping{false};
  cache.SetHooks(nullptr, [&] { return stopping.load(); });
  FreshText text(&cache);
  text.Add("1\ta");
  auto reader = std::async(std::launch::async, [&] { return text.WaitCommitted(); });
  EXPECT_EQ(reader.wait_for(100ms), std::future_status::timeout);
  stopping = true;
  ASSERT_EQ(reader.wait_for(5s), std::future_status::ready);
  EXPECT_THROW(reader.get(), Error);
}

// The batch a stream feeds, written in two halves around what a test does.
struct StreamedBatch {
  Staged st;
  std::vector<std::string> lines = Lines(60000);
  // memory_limit 1GB: DuckDB row groups of 16,384 rows, so 60,000 rows make
  // two threads (AppendAheadRows: 40,960).
  std::unique_ptr<load::duckdb::DuckDbWarehouse> w = OpenWarehouse(st, "w.duckdb", "1GB");
  load::Loader loader{st.store, *w, load::LoaderOptions{}, load::ModeRules{}, &st.cache};
  core::SourceConfig source = [] {
    core::SourceConfig s;
    s.name = "src";
    return s;
  }();
  std::unique_ptr<staging::BatchWriter> writer;

  // Writes the first half of batch 1, expecting all its rows, and starts a
  // loader catching up; returns once the loader has taken the stream.
  std::future<size_t> StartLoading() {
    writer = std::make_unique<staging::BatchWriter>(st.store, "src", 1, FreshBatch(&st.cache));
    writer->ExpectRows(lines.size());
    AddLines(*writer, lines, 0, lines.size() / 2);
    EXPECT_EQ(st.cache.announced(), 1u);
    auto applied = std::async(std::launch::async, [this] { return loader.CatchUp(source); });
    EXPECT_TRUE(Eventually([&] { return st.cache.announced() == 0; })) << "the loader never took the stream";
    return applied;
  }
  void Finish() {
    AddLines(*writer, lines, lines.size() / 2, lines.size());
    st.manifest = writer->Commit(Lsn(), Lsn(), Lsn(0x1000), 0);
    writer.reset();
  }
};

TEST(FreshStream, LoaderAppendsAFileAsItIsWrittenAndCommitsWithItsManifest) {
  StreamedBatch b;
  auto applied = b.StartLoading();
  // No manifest yet: the loader holds the batch open, and commits nothing.
  EXPECT_EQ(applied.wait_for(300ms), std::future_status::timeout);
  b.Finish();
  ASSERT_EQ(applied.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(applied.get(), 1u);
  EXPECT_EQ(b.w->AppliedSeq("src"), 1u);
  Rows streamed = Contents(*b.w);
  EXPECT_EQ(b.st.cache.kept(), 0u);        // the offered text was taken
  EXPECT_EQ(b.st.cache.used_bytes(), 0u);  // and let go
  // The same rows, rejects included, as a loader reading the staged file.
  Rows from_file = Load(b.st, nullptr, "file.duckdb", "1GB");
  ASSERT_EQ(streamed.size(), b.lines.size() + 1);
  EXPECT_EQ(streamed, from_file);
  EXPECT_EQ(streamed.back()[0], std::to_string(60000 / 997));
}

TEST(FreshStream, AnAbandonedStreamAppliesNothingAndTheBatchLoadsLater) {
  StreamedBatch b;
  auto applied = b.StartLoading();
  b.writer.reset();  // the copy failed before its batch was committed
  ASSERT_EQ(applied.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(applied.get(), 0u);
  EXPECT_EQ(b.w->AppliedSeq("src"), 0u);
  EXPECT_EQ(b.st.cache.used_bytes(), 0u);
  // Copied again, it loads whole.
  StageFresh(b.st, b.lines, &b.st.cache);
  EXPECT_EQ(b.loader.CatchUp(b.source), 1u);
  EXPECT_EQ(Contents(*b.w).size(), b.lines.size() + 1);
}

TEST(FreshStream, ALoaderWaitingOnAStreamStopsWhenWharfDoes) {
  StreamedBatch b;
  std::atomic<bool> stopping{false};
  b.st.cache.SetHooks(nullptr, [&] { return stopping.load(); });
  auto applied = b.StartLoading();
  stopping = true;
  ASSERT_EQ(applied.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(applied.get(), 0u);
  EXPECT_EQ(b.w->AppliedSeq("src"), 0u);
  // The copy goes on and commits; the next catch-up applies the batch whole.
  stopping = false;
  b.Finish();
  EXPECT_EQ(b.loader.CatchUp(b.source), 1u);
  EXPECT_EQ(Contents(*b.w).size(), b.lines.size() + 1);
}

TEST(FreshStream, AManifestThatNamesOtherRowsIsAppliedFromItsFile) {
  StreamedBatch b;
  // A stream of the batch's first 59,999 lines, for a file that will hold 60,000.
  auto text = std::make_shared<FreshText>(&b.st.cache);
  for (size_t i = 0; i + 1 < b.lines.size(); ++i) text->Add(b.lines[i]);
  b.st.cache.Announce({"src", 1, "src/elsewhere.jsonl.zst", Items(), Lsn(0x1000), b.lines.size(), text});
  auto applied = std::async(std::launch::async, [&] { return b.loader.CatchUp(b.source); });
  ASSERT_TRUE(Eventually([&] { return b.st.cache.announced() == 0; }));
  StageFresh(b.st, b.lines, nullptr);  // the real batch, its file and manifest
  text->Seal();
  b.st.cache.Offer("src/elsewhere.jsonl.zst", text);
  text.reset();
  ASSERT_EQ(applied.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(applied.get(), 1u);  // declined, then applied from the file
  Rows rows = Contents(*b.w);
  EXPECT_EQ(rows.size(), b.lines.size() + 1);
  EXPECT_EQ(rows[rows.size() - 2][0], "60000");
  EXPECT_EQ(b.st.cache.kept(), 0u);
}

}  // namespace
}  // namespace wharf
