// The watermark tracker's decisions at H, fed with messages and changes as
// capture feeds them: which page rows are staged, and when a page must be
// read again (commit visibility, unchanged TOAST values, missed marks).
#include "snapshot/watermark.hpp"

#include <gtest/gtest.h>

#include "unit/support/schema_builders.hpp"

namespace wharf::snapshot {
namespace {

using test::Items;

core::Change Upd(uint32_t xid, int id, std::optional<std::string> body, bool whole_old = false) {
  core::Change c;
  c.op = core::Op::kUpdate;
  c.xid = xid;
  c.row = {std::to_string(id), "n", body};
  if (!body) c.unchanged = {2};
  if (whole_old) {
    c.has_old = true;
    c.old_kind = 'O';
    c.old = {std::to_string(id), "old", std::string("big")};
  }
  return c;
}

core::Change Ins(uint32_t xid, int id) {
  core::Change c;
  c.op = core::Op::kInsert;
  c.xid = xid;
  c.row = {std::to_string(id), "n", std::string("big")};
  return c;
}

class TrackerTest : public ::testing::Test {
 protected:
  // A chunk of page rows with ids `ids`, published on the board.
  std::shared_ptr<Chunk> Page(uint64_t id, std::vector<int> ids, std::optional<PgSnapshot> snap = std::nullopt) {
    auto c = std::make_shared<Chunk>();
    c->id = id;
    c->table = "public.items";
    c->schema = Items();
    c->key.columns = {0};
    for (int i : ids) c->rows.push_back({std::to_string(i), "n", std::string("big")});
    c->snapshot = std::move(snap);
    board_.Put(c);
    return c;
  }
  std::string L(uint64_t id) { return "L " + std::to_string(id); }
  std::string H(uint64_t id) { return "H " + std::to_string(id); }
  std::shared_ptr<Chunk> High(uint64_t id) {
    auto ev = tracker_.OnMessage(kWatermarkPrefix, H(id));
    EXPECT_EQ(ev.kind, WatermarkTracker::Event::Kind::kHigh);
    return ev.chunk;
  }

  ChunkBoard board_;
  WatermarkTracker tracker_{board_};
  core::RelationSchema items_ = Items();
};

TEST(PgSnapshotText, Parses) {
  auto s = PgSnapshot::Parse("4294967301:4294967310:4294967302,4294967305");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->xmin, 4294967301u);
  EXPECT_EQ(s->xmax, 4294967310u);
  ASSERT_EQ(s->xip.size(), 2u);
  EXPECT_EQ(s->xip[1], 4294967305u);
  auto empty = PgSnapshot::Parse("100:100:");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->xip.empty());
  EXPECT_FALSE(PgSnapshot::Parse("100"));
  EXPECT_FALSE(PgSnapshot::Parse("a:1:"));
  EXPECT_FALSE(PgSnapshot::Parse("1:2:3,,4"));
}

TEST_F(TrackerTest, TouchedKeysAreDroppedFromThePage) {
  Page(1, {1, 2, 3});
  tracker_.OnMessage(kWatermarkPrefix, L(1));
  tracker_.OnChange(items_, Upd(50, 2, std::string("new")));
  auto c = High(1);
  ASSERT_FALSE(c->void_chunk);
  ASSERT_EQ(c->rows.size(), 2u);
  EXPECT_EQ(*c->rows[0][0], "1");
  EXPECT_EQ(*c->rows[1][0], "3");
}

TEST_F(TrackerTest, ACommitBeforeLInvisibleToThePageSnapshotVoidsIt) {
  // Transaction 70 committed (and was staged) before L, but the page's
  // snapshot still saw it in progress: the page's row 2 predates it.
  tracker_.OnChange(items_, Upd(70, 2, std::string("committed")));
  Page(1, {1, 2, 3}, PgSnapshot::Parse("69:80:70"));
  tracker_.OnMessage(kWatermarkPrefix, L(1));
  auto c = High(1);
  EXPECT_TRUE(c->void_chunk);
  EXPECT_NE(c->void_reason.find("not yet visible"), std::string::npos) << c->void_reason;
  EXPECT_TRUE(c->rows.empty());
}

TEST_F(TrackerTest, ACommitBeforeLFoundByTheLow32BitsOfTheSnapshotsXid) {
  tracker_.OnChange(items_, Upd(6, 2, std::string("committed")));  // xid 6 of epoch 1
  Page(1, {1, 2}, PgSnapshot::Parse("4294967301:4294967310:4294967302"));
  tracker_.OnMessage(kWatermarkPrefix, L(1));
  EXPECT_TRUE(High(1)->void_chunk);
}

TEST_F(TrackerTest, AbandonedMarksCloseTheirWindow) {
  Page(1, {1});
  tracker_.OnMessage(kWatermarkPrefix, L(1));
  EXPECT_TRUE(tracker_.open());
  board_.Drop(1);
  Page(2, {5});
  tracker_.OnMessage(kWatermarkPrefix, L(2));
  tracker_.OnChange(items_, Upd(50, 5, std::string("x")));
  auto c = High(2);
  EXPECT_FALSE(c->void_chunk);
  EXPECT_TRUE(c->rows.empty());
  EXPECT_FALSE(tracker_.open());  // window 1 was closed when its chunk was dropped
}

TEST_F(TrackerTest, InProgressTransactionsThatCommitInsideTheWindowOrTouchOtherTablesAreFine) {
  auto other = test::TableOf("other", {{"id", 23, -1, true}});
  tracker_.OnChange(other, Ins(70, 9));  // before L, invisible, but another table
  Page(1, {1, 2, 3}, PgSnapshot::Parse("69:80:70,71"));
  tracker_.OnMessage(kWatermarkPrefix, L(1));
  tracker_.OnChange(items_, Upd(71, 3, std::string("x")));  // in progress at the snapshot, commits in the window
  auto c = High(1);
  EXPECT_FALSE(c->void_chunk) << c->void_reason;
  EXPECT_EQ(c->rows.size(), 2u);
}

TEST_F(TrackerTest, AnUnchangedToastValueOfAPageRowNoOneInTheWindowGaveVoidsIt) {
  Page(1, {1, 2, 3});
  tracker_.OnMessage(kWatermarkPrefix, L(1));
  tracker_.OnChange(items_, Upd(50, 2, std::nullopt));
  auto c = High(1);
  EXPECT_TRUE(c->void_chunk);
  EXPECT_NE(c->void_reason.find("TOAST"), std::string::npos) << c->void_reason;
}

TEST_F(TrackerTest, UnchangedToastIsFineWhenTheWindowGaveTheWholeRowOrTheKeyIsNotInThePage) {
  Page(1, {1, 2, 3});
  tracker_.OnMessage(kWatermarkPrefix, L(1));
  tracker_.OnChange(items_, Ins(50, 2));                           // re-inserted whole
  tracker_.OnChange(items_, Upd(51, 2, std::nullopt));             // then its TOAST left alone
  tracker_.OnChange(items_, Upd(52, 3, std::nullopt, true));       // REPLICA IDENTITY FULL: old row whole
  tracker_.OnChange(items_, Upd(53, 7, std::nullopt));             // a row of another page
  tracker_.OnChange(items_, Upd(54, 1, std::nullopt));             // unfillable ...
  tracker_.OnChange(items_, Upd(55, 1, std::string("whole again")));  // ... until given whole
  auto c = High(1);
  EXPECT_FALSE(c->void_chunk) << c->void_reason;
  EXPECT_TRUE(c->rows.empty());  // every page key was touched
}

TEST_F(TrackerTest, ATruncateInTheWindowVoidsThePage) {
  Page(1, {1});
  tracker_.OnMessage(kWatermarkPrefix, L(1));
  core::Change t;
  t.op = core::Op::kTruncate;
  t.xid = 60;
  tracker_.OnChange(items_, t);
  EXPECT_TRUE(High(1)->void_chunk);
}

TEST(ChunkBoardWait, ConsumedMissedOrStopped) {
  ChunkBoard board;
  std::atomic<bool> stop{false};
  auto put = [&](uint64_t id) {
    auto c = std::make_shared<Chunk>();
    c->id = id;
    board.Put(c);
  };
  put(5);
  board.Consumed(5);
  bool missed = false;
  EXPECT_TRUE(board.WaitConsumed(5, 2000, stop, &missed));
  EXPECT_FALSE(missed);

  put(6);
  board.Passed(1500);
  board.Passed(900);  // positions only move forward
  EXPECT_EQ(board.passed(), 1500u);
  board.Passed(2001);  // capture went past the H's commit without using it
  EXPECT_FALSE(board.WaitConsumed(6, 2000, stop, &missed));
  EXPECT_TRUE(missed);
  EXPECT_EQ(board.Find(6), nullptr);

  put(7);
  missed = false;
  stop = true;
  EXPECT_FALSE(board.WaitConsumed(7, 5000, stop, &missed));
  EXPECT_FALSE(missed);
}

}  // namespace
}  // namespace wharf::snapshot
