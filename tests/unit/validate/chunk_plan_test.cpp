// Chunk boundaries from a key sample, and the SQL that puts a row into its
// chunk on each side.
#include <gtest/gtest.h>

#include <algorithm>

#include "validate/chunk_plan.hpp"

namespace wharf::validate {
namespace {

std::vector<KeyValue> Keys(int from, int to) {
  std::vector<KeyValue> out;
  for (int i = from; i <= to; ++i) out.push_back({std::to_string(i)});
  return out;
}

KeyPart IntKey(const std::string& column) {
  return {column, column, true, core::LogicalType{core::LogicalKind::kInt64}};
}

TEST(ChunkPlan, BoundariesCutTheSampleIntoChunksOfAboutChunkRows) {
  // A 10 % sample of 1000 keys: 10,000 rows, 2,500 a chunk: four chunks.
  auto b = PickBoundaries(Keys(1, 1000), 0.1, 2500, 100);
  EXPECT_EQ(b, (std::vector<KeyValue>{{"251"}, {"501"}, {"751"}}));
  EXPECT_TRUE(PickBoundaries(Keys(1, 10), 1.0, 100, 100).empty()) << "one chunk holds it all";
  EXPECT_TRUE(PickBoundaries({}, 1.0, 100, 100).empty());
  EXPECT_EQ(PickBoundaries(Keys(1, 1000), 1.0, 1, 4).size(), 3u) << "at most max_chunks";
  // Equal sampled keys never make empty chunks.
  std::vector<KeyValue> same(100, KeyValue{"7"});
  EXPECT_EQ(PickBoundaries(same, 1.0, 10, 100), (std::vector<KeyValue>{{"7"}}));
}

TEST(ChunkPlan, EvenIntegerKeysUseAGrid) {
  auto grid = EvenGrid(Keys(1, 1000), 4, 4);
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->origin, 1);
  EXPECT_EQ(grid->width, 250);
  EXPECT_EQ(grid->Boundaries(), (std::vector<KeyValue>{{"251"}, {"501"}, {"751"}}));
  ChunkSql c({IntKey("\"id\"")}, *grid, Dialect::kDuckDb);
  EXPECT_EQ(c.ChunkIdSql(true), "CASE WHEN \"id\" < 1 THEN 0 WHEN \"id\" >= 751 THEN 3 ELSE (CAST(\"id\" AS BIGINT) - (1)) / 250 END");
  EXPECT_EQ(c.ChunkIdSql(false), "CASE WHEN \"id\" < 1 THEN 0 WHEN \"id\" >= 751 THEN 3 ELSE (CAST(\"id\" AS BIGINT) - (1)) // 250 END");
  // The boundaries a chunk is drilled by are the grid's.
  EXPECT_EQ(c.ChunkWhereSql(1, true), "NOT (\"id\" < '251') AND \"id\" < '501'");
  // Skewed keys (most of them in one grid cell) keep sampled boundaries.
  auto skewed = Keys(1, 1000);
  skewed.push_back({"1000000"});
  EXPECT_FALSE(EvenGrid(skewed, 4, 4));
  EXPECT_FALSE(EvenGrid({{"-9223372036854775808"}, {"0"}, {"9223372036854775807"}}, 2, 2)) << "overflow";
  EXPECT_FALSE(EvenGrid({{"a"}, {"b"}}, 2, 2));
  EXPECT_FALSE(EvenGrid({{"10"}, {"9"}, {"11"}}, 2, 2)) << "unsorted";
  // TABLESAMPLE SYSTEM's sample of an even table: 500 of 100,000 pages of
  // 100 consecutive keys, drawn at random. Cell by cell it looks uneven;
  // runs of cells with ~32 sampled pages each do not.
  std::vector<KeyValue> even, skewed_pages;
  uint64_t draw = 12345;
  std::vector<int> picked;
  for (int i = 0; i < 500; ++i) {
    draw = draw * 6364136223846793005ull + 1442695040888963407ull;
    picked.push_back(static_cast<int>((draw >> 33) % 100000));
  }
  std::sort(picked.begin(), picked.end());
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  for (int page : picked)
    for (int k = 1; k <= 100; ++k) even.push_back({std::to_string(page * 100 + k)});
  EXPECT_TRUE(EvenGrid(even, 200, 500 / 32));
  EXPECT_FALSE(EvenGrid(even, 200, 200)) << "cell by cell, chance alone looks skewed";
  // Most pages' keys within the first 3% of the range: skewed at any resolution.
  for (size_t i = 0; i < picked.size(); ++i) {
    const int page = i % 10 == 0 ? picked[i] : picked[i] * 3 / 100;
    for (int k = 1; k <= 100; ++k) skewed_pages.push_back({std::to_string(page * 100 + k)});
  }
  std::sort(skewed_pages.begin(), skewed_pages.end(),
            [](const KeyValue& a, const KeyValue& b) { return std::stoll(a[0]) < std::stoll(b[0]); });
  EXPECT_FALSE(EvenGrid(skewed_pages, 200, 500 / 32));
  EXPECT_EQ(ChunkCount(1000, 0.1, 2500, 100), 4u);
  EXPECT_EQ(ChunkCount(0, 1.0, 1, 100), 1u);
}

TEST(ChunkPlan, BucketsForKeylessTables) {
  EXPECT_EQ(BucketCount(0, 1000, 64), 1u);
  EXPECT_EQ(BucketCount(10500, 1000, 64), 11u);
  EXPECT_EQ(BucketCount(1e9, 1000, 64), 64u);
  EXPECT_EQ(BucketSql("h", 8), "(((h) % 8) + 8) % 8");
}

TEST(ChunkPlan, RowsFindTheirChunkByBisection) {
  ChunkSql c({IntKey("\"id\"")}, {{"10"}, {"20"}, {"30"}}, Dialect::kDuckDb);
  EXPECT_EQ(c.chunks(), 4u);
  EXPECT_EQ(c.ChunkIdSql(true),
            "CASE WHEN \"id\" < '20' THEN CASE WHEN \"id\" < '10' THEN 0 ELSE 1 END ELSE "
            "CASE WHEN \"id\" < '30' THEN 2 ELSE 3 END END");
  EXPECT_EQ(c.ChunkWhereSql(0, true), "\"id\" < '10'");
  EXPECT_EQ(c.ChunkWhereSql(2, true), "NOT (\"id\" < '20') AND \"id\" < '30'");
  EXPECT_EQ(c.ChunkWhereSql(3, false), "NOT (\"id\" < CAST('30' AS BIGINT))");
  ChunkSql one({IntKey("\"id\"")}, std::vector<KeyValue>{}, Dialect::kDuckDb);
  EXPECT_EQ(one.ChunkIdSql(false), "0");
  EXPECT_EQ(one.ChunkWhereSql(0, false), "true");
}

TEST(ChunkPlan, CompositeKeysCompareLexicographically) {
  KeyPart text{"(\"b\"::text) COLLATE \"C\"", "\"b\"", false, core::LogicalType{core::LogicalKind::kText}};
  ChunkSql c({IntKey("\"a\""), text}, {{"1", "x'y"}}, Dialect::kDuckDb);
  EXPECT_EQ(c.ChunkWhereSql(0, true), "(\"a\", (\"b\"::text) COLLATE \"C\") < ('1', 'x''y')");
  EXPECT_EQ(c.ChunkWhereSql(0, false),
            "(\"a\" < CAST('1' AS BIGINT) OR (\"a\" = CAST('1' AS BIGINT) AND \"b\" < 'x''y'))");
}

TEST(ChunkPlan, DuckDbTemporalLiteralsComeFromWharfsOwnParse) {
  KeyPart date{"d", "d", true, core::LogicalType{core::LogicalKind::kDate}};
  // DuckDB's cast would read 44 BC as 44 AD.
  EXPECT_EQ(KeyLiteral(date, "0044-03-15 BC", Dialect::kDuckDb), "CAST(DATE '1970-01-01' + -735160 AS DATE)");
  EXPECT_EQ(KeyLiteral(date, "infinity", Dialect::kDuckDb), "CAST('infinity' AS DATE)");
  KeyPart tz{"t", "t", true, core::LogicalType{core::LogicalKind::kTimestampTz}};
  EXPECT_EQ(KeyLiteral(tz, "1970-01-01 00:00:01+00", Dialect::kDuckDb),
            "CAST(make_timestamp(CAST(1000000 AS BIGINT)) AS TIMESTAMPTZ)");
  EXPECT_EQ(KeyLiteral(tz, "1970-01-01 00:00:01+00", Dialect::kPostgres), "'1970-01-01 00:00:01+00'");
}

}  // namespace
}  // namespace wharf::validate
