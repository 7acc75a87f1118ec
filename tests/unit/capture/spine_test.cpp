// The capture session's LSN spine, fed with pgoutput messages decoded from
// byte buffers as the server sends them, keepalives, batch events and ticks.
#include "capture/spine.hpp"

#include <gtest/gtest.h>

#include "capture/pgoutput_decoder.hpp"
#include "unit/support/pgoutput_wire.hpp"

namespace wharf::capture {
namespace {

using test::Wire;

class SpineTest : public ::testing::Test {
 protected:
  void Begin(uint64_t final_lsn, uint32_t xid = 7) { Feed(Wire('B').I64(final_lsn).I64(0).U32(xid)); }
  void Commit(uint64_t commit_lsn, uint64_t end_lsn) { Feed(Wire('C').U8(0).I64(commit_lsn).I64(end_lsn).I64(0)); }
  // A transaction with `rows` changes staged into the open batch (opened if needed).
  void Txn(uint64_t commit_lsn, uint64_t end_lsn, int rows) {
    Begin(commit_lsn);
    for (int i = 0; i < rows && !spine_.skipping(); ++i) {
      if (!spine_.batch_open()) spine_.BatchOpened();
      spine_.Staged(Lsn(commit_lsn));
    }
    Commit(commit_lsn, end_lsn);
  }
  void Feed(const Wire& w) { spine_.OnMessage(decoder_.Decode(w.span()), spool_empty_); }

  PgOutputDecoder decoder_{2};
  bool spool_empty_ = true;
  // A previous session staged through commit 0x200 (end 0x210); the slot confirmed 0x180.
  Spine spine_{{Lsn(0x180), Lsn(0x210), Lsn(0x200)}};
};

TEST_F(SpineTest, StartsConfirmingTheLargerOfSlotAndStagedEnd) {
  EXPECT_EQ(spine_.confirmed(), Lsn(0x210));
  Spine fresh({Lsn(0x500), Lsn(0x100), Lsn()});
  EXPECT_EQ(fresh.confirmed(), Lsn(0x500));
}

TEST_F(SpineTest, TransactionsARestartAlreadyStagedAreSkipped) {
  Begin(0x200);
  EXPECT_TRUE(spine_.in_txn());
  EXPECT_TRUE(spine_.skipping());
  Commit(0x200, 0x210);
  EXPECT_FALSE(spine_.in_txn());
  EXPECT_FALSE(spine_.batch_open());
  Begin(0x201);
  EXPECT_FALSE(spine_.skipping());
  EXPECT_FALSE(spine_.StageStreamed(Lsn(0x1ff)));
  EXPECT_TRUE(spine_.StageStreamed(Lsn(0x300)));
}

TEST_F(SpineTest, ConfirmedMovesOnlyWhenABatchIsDurable) {
  Txn(0x300, 0x310, 2);
  Txn(0x320, 0x330, 1);
  EXPECT_TRUE(spine_.batch_open());
  EXPECT_EQ(spine_.batch_first(), Lsn(0x300));
  EXPECT_EQ(spine_.batch_last(), Lsn(0x320));
  EXPECT_EQ(spine_.batch_end(), Lsn(0x330));
  EXPECT_EQ(spine_.batch_txns(), 2u);
  // A keepalive or an idle tick does not confirm past an open batch.
  spine_.OnKeepalive(Lsn(0x900));
  spine_.Idle(true);
  EXPECT_EQ(spine_.confirmed(), Lsn(0x210));
  spine_.BatchDurable(Lsn(0x330));
  EXPECT_EQ(spine_.confirmed(), Lsn(0x330));
  // Idle with nothing unstaged: the server's WAL end.
  spine_.Idle(true);
  EXPECT_EQ(spine_.confirmed(), Lsn(0x900));
  // Never backwards.
  spine_.BatchOpened();
  spine_.BatchDurable(Lsn(0x400));
  EXPECT_EQ(spine_.confirmed(), Lsn(0x900));
}

TEST_F(SpineTest, ATransactionThatStagedNothingConfirmsItsEndOnlyWithNothingElseOpen) {
  Txn(0x300, 0x310, 0);
  EXPECT_EQ(spine_.confirmed(), Lsn(0x310));
  // With a streamed transaction spooled (its commit still to come), no.
  spool_empty_ = false;
  Txn(0x320, 0x330, 0);
  EXPECT_EQ(spine_.confirmed(), Lsn(0x310));
  spine_.OnKeepalive(Lsn(0x500));
  spine_.Idle(false);
  EXPECT_EQ(spine_.confirmed(), Lsn(0x310));
  // Nor with a batch open: the batch's end moves instead, once it stages.
  spool_empty_ = true;
  Txn(0x340, 0x350, 1);
  Txn(0x360, 0x370, 0);
  EXPECT_EQ(spine_.confirmed(), Lsn(0x310));
  EXPECT_EQ(spine_.batch_end(), Lsn(0x350));
}

TEST_F(SpineTest, AStreamedTransactionJoinsTheBatchWhenItCommits) {
  ASSERT_TRUE(spine_.StageStreamed(Lsn(0x600)));
  spine_.BatchOpened();
  for (int i = 0; i < 3; ++i) spine_.Staged(Lsn(0x600));
  spine_.StreamCommitted(Lsn(0x600), Lsn(0x620), true);
  EXPECT_EQ(spine_.batch_last(), Lsn(0x600));
  EXPECT_EQ(spine_.batch_end(), Lsn(0x620));
  EXPECT_EQ(spine_.wal_end(), Lsn(0x620));
}

TEST_F(SpineTest, OnceEndsAtTheTargetWithNothingOpenOrWaiting) {
  std::optional<Lsn> target = Lsn(0x700);
  EXPECT_FALSE(spine_.OnceDone(std::nullopt, true, false));
  EXPECT_FALSE(spine_.OnceDone(target, true, false));
  spine_.OnKeepalive(Lsn(0x700));
  EXPECT_TRUE(spine_.OnceDone(target, true, false));
  EXPECT_FALSE(spine_.OnceDone(target, false, false));  // a table still being copied
  EXPECT_FALSE(spine_.OnceDone(target, true, true));    // a schema change to stage
  Begin(0x710);
  EXPECT_FALSE(spine_.OnceDone(target, true, false));   // inside a transaction
  spine_.OnKeepalive(Lsn(0x100));                        // positions never go back
  EXPECT_EQ(spine_.wal_end(), Lsn(0x700));
}

TEST_F(SpineTest, BudgetPausesAndResumesOnceEach) {
  EXPECT_EQ(spine_.Budget(false), Spine::PauseChange::kNone);
  EXPECT_EQ(spine_.Budget(true), Spine::PauseChange::kPaused);
  EXPECT_TRUE(spine_.paused());
  EXPECT_EQ(spine_.Budget(true), Spine::PauseChange::kNone);
  EXPECT_EQ(spine_.Budget(false), Spine::PauseChange::kResumed);
  EXPECT_FALSE(spine_.paused());
}

}  // namespace
}  // namespace wharf::capture
