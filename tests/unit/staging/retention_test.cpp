// Retention and the ledger marks: what is deleted and when, the order that
// keeps a crash harmless, and batch numbering surviving deleted manifests.
#include "staging/retention.hpp"

#include <gtest/gtest.h>

#include "../support/temp_dir.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "staging/batch_writer.hpp"
#include "staging/layout.hpp"
#include "staging/ledger.hpp"
#include "staging/local_store.hpp"
#include "staging/staged_log.hpp"

namespace wharf::staging {
namespace {

using namespace std::chrono_literals;

TEST(ExpiredPrefix, ForeverKeepsEverything) {
  EXPECT_EQ(ExpiredPrefix({0, 1, 2}, 1'000'000'000, std::nullopt), 0u);
}

TEST(ExpiredPrefix, StopsAtTheFirstBatchTooYoung) {
  // now = 10 s; keep 5 s: batches created at 1 s and 4 s are old enough, 6 s is not,
  // and 2 s after it stays (only a prefix goes, so kept seqs stay unbroken).
  EXPECT_EQ(ExpiredPrefix({1'000'000, 4'000'000, 6'000'000, 2'000'000}, 10'000'000, 5000ms), 2u);
  EXPECT_EQ(ExpiredPrefix({1'000'000}, 10'000'000, 0ms), 1u);
  EXPECT_EQ(ExpiredPrefix({}, 10'000'000, 0ms), 0u);
}

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest() : store_(dir_.path()) {
    schema_.oid = 42;
    schema_.table = {"public", "t"};
    schema_.columns = {{"id", 23, -1, true}};
  }
  // Batch `seq` of one transaction committed at LSN 100*seq.
  Manifest Write(uint64_t seq) {
    BatchWriter w(store_, "src", seq, {});
    core::Change c;
    c.op = core::Op::kInsert;
    c.lsn = Lsn(100 * seq);
    c.row = {std::to_string(seq)};
    w.Add(schema_, c);
    return w.Commit(Lsn(100 * seq), Lsn(100 * seq), Lsn(100 * seq + 10), 1);
  }
  size_t DataFiles() { return store_.List("src/data/").size(); }

  test::TempDir dir_{"wharf_retention"};
  LocalStore store_;
  core::RelationSchema schema_;
};

TEST_F(RetentionTest, DeletesOnlyAppliedBatches) {
  for (uint64_t s = 1; s <= 5; ++s) Write(s);
  auto r = PruneApplied(store_, "src", 3, 0ms, core::NowMicros() + 1);
  EXPECT_EQ(r.deleted, 3u);
  EXPECT_EQ(r.first_kept, 4u);
  EXPECT_EQ(ListManifests(store_, "src"), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(DataFiles(), 2u);
  auto mark = LoadRetentionMark(store_, "src");
  EXPECT_EQ(mark.deleted_through, 3u);
  EXPECT_EQ(mark.end_lsn, Lsn(310));
  EXPECT_EQ(mark.last_lsn, Lsn(300));
}

TEST_F(RetentionTest, ForeverAndYoungBatchesStay) {
  for (uint64_t s = 1; s <= 3; ++s) Write(s);
  EXPECT_EQ(PruneApplied(store_, "src", 3, std::nullopt, core::NowMicros()).deleted, 0u);
  EXPECT_EQ(PruneApplied(store_, "src", 3, 3600s, core::NowMicros()).deleted, 0u);
  EXPECT_EQ(ListManifests(store_, "src").size(), 3u);
  // An hour later they are due.
  EXPECT_EQ(PruneApplied(store_, "src", 3, 3600s, core::NowMicros() + 3601'000'000LL).deleted, 3u);
}

TEST_F(RetentionTest, NumberingAndRestartPositionSurviveDeletingEveryManifest) {
  for (uint64_t s = 1; s <= 4; ++s) Write(s);
  PruneApplied(store_, "src", 4, 0ms, core::NowMicros() + 1);
  EXPECT_TRUE(ListManifests(store_, "src").empty());
  auto tail = RecoverStagedLog(store_, "src");
  EXPECT_EQ(tail.last_seq, 4u) << "numbering must continue after the deleted batches";
  EXPECT_EQ(tail.last_lsn, Lsn(400));
  EXPECT_EQ(tail.end_lsn, Lsn(410));
  // Later batches still carry the tail when some are kept.
  Write(5);
  tail = RecoverStagedLog(store_, "src");
  EXPECT_EQ(tail.last_seq, 5u);
  EXPECT_EQ(tail.last_lsn, Lsn(500));
}

TEST_F(RetentionTest, AnInterruptedPassIsFinishedByTheNext) {
  for (uint64_t s = 1; s <= 3; ++s) Write(s);
  // A crash after the watermark was written and batch 1's data file deleted,
  // before its manifest and batches 2 and 3 went.
  RetentionMark mark;
  mark.deleted_through = 3;
  mark.cleanup_from = 1;
  mark.last_lsn = Lsn(300);
  mark.end_lsn = Lsn(310);
  SaveRetentionMark(store_, "src", mark);
  store_.Remove(ReadManifest(store_, "src", 1).files[0].path);
  // Restart recovery accepts this state: numbering continues after 3.
  EXPECT_EQ(RecoverStagedLog(store_, "src").last_seq, 3u);
  auto r = PruneApplied(store_, "src", 3, std::nullopt, core::NowMicros());
  EXPECT_EQ(r.first_kept, 4u);
  EXPECT_TRUE(ListManifests(store_, "src").empty());
  EXPECT_EQ(DataFiles(), 0u);
  EXPECT_EQ(LoadRetentionMark(store_, "src").cleanup_from, 4u);
}

TEST_F(RetentionTest, AppliedMarkRoundTripsAndACorruptMarkIsAnError) {
  EXPECT_EQ(LoadAppliedMark(store_, "src").seq, 0u);
  SaveAppliedMark(store_, "src", {7, 123});
  EXPECT_EQ(LoadAppliedMark(store_, "src").seq, 7u);
  store_.Put("src/retained.json", "{not json");
  try {
    LoadRetentionMark(store_, "src");
    ADD_FAILURE() << "a corrupt mark must not read as nothing deleted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging);
    EXPECT_NE(e.message().find("retained.json"), std::string::npos) << e.message();
  }
}

TEST_F(RetentionTest, StagedBytesAboveCountsStoredBytes) {
  auto m1 = Write(1);
  auto m2 = Write(2);
  auto pending = StagedBytesAbove(store_, "src", 1);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].first, 2u);
  EXPECT_EQ(pending[0].second, m2.files[0].bytes);
  EXPECT_GT(m1.files[0].bytes, 0u);
}

}  // namespace
}  // namespace wharf::staging
