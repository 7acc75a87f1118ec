// Merging what both sides computed into differences.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "validate/diff.hpp"

namespace wharf::validate {
namespace {

TEST(Diff, SumsParseAddAndCompare) {
  // Sums of 64-bit hashes need more than 64 bits.
  EXPECT_TRUE(ParseSum("-92233720368547758080") == -static_cast<__int128>(9223372036854775807) * 10 - 10);
  EXPECT_TRUE(ParseSum("0") == 0);
  EXPECT_THROW(ParseSum("1e5"), Error);
  ChunkSums a{{0, {2, 10}}, {1, {1, -5}}};
  ChunkSums b;
  AddSums(b, {{0, {1, 4}}});
  AddSums(b, {{0, {1, 6}}, {2, {1, 1}}});
  EXPECT_EQ(b.at(0), (ChunkSum{2, 10}));
  EXPECT_EQ(DifferingChunks(a, b), (std::vector<size_t>{1, 2}));
  EXPECT_TRUE(DifferingChunks(a, a).empty());
}

std::vector<std::string> K(std::string k) { return {std::move(k)}; }

TEST(Diff, KeysMissingExtraDifferentAndDuplicated) {
  std::vector<KeyHash> source = {{K("1"), 11, {}}, {K("2"), 22, {}}, {K("3"), 33, {}}, {K("5"), 55, {}}};
  std::vector<KeyHash> warehouse = {{K("1"), 11, 100}, {K("3"), 34, 100}, {K("4"), 44, 100},
                                    {K("5"), 55, 100}, {K("5"), 55, 100}};
  auto d = DiffKeys(source, warehouse, Lsn(1000)).differences;
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].kind, DiffKind::kMissing);
  EXPECT_EQ(d[0].key, "2");
  EXPECT_EQ(d[1].kind, DiffKind::kDifferent);
  EXPECT_EQ(d[1].key, "3");
  EXPECT_EQ(d[2].kind, DiffKind::kExtra);
  EXPECT_EQ(d[2].key, "4");
  EXPECT_EQ(d[3].kind, DiffKind::kExtra);
  EXPECT_TRUE(d[3].duplicate);
  EXPECT_EQ(d[3].copies, 1u);
}

TEST(Diff, WarehouseRowsChangedAfterTheSnapshotAreLeftOut) {
  std::vector<KeyHash> source = {{K("1"), 11, {}}, {K("2"), 22, {}}};
  std::vector<KeyHash> warehouse = {{K("1"), 12, 2000}, {K("3"), 33, 2000}, {K("2"), 23, 500}};
  auto d = DiffKeys(source, warehouse, Lsn(1000));
  EXPECT_EQ(d.changed_after_snapshot, 2u);
  ASSERT_EQ(d.differences.size(), 1u);
  EXPECT_EQ(d.differences[0].key, "2");
}

TEST(Diff, CompositeKeysNeverMeetByAccident) {
  std::vector<KeyHash> source = {{{"a,b", "c"}, 1, {}}};
  std::vector<KeyHash> warehouse = {{{"a", "b,c"}, 1, {}}};
  EXPECT_EQ(DiffKeys(source, warehouse, Lsn(1)).differences.size(), 2u);
}

TEST(Diff, KeylessRowsAsMultisets) {
  std::vector<RowCount> source = {{1, 2, {"1", "x"}}, {2, 1, {"2", "y"}}};
  std::vector<RowCount> warehouse = {{1, 3, {"1", "x"}}};
  auto d = DiffMultiset(source, warehouse);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].kind, DiffKind::kExtra);
  EXPECT_EQ(d[0].key, "1,x");
  EXPECT_EQ(d[0].copies, 1u);
  EXPECT_EQ(d[1].kind, DiffKind::kMissing);
  EXPECT_EQ(d[1].key, "2,y");
}

TEST(Diff, ColumnsAndCounts) {
  EXPECT_EQ(DifferingColumns({"a", "b", "c"}, {"1", std::nullopt, "x"}, {"1", "", "y"}),
            (std::vector<std::string>{"b", "c"}));
  TableResult t;
  std::vector<Difference> ds(5);
  ds[0].kind = DiffKind::kMissing;
  ds[1].kind = DiffKind::kExtra;
  ds[1].copies = 3;
  Count(t, ds, 2);
  EXPECT_EQ(t.missing, 1u);
  EXPECT_EQ(t.extra, 3u);
  EXPECT_EQ(t.different, 3u);
  EXPECT_EQ(t.differences.size(), 2u);
  EXPECT_FALSE(t.Equal());
}

TEST(Result, TextAndJson) {
  TableResult t;
  t.source = "src";
  t.table = {"public", "t"};
  t.target = {"public", "t"};
  t.key_columns = {"id", "k"};
  Difference d;
  d.kind = DiffKind::kDifferent;
  d.key = "7,a";
  d.columns = {"price", "name"};
  Count(t, {d}, 10);
  EXPECT_EQ(Describe(t, d), "different values: (id,k)=(7,a) columns price, name");
  d.kind = DiffKind::kExtra;
  d.columns.clear();
  d.copies = 2;
  EXPECT_EQ(Describe(t, d), "not in source: (id,k)=(7,a) x2");
  Report r;
  r.tables.push_back(t);
  auto j = ToJson(r);
  EXPECT_FALSE(j["equal"].get<bool>());
  EXPECT_EQ(j["tables"][0]["differences"], 1);
  EXPECT_EQ(j["tables"][0]["different"], 1);
  EXPECT_EQ(j["tables"][0]["sample"][0]["columns"][1], "name");
  EXPECT_EQ(j["tables"][0]["table"], "public.t");
}

}  // namespace
}  // namespace wharf::validate
