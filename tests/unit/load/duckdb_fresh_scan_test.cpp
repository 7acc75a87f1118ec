// Fresh rows appended through DuckDB's parallel INSERT (wharf_fresh_rows())
// against the one-thread appender path, in a real embedded DuckDB: the same
// rows and the same rejects land; a failing cursor rolls the batch back and
// keeps its error's kind.
#include "load/duckdb/duckdb_fresh_scan.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "core/error.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"
#include "unit/support/schema_builders.hpp"
#include "unit/support/temp_dir.hpp"

namespace wharf::load::duckdb {
namespace {

// Rows from memory; cursors share one position, as a staged file's blocks do.
class MemoryRows : public FreshRows {
 public:
  MemoryRows(const std::vector<std::vector<core::Datum>>& rows, size_t parallelism,
             uint64_t fail_after = UINT64_MAX)
      : rows_(rows), parallelism_(parallelism), fail_after_(fail_after) {}
  std::unique_ptr<Cursor> OpenCursor() override { return std::make_unique<MemoryCursor>(*this); }
  size_t parallelism() const override { return parallelism_; }
  uint64_t rows() const override { return rows_.size(); }
  std::atomic<size_t> cursors{0};

 private:
  class MemoryCursor : public Cursor {
   public:
    explicit MemoryCursor(MemoryRows& m) : m_(m) { ++m_.cursors; }
    bool Next(std::vector<core::Datum>& row) override {
      size_t i = m_.next_++;
      if (i >= m_.fail_after_) Fail(ErrorKind::kStaging, "staged file x line {} is malformed: test", i + 1);
      if (i >= m_.rows_.size()) return false;
      row = m_.rows_[i];
      return true;
    }

   private:
    MemoryRows& m_;
  };
  const std::vector<std::vector<core::Datum>>& rows_;
  size_t parallelism_;
  uint64_t fail_after_;
  std::atomic<size_t> next_{0};
};

core::RelationSchema Mixed() {
  using test::AttCol;
  namespace oid = core::oid;
  auto s = test::TableOf("items", {AttCol("id", oid::kInt8, -1, 1, true), AttCol("qty", oid::kInt4, -1, 2),
                                   AttCol("name", oid::kText, -1, 3),
                                   AttCol("price", oid::kNumeric, ((12 << 16) | 2) + 4, 4),
                                   AttCol("at", oid::kTimestampTz, -1, 5), AttCol("ok", oid::kBool, -1, 6),
                                   AttCol("day", oid::kDate, -1, 7), AttCol("u", oid::kUuid, -1, 8),
                                   AttCol("b", oid::kBytea, -1, 9), AttCol("iv", oid::kInterval, -1, 10)});
  s.oid = 31000;
  return s;
}

// NULLs in every column at different strides (so chunks and threads mix
// them), and a few values DECIMAL(12,2) cannot hold.
std::vector<std::vector<core::Datum>> MixedRows(size_t n) {
  std::vector<std::vector<core::Datum>> rows;
  for (size_t i = 0; i < n; ++i) {
    auto maybe = [&](size_t stride, std::string v) -> core::Datum {
      return i % stride == stride - 1 ? core::Datum() : core::Datum(std::move(v));
    };
    rows.push_back({std::to_string(i), maybe(7, std::to_string(i * 7919 % 100000)),
                    maybe(11, "item " + std::to_string(i) + " with a longer tail"),
                    i % 4999 == 0 ? core::Datum("NaN") : maybe(13, std::to_string(i % 100000) + ".25"),
                    maybe(17, "2024-01-01 00:00:" + std::to_string(10 + i % 50) + ".123+00"),
                    maybe(3, i % 2 ? "t" : "f"), maybe(19, i % 2 ? "2020-01-02" : "0044-03-15 BC"),
                    maybe(23, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd38" + std::to_string(1000 + i % 9000)),
                    maybe(29, "\\xdeadbeef"), maybe(31, "-1 days +02:00:00")});
  }
  return rows;
}

struct Warehouse {
  test::TempDir dir;
  core::TargetConfig target;
  std::unique_ptr<DuckDbWarehouse> w;
  explicit Warehouse(const std::string& memory_limit) {
    target.memory_limit = memory_limit;
    w = std::make_unique<DuckDbWarehouse>((dir.path() / "w.duckdb").string(), target);
  }
  void Append(FreshRows& rows, uint64_t seq = 1) {
    ASSERT_TRUE(w->BeginBatch("src", seq));
    w->AppendRows({"public", "items"}, Mixed(), Lsn(100), rows);
    w->CommitBatch(Lsn(100), Lsn(101));
  }
  std::vector<std::string> Rows(const std::string& sql) {
    auto r = w->connection().Query(sql);
    std::vector<std::string> out;
    for (uint64_t i = 0; i < r.rows(); ++i) {
      std::string line;
      for (uint64_t c = 0; c < r.columns(); ++c) line += r.GetString(i, c).value_or("NULL") + "|";
      out.push_back(line);
    }
    return out;
  }
};

constexpr const char* kMemoryLimit = "64MB";  // 16384-row groups: few rows make several threads

TEST(FreshScan, ThreadsOnlyForAFullRowGroupEach) {
  EXPECT_EQ(FreshThreads(0, 16384, 8), 1u);
  EXPECT_EQ(FreshThreads(16384, 16384, 8), 1u);
  EXPECT_EQ(FreshThreads(40959, 16384, 8), 1u);
  EXPECT_EQ(FreshThreads(40960, 16384, 8), 2u);
  EXPECT_EQ(FreshThreads(10'000'000, 16384, 8), 8u);
  EXPECT_EQ(FreshThreads(10'000'000, 122880, 1), 1u);
}

TEST(FreshScan, ParallelAndSerialPathsLandTheSameRowsAndRejects) {
  const auto rows = MixedRows(60000);
  ASSERT_GT(FreshThreads(rows.size(), RowGroupSizeFor(kMemoryLimit), 8), 1u);
  Warehouse parallel(kMemoryLimit), serial(kMemoryLimit);
  MemoryRows many(rows, 8), one(rows, 1);
  parallel.Append(many);
  serial.Append(one);
  EXPECT_GT(many.cursors.load(), 1u);  // DuckDB ran several threads' cursors
  EXPECT_EQ(one.cursors.load(), 1u);
  const std::string all =
      "SELECT CAST(COLUMNS(* EXCLUDE (_wharf_synced_at)) AS VARCHAR) FROM public.items ORDER BY id";
  auto got = parallel.Rows(all);
  ASSERT_EQ(got.size(), rows.size());
  EXPECT_EQ(got, serial.Rows(all));
  const std::string rejects =
      "SELECT table_name, key, column_name, raw_text, reason, lsn, batch_seq FROM _wharf.rejects ORDER BY key";
  auto rejected = parallel.Rows(rejects);
  EXPECT_EQ(rejected.size(), 13u);  // the NaN prices: every 4999th row of 60000
  EXPECT_EQ(rejected, serial.Rows(rejects));
  EXPECT_EQ(parallel.Rows("SELECT DISTINCT _wharf_lsn FROM public.items"), (std::vector<std::string>{"100|"}));
  // BC dates, byte strings and negative intervals by wharf's converters, not DuckDB's casts.
  EXPECT_EQ(parallel.Rows("SELECT CAST(day AS VARCHAR), octet_length(b), CAST(iv AS VARCHAR) FROM "
                          "public.items WHERE id = 2"),
            (std::vector<std::string>{"0044-03-15 (BC)|4|-1 day 02:00:00|"}));
}

TEST(FreshScan, ACursorErrorRollsTheBatchBackWithItsKind) {
  const auto rows = MixedRows(60000);
  Warehouse wh(kMemoryLimit);
  MemoryRows failing(rows, 8, 45000);
  ASSERT_TRUE(wh.w->BeginBatch("src", 1));
  try {
    wh.w->AppendRows({"public", "items"}, Mixed(), Lsn(100), failing);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.Describe();
    EXPECT_NE(e.Describe().find("is malformed: test"), std::string::npos) << e.Describe();
    EXPECT_NE(e.Describe().find("loading batch 1 of source src into public.items"), std::string::npos)
        << e.Describe();
  }
  wh.w->AbortBatch();
  EXPECT_EQ(wh.w->AppliedSeq("src"), 0u);
  // The batch applies whole on the next attempt.
  MemoryRows good(rows, 8);
  wh.Append(good);
  EXPECT_EQ(wh.Rows("SELECT count(*) FROM public.items"), (std::vector<std::string>{"60000|"}));
  EXPECT_EQ(wh.Rows("SELECT current_setting('preserve_insertion_order')"),
            (std::vector<std::string>{"true|"}));
}

}  // namespace
}  // namespace wharf::load::duckdb
