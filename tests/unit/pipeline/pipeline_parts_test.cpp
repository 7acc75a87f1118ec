// The pipeline's pure parts: retry decisions, lag, throughput, the slot
// guard, the board's status document and the loader's task queue.
#include <gtest/gtest.h>

#include <thread>

#include "pipeline/board.hpp"
#include "pipeline/lag_tracker.hpp"
#include "pipeline/loader_tasks.hpp"
#include "pipeline/rate_meter.hpp"
#include "pipeline/retry_policy.hpp"
#include "pipeline/slot_guard.hpp"

namespace wharf::pipeline {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, RetriesOnlyWhatHeals) {
  RetryPolicy run(false);
  EXPECT_TRUE(run.Decide(Part::kCapture, ErrorKind::kConnection, 1).retry);
  EXPECT_TRUE(run.Decide(Part::kWarehouse, ErrorKind::kWarehouse, 1).retry);
  EXPECT_FALSE(run.Decide(Part::kCapture, ErrorKind::kWarehouse, 1).retry);
  for (auto kind : {ErrorKind::kConfig, ErrorKind::kPermission, ErrorKind::kSource, ErrorKind::kStaging,
                    ErrorKind::kProtocol, ErrorKind::kBusy, ErrorKind::kInternal}) {
    EXPECT_FALSE(run.Decide(Part::kCapture, kind, 1).retry) << ErrorKindName(kind);
    EXPECT_FALSE(run.Decide(Part::kWarehouse, kind, 1).retry) << ErrorKindName(kind);
  }
}

TEST(RetryPolicy, BacksOffExponentiallyToThirtySeconds) {
  RetryPolicy run(false);
  EXPECT_EQ(run.Decide(Part::kCapture, ErrorKind::kConnection, 1).delay, milliseconds(500));
  EXPECT_EQ(run.Decide(Part::kCapture, ErrorKind::kConnection, 2).delay, milliseconds(1000));
  EXPECT_EQ(run.Decide(Part::kCapture, ErrorKind::kConnection, 4).delay, milliseconds(4000));
  EXPECT_EQ(run.Decide(Part::kCapture, ErrorKind::kConnection, 50).delay, milliseconds(30000));
}

TEST(RetryPolicy, TheWarehouseIsTriedEveryFiveSeconds) {
  RetryPolicy run(false);
  for (int attempt : {1, 5, 100}) {
    EXPECT_EQ(run.Decide(Part::kWarehouse, ErrorKind::kConnection, attempt).delay, milliseconds(5000));
    EXPECT_EQ(run.Decide(Part::kWarehouse, ErrorKind::kWarehouse, attempt).delay, milliseconds(5000));
  }
}

TEST(RetryPolicy, BatchJobsNeverWait) {
  RetryPolicy once(true);
  EXPECT_FALSE(once.Decide(Part::kCapture, ErrorKind::kConnection, 1).retry);
  EXPECT_FALSE(once.Decide(Part::kWarehouse, ErrorKind::kWarehouse, 1).retry);
}

TEST(RetryPolicy, ExitTwoForWhatNeedsAPerson) {
  EXPECT_EQ(RetryPolicy::ExitCode(ErrorKind::kConfig), 2);
  EXPECT_EQ(RetryPolicy::ExitCode(ErrorKind::kPermission), 2);
  EXPECT_EQ(RetryPolicy::ExitCode(ErrorKind::kBusy), 2);
  EXPECT_EQ(RetryPolicy::ExitCode(ErrorKind::kConnection), 1);
  EXPECT_EQ(RetryPolicy::ExitCode(ErrorKind::kSource), 1);
}

TEST(LagTracker, SecondsSinceTheSourceWasWhereTheWarehouseIs) {
  LagTracker lag;
  EXPECT_FALSE(lag.LagBytes());
  lag.SourceAt(100, Lsn(1000));
  lag.AppliedThrough(Lsn(1000));
  EXPECT_EQ(*lag.LagBytes(), 0u);
  EXPECT_EQ(*lag.LagSeconds(105), 0.0);
  lag.SourceAt(110, Lsn(2000));
  lag.SourceAt(120, Lsn(3000));
  EXPECT_EQ(*lag.LagBytes(), 2000u);
  // The source passed the applied position at 110.
  EXPECT_DOUBLE_EQ(*lag.LagSeconds(125), 15.0);
  lag.AppliedThrough(Lsn(2000));
  EXPECT_DOUBLE_EQ(*lag.LagSeconds(125), 5.0);
  lag.AppliedThrough(Lsn(1500));  // never backwards
  EXPECT_EQ(lag.applied(), Lsn(2000));
  lag.AppliedThrough(Lsn(3000));
  EXPECT_EQ(*lag.LagSeconds(130), 0.0);
}

TEST(LagTracker, AnIdleSourceKeepsTheTimeItGotThere) {
  LagTracker lag;
  lag.AppliedThrough(Lsn(10));
  lag.SourceAt(100, Lsn(50));
  lag.SourceAt(200, Lsn(50));  // no WAL written since
  EXPECT_DOUBLE_EQ(*lag.LagSeconds(210), 110.0);
}

TEST(RateMeter, CountsTheLastWindow) {
  RateMeter rate(0, 10);
  rate.Add(1, 100);
  rate.Add(5, 100);
  EXPECT_DOUBLE_EQ(rate.Rate(5), 200.0 / 5);  // younger than the window: by age
  EXPECT_DOUBLE_EQ(rate.Rate(10), 20.0);
  EXPECT_DOUBLE_EQ(rate.Rate(12), 10.0);  // the first 100 left the window
  EXPECT_DOUBLE_EQ(rate.Rate(30), 0.0);
  EXPECT_EQ(rate.total(), 200u);
}

TEST(SlotGuard, WarnsAtTheLineThenAtEachDoubling) {
  core::SlotGuardConfig config;
  config.warn_at = 1000;
  SlotGuard guard("wharf_shop", config);
  EXPECT_TRUE(guard.Observe({500, std::nullopt, "reserved"}).log.empty());
  auto first = guard.Observe({1200, std::nullopt, "reserved"});
  EXPECT_EQ(first.level, GuardLevel::kWarn);
  EXPECT_NE(first.log.find("wharf_shop"), std::string::npos) << first.log;
  EXPECT_TRUE(guard.Observe({1500, std::nullopt, "reserved"}).log.empty());
  EXPECT_FALSE(guard.Observe({2500, std::nullopt, "reserved"}).log.empty());
  EXPECT_TRUE(guard.Observe({2600, std::nullopt, "reserved"}).log.empty());
  // Back under half the line: normal again, said once.
  auto back = guard.Observe({400, std::nullopt, "reserved"});
  EXPECT_EQ(back.level, GuardLevel::kOk);
  EXPECT_FALSE(back.log.empty());
}

TEST(SlotGuard, DropsOnlyWhenConfigured) {
  core::SlotGuardConfig config;
  config.warn_at = 100;
  SlotGuard keep("s", config);
  EXPECT_EQ(keep.Observe({1u << 30, std::nullopt, "extended"}).level, GuardLevel::kWarn);
  config.drop_slot_at = 1000;
  SlotGuard drop("s", config);
  auto answer = drop.Observe({1000, std::nullopt, "extended"});
  EXPECT_EQ(answer.level, GuardLevel::kDrop);
  EXPECT_NE(answer.log.find("docs/operations.md"), std::string::npos) << answer.log;
}

TEST(SlotGuard, SaysWhenPostgreSQLIsAboutToInvalidateTheSlot) {
  core::SlotGuardConfig config;
  config.warn_at = 0;
  SlotGuard guard("s", config);
  auto answer = guard.Observe({5000, int64_t{0}, "unreserved"});
  EXPECT_NE(answer.log.find("max_slot_wal_keep_size"), std::string::npos) << answer.log;
  EXPECT_TRUE(guard.Observe({5000, int64_t{0}, "unreserved"}).log.empty());
}

staging::Manifest Batch(const std::string& source, uint64_t seq, Lsn end, uint64_t inserts) {
  staging::Manifest m;
  m.source = source;
  m.seq = seq;
  m.end_lsn = end;
  staging::ManifestFile f;
  f.relation.table = {"public", "orders"};
  f.ops['I'] = inserts;
  m.files.push_back(f);
  return m;
}

TEST(Board, MergesTheReportWithLiveFacts) {
  Board board({"shop"}, 1000);
  board.Report({{"sources", {{{"name", "shop"}, {"applied_lsn", "0/64"}, {"staged_batches", 3},
                              {"applied_batches", 3}, {"tables", nlohmann::json::array()}}}}});
  SourceSample sample;
  sample.current = Lsn(0x100);
  sample.confirmed = Lsn(0x80);
  board.Sampled("shop", sample, 1001);
  board.Staged(Batch("shop", 4, Lsn(0xF0), 7), 1002);
  board.Applied(Batch("shop", 4, Lsn(0xF0), 7), 1003);
  auto status = board.Status(1004);
  const auto& s = status["sources"][0];
  EXPECT_EQ(s["lag_bytes"], 0x10);
  EXPECT_EQ(s["changes_applied"], 7);
  EXPECT_EQ(s["applied_rows_by_table"]["public.orders"]["I"], 7);
  EXPECT_TRUE(status["healthy"].get<bool>());
  EXPECT_DOUBLE_EQ(status["uptime_seconds"].get<double>(), 4.0);
}

TEST(Board, CaughtUpMeansAsCurrentAsTheSlotsConfirmedPosition) {
  Board board({"shop"}, 0);
  board.Report({{"sources", {{{"name", "shop"}, {"applied_lsn", "0/10"}, {"staged_batches", 2},
                              {"applied_batches", 2}}}}});
  SourceSample sample;
  sample.current = Lsn(0x500);
  sample.confirmed = Lsn(0x500);  // an idle slot confirmed past the last batch
  board.Sampled("shop", sample, 1);
  EXPECT_EQ(board.Status(2)["sources"][0]["lag_bytes"], 0);
  // With a batch staged and not applied, the slot's position says nothing:
  // the warehouse stays where it was.
  board.Staged(Batch("shop", 3, Lsn(0x600), 1), 2);
  sample.current = Lsn(0x700);
  sample.confirmed = Lsn(0x600);
  board.Sampled("shop", sample, 3);
  EXPECT_EQ(board.Status(4)["sources"][0]["lag_bytes"], 0x200);
  board.Applied(Batch("shop", 3, Lsn(0x600), 1), 5);
  EXPECT_EQ(board.Status(6)["sources"][0]["lag_bytes"], 0x100);
}

TEST(Board, ProblemsMakeItUnhealthy) {
  Board board({"shop"}, 0);
  board.Report({{"sources", {{{"name", "shop"}, {"capture_paused", false},
                              {"tables", {{{"table", "public.loose"}, {"phase", "held"}}}}}}}});
  auto status = board.Status(1);
  EXPECT_FALSE(status["healthy"].get<bool>());
  EXPECT_NE(status["problems"][0].get<std::string>().find("public.loose held"), std::string::npos);
  board.Logged("error", "boom", 1);
  EXPECT_EQ(board.Status(2)["errors"][0]["message"], "boom");
  EXPECT_EQ(board.Status(2)["log_counts"]["error"], 1);
}

TEST(Board, KeepsAHistoryForTheCharts) {
  Board board({"a", "b"}, 0);
  board.Tick(1);
  board.Tick(2);
  auto history = board.Status(3)["history"];
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0]["source"], "a");
  EXPECT_EQ(history[3]["t"], 2.0);
}

TEST(LoaderTasks, RunOnTheServingThreadAndRethrow) {
  LoaderTasks* tasks_ptr = nullptr;
  std::atomic<bool> stop{false};
  LoaderTasks tasks([] {});
  tasks_ptr = &tasks;
  std::thread loader([&] {
    LoaderContext ctx;
    ctx.unavailable = "down";
    while (!stop) {
      tasks_ptr->Serve(ctx);
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  std::string seen;
  std::thread::id ran_on;
  tasks.Run([&](LoaderContext& ctx) {
    seen = ctx.unavailable;
    ran_on = std::this_thread::get_id();
  });
  EXPECT_EQ(seen, "down");
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_THROW(tasks.Run([](LoaderContext&) { throw Error(ErrorKind::kWarehouse, "no"); }), Error);
  stop = true;
  loader.join();
  tasks.Close("stopping");
  try {
    tasks.Run([](LoaderContext&) {});
    FAIL() << "a closed queue must refuse";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBusy);
    EXPECT_EQ(e.message(), "stopping");
  }
}

TEST(LoaderTasks, RunWithinWithdrawsWhatTheLoaderDoesNotTakeUpInTime) {
  LoaderTasks tasks([] {});
  bool ran = false;
  // No loader serves: the task is withdrawn, and a later Serve does not run it.
  EXPECT_FALSE(tasks.RunWithin([&](LoaderContext&) { ran = true; }, milliseconds(20)));
  LoaderContext ctx;
  tasks.Serve(ctx);
  EXPECT_FALSE(ran);
  std::atomic<bool> stop{false};
  std::thread loader([&] {
    LoaderContext c;
    while (!stop) {
      tasks.Serve(c);
      std::this_thread::sleep_for(milliseconds(2));
    }
  });
  EXPECT_TRUE(tasks.RunWithin([&](LoaderContext&) { ran = true; }, milliseconds(5000)));
  EXPECT_TRUE(ran);
  EXPECT_THROW(tasks.RunWithin([](LoaderContext&) { throw Error(ErrorKind::kWarehouse, "no"); }, milliseconds(5000)),
               Error);
  stop = true;
  loader.join();
}

}  // namespace
}  // namespace wharf::pipeline
