#include "staging/staged_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "staging/batch_writer.hpp"
#include "staging/layout.hpp"
#include "staging/local_store.hpp"

namespace wharf::staging {
namespace {

class StagedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("wharf-staged-log-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store_ = std::make_unique<LocalStore>(dir_);
    schema_.oid = 42;
    schema_.table = {"public", "t"};
    schema_.columns = {{"id", 23, -1, true}};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Manifest Write(uint64_t seq, Lsn first, Lsn last, Lsn end) {
    BatchWriter w(*store_, "src", seq, {});
    core::Change c;
    c.op = core::Op::kInsert;
    c.lsn = last;
    c.row = {std::string("1")};
    w.Add(schema_, c);
    return w.Commit(first, last, end, last.IsValid() ? 1 : 0);
  }

  std::filesystem::path dir_;
  std::unique_ptr<LocalStore> store_;
  core::RelationSchema schema_;
};

TEST_F(StagedLogTest, EmptyStoreHasNoTail) {
  auto tail = RecoverStagedLog(*store_, "src");
  EXPECT_EQ(tail.last_seq, 0u);
  EXPECT_FALSE(tail.last_lsn.IsValid());
}

TEST_F(StagedLogTest, SnapshotBatchesSkipNoTransaction) {
  // After a full load alone, a transaction committing exactly at the
  // consistent point must not be taken for one already staged.
  Write(1, Lsn(), Lsn(), Lsn(1000));
  Write(2, Lsn(), Lsn(), Lsn(1000));
  auto tail = RecoverStagedLog(*store_, "src");
  EXPECT_EQ(tail.last_seq, 2u);
  EXPECT_EQ(tail.end_lsn, Lsn(1000));
  EXPECT_FALSE(tail.last_lsn.IsValid());
}

TEST_F(StagedLogTest, LastCommitComesFromNewestBatchWithTransactions) {
  Write(1, Lsn(), Lsn(), Lsn(1000));
  Write(2, Lsn(1000), Lsn(1500), Lsn(1600));
  Write(3, Lsn(), Lsn(), Lsn(1600));  // a later table copy
  auto tail = RecoverStagedLog(*store_, "src");
  EXPECT_EQ(tail.last_seq, 3u);
  EXPECT_EQ(tail.last_lsn, Lsn(1500));
  EXPECT_EQ(tail.end_lsn, Lsn(1600));
}

TEST_F(StagedLogTest, UncommittedDataFilesAreRemoved) {
  Write(1, Lsn(100), Lsn(200), Lsn(300));
  // A data file for batch 2 left behind by a crash after its rename.
  store_->Put(DataPath("src", schema_.table, 0, 2, 0, "jsonl"), "{}\n");
  store_->Put(DataPath("src", schema_.table, 0, 1, 0, "jsonl.tmp-1-1"), "partial");
  auto tail = RecoverStagedLog(*store_, "src");
  EXPECT_EQ(tail.last_seq, 1u);
  for (const auto& p : store_->List("src/data/")) {
    EXPECT_EQ(DataFileSeq(p), std::optional<uint64_t>(1)) << p;
    EXPECT_EQ(p.find(".tmp-"), std::string::npos) << p;
  }
  EXPECT_EQ(store_->List("src/data/").size(), 1u);
}

}  // namespace
}  // namespace wharf::staging
