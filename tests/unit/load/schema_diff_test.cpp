// Tests of the pure schema diff: which steps turn a warehouse table's columns into a source
// schema's, matched by attnum, for every kind of DDL wharf follows.
#include "load/schema_diff.hpp"

#include <gtest/gtest.h>

#include "unit/support/schema_builders.hpp"

namespace wharf::load {
namespace {

using K = SchemaStep::Kind;
namespace oid = core::oid;

using test::AttCol;

core::RelationSchema Schema(std::vector<core::Column> cols) { return test::TableOf("t", std::move(cols)); }

std::vector<core::LogicalType> Types(const core::RelationSchema& s) {
  std::vector<core::LogicalType> out;
  for (const auto& c : s.columns) out.push_back(core::MapColumnType(c));
  return out;
}

// The warehouse columns a table created from `s` has.
std::vector<WarehouseColumn> Created(const core::RelationSchema& s) {
  return DiffSchema({}, s, Types(s), DroppedColumns::kKeep).after;
}

SchemaPlan Diff(const core::RelationSchema& before, const core::RelationSchema& after,
                DroppedColumns policy = DroppedColumns::kKeep) {
  return DiffSchema(Created(before), after, Types(after), policy);
}

constexpr int32_t kVarchar10 = 10 + 4, kVarchar100 = 100 + 4;
int32_t Numeric(int p, int s) { return ((p << 16) | s) + 4; }

const core::RelationSchema kBase =
    Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("name", oid::kText, -1, 2)});

TEST(SchemaDiff, SameSchemaNeedsNothing) {
  auto plan = Diff(kBase, kBase);
  EXPECT_TRUE(plan.error.empty());
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_FALSE(plan.metadata_changed);
}

TEST(SchemaDiff, CreatedTableRecordsAttnums) {
  auto cols = Created(kBase);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0].attnum, 1);
  EXPECT_EQ(cols[1].name, "name");
  EXPECT_EQ(cols[1].attnum, 2);
  EXPECT_FALSE(cols[1].dropped);
}

TEST(SchemaDiff, AddColumnWithConstantDefaultFillsExistingRows) {
  auto after = kBase;
  after.columns.push_back(AttCol("qty", oid::kInt4, -1, 3));
  after.columns.back().missing = "7";
  auto plan = Diff(kBase, after);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].kind, K::kAdd);
  EXPECT_EQ(plan.steps[0].column, "qty");
  EXPECT_EQ(plan.steps[0].fill, std::optional<std::string>("7"));
  EXPECT_EQ(plan.steps[0].type.kind, core::LogicalKind::kInt32);
  EXPECT_TRUE(plan.metadata_changed);
}

TEST(SchemaDiff, AddColumnWithoutKnownDefaultLeavesNull) {
  auto after = kBase;
  after.columns.push_back(AttCol("at", oid::kTimestampTz, -1, 3));  // DEFAULT now(): rewritten, no missing value
  auto plan = Diff(kBase, after);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].kind, K::kAdd);
  EXPECT_FALSE(plan.steps[0].fill.has_value());
}

TEST(SchemaDiff, RenameMatchesByAttnum) {
  auto after = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("title", oid::kText, -1, 2)});
  auto plan = Diff(kBase, after);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0], (SchemaStep{K::kRename, "name", "title", {}, std::nullopt, 1}));
  EXPECT_EQ(plan.after[1].name, "title");
  EXPECT_EQ(plan.after[1].attnum, 2);
}

TEST(SchemaDiff, SwappedNamesGoThroughTemporaryNames) {
  auto before = Schema({AttCol("a", oid::kText, -1, 1), AttCol("b", oid::kText, -1, 2)});
  auto after = Schema({AttCol("b", oid::kText, -1, 1), AttCol("a", oid::kText, -1, 2)});
  auto plan = Diff(before, after);
  ASSERT_TRUE(plan.error.empty());
  // Replay the renames over the names: no step may land on a name still held.
  std::vector<std::string> names = {"a", "b"};
  for (const auto& s : plan.steps) {
    ASSERT_EQ(s.kind, K::kRename);
    auto it = std::find(names.begin(), names.end(), s.column);
    ASSERT_NE(it, names.end()) << s.column;
    ASSERT_EQ(std::find(names.begin(), names.end(), s.new_name), names.end()) << s.new_name;
    *it = s.new_name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"b", "a"}));
}

TEST(SchemaDiff, CaseOnlyRenameGoesThroughTemporaryName) {
  auto after = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("Name", oid::kText, -1, 2)});
  auto plan = Diff(kBase, after);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].column, "name");
  EXPECT_EQ(plan.steps[1].new_name, "Name");
}

TEST(SchemaDiff, DroppedColumnKeptByDefault) {
  auto after = Schema({AttCol("id", oid::kInt4, -1, 1, true)});
  auto plan = Diff(kBase, after);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_TRUE(plan.metadata_changed);
  ASSERT_EQ(plan.after.size(), 2u);
  EXPECT_EQ(plan.after[1].name, "name");
  EXPECT_TRUE(plan.after[1].dropped);
  // Kept, it stays kept without further changes.
  auto again = DiffSchema(plan.after, after, Types(after), DroppedColumns::kKeep);
  EXPECT_TRUE(again.steps.empty());
  EXPECT_FALSE(again.metadata_changed);
}

TEST(SchemaDiff, DroppedColumnDroppedUnderDropPolicy) {
  auto after = Schema({AttCol("id", oid::kInt4, -1, 1, true)});
  auto plan = Diff(kBase, after, DroppedColumns::kDrop);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].kind, K::kDrop);
  EXPECT_EQ(plan.steps[0].column, "name");
  EXPECT_EQ(plan.after.size(), 1u);
}

TEST(SchemaDiff, DropAndReAddUnderTheSameNameIsANewColumn) {
  auto after = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("name", oid::kInt8, -1, 3)});
  auto kept = Diff(kBase, after);
  ASSERT_TRUE(kept.error.empty()) << kept.error;
  ASSERT_EQ(kept.steps.size(), 2u);
  EXPECT_EQ(kept.steps[0], (SchemaStep{K::kRename, "name", "name_dropped_2", {}, std::nullopt, 0}));
  EXPECT_EQ(kept.steps[1].kind, K::kAdd);
  EXPECT_EQ(kept.steps[1].column, "name");
  auto dropped = Diff(kBase, after, DroppedColumns::kDrop);
  ASSERT_EQ(dropped.steps.size(), 2u);
  EXPECT_EQ(dropped.steps[0].kind, K::kDrop);
  EXPECT_EQ(dropped.steps[1].kind, K::kAdd);
}

TEST(SchemaDiff, IntegerWideningOnKeyAndOtherColumns) {
  auto before = Schema({AttCol("id", oid::kInt2, -1, 1, true), AttCol("n", oid::kInt4, -1, 2)});
  auto after = Schema({AttCol("id", oid::kInt8, -1, 1, true), AttCol("n", oid::kInt8, -1, 2)});
  auto plan = Diff(before, after);
  ASSERT_TRUE(plan.error.empty());
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].kind, K::kAlterType);
  EXPECT_EQ(plan.steps[0].type.kind, core::LogicalKind::kInt64);
  EXPECT_EQ(plan.steps[1].column, "n");
}

TEST(SchemaDiff, VarcharLongerAndToTextChangeNothingInTheWarehouse) {
  auto v10 = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("s", oid::kVarchar, kVarchar10, 2)});
  auto v100 = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("s", oid::kVarchar, kVarchar100, 2)});
  auto text = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("s", oid::kText, -1, 2)});
  auto a = Diff(v10, v100);
  EXPECT_TRUE(a.error.empty());
  EXPECT_TRUE(a.steps.empty());
  EXPECT_TRUE(a.metadata_changed);  // the new typmod is recorded
  auto b = Diff(v100, text);
  EXPECT_TRUE(b.error.empty());
  EXPECT_TRUE(b.steps.empty());
}

TEST(SchemaDiff, NumericGrowthWidens) {
  auto before = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("m", oid::kNumeric, Numeric(10, 2), 2)});
  auto after = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("m", oid::kNumeric, Numeric(12, 4), 2)});
  auto plan = Diff(before, after);
  ASSERT_TRUE(plan.error.empty()) << plan.error;
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].kind, K::kAlterType);
  EXPECT_EQ(plan.steps[0].type.precision, 12);
  EXPECT_EQ(plan.steps[0].type.scale, 4);
}

TEST(SchemaDiff, NarrowingStopsWithAReason) {
  auto big = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("n", oid::kInt8, -1, 2)});
  auto small = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("n", oid::kInt4, -1, 2)});
  auto plan = Diff(big, small);
  EXPECT_NE(plan.error.find("column n changed type"), std::string::npos) << plan.error;
  auto scale = Diff(Schema({AttCol("m", oid::kNumeric, Numeric(12, 4), 1)}),
                    Schema({AttCol("m", oid::kNumeric, Numeric(12, 2), 1)}));
  EXPECT_FALSE(scale.error.empty());
  auto digits = Diff(Schema({AttCol("m", oid::kNumeric, Numeric(12, 2), 1)}),
                     Schema({AttCol("m", oid::kNumeric, Numeric(14, 6), 1)}));
  EXPECT_FALSE(digits.error.empty());  // 10 integer digits down to 8
}

TEST(SchemaDiff, IncompatibleTypeStops) {
  auto plan = Diff(Schema({AttCol("v", oid::kText, -1, 1)}), Schema({AttCol("v", oid::kInt4, -1, 1)}));
  EXPECT_FALSE(plan.error.empty());
  auto ts = Diff(Schema({AttCol("v", oid::kTimestamp, -1, 1)}), Schema({AttCol("v", oid::kTimestampTz, -1, 1)}));
  EXPECT_FALSE(ts.error.empty());
}

TEST(SchemaDiff, WideningRules) {
  using LK = core::LogicalKind;
  auto T = [](LK k, uint8_t p = 0, uint8_t s = 0) { return core::LogicalType{k, p, s}; };
  EXPECT_TRUE(IsWidening(T(LK::kInt16), T(LK::kInt32)));
  EXPECT_TRUE(IsWidening(T(LK::kInt32), T(LK::kInt64)));
  EXPECT_FALSE(IsWidening(T(LK::kInt64), T(LK::kInt32)));
  EXPECT_TRUE(IsWidening(T(LK::kInt32), T(LK::kDecimal, 12, 2)));
  EXPECT_FALSE(IsWidening(T(LK::kInt32), T(LK::kDecimal, 10, 2)));
  EXPECT_TRUE(IsWidening(T(LK::kFloat32), T(LK::kFloat64)));
  EXPECT_FALSE(IsWidening(T(LK::kFloat64), T(LK::kFloat32)));
  EXPECT_TRUE(IsWidening(T(LK::kDecimal, 10, 2), T(LK::kDecimal, 38, 9)));
  EXPECT_TRUE(IsWidening(T(LK::kDecimal, 10, 2), T(LK::kText)));
  EXPECT_TRUE(IsWidening(T(LK::kInt64), T(LK::kText)));
  EXPECT_FALSE(IsWidening(T(LK::kText), T(LK::kJson)));
  EXPECT_FALSE(IsWidening(T(LK::kDate), T(LK::kTimestamp)));
  auto list = [](LK e) { return core::LogicalType::List(core::LogicalType{e}, 1, ','); };
  EXPECT_TRUE(IsWidening(list(LK::kInt32), list(LK::kInt64)));
  EXPECT_FALSE(IsWidening(list(LK::kInt64), list(LK::kInt32)));
  EXPECT_FALSE(IsWidening(list(LK::kInt32), list(LK::kText)));
}

TEST(SchemaDiff, UnknownAttnumsMatchByName) {
  // A table made before attnums were recorded, or a manifest without them.
  auto before = Schema({AttCol("id", oid::kInt4, -1, 0, true), AttCol("name", oid::kText, -1, 0)});
  auto after = Schema({AttCol("id", oid::kInt4, -1, 1, true), AttCol("name", oid::kText, -1, 2)});
  auto plan = Diff(before, after);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_TRUE(plan.metadata_changed);
  EXPECT_EQ(plan.after[1].attnum, 2);
}

TEST(SchemaDiff, KeptColumnComesBackWhenItsAttnumReappears) {
  // A stale schema made a column look dropped; the next one has it again.
  auto without = Schema({AttCol("id", oid::kInt4, -1, 1, true)});
  auto kept = Diff(kBase, without).after;
  auto plan = DiffSchema(kept, kBase, Types(kBase), DroppedColumns::kKeep);
  EXPECT_TRUE(plan.steps.empty());
  ASSERT_EQ(plan.after.size(), 2u);
  EXPECT_FALSE(plan.after[1].dropped);
}

TEST(SchemaDiff, ReplicaIdentityOrKeyChangeNeedsNoStep) {
  auto after = Schema({AttCol("id", oid::kInt4, -1, 1, false), AttCol("name", oid::kText, -1, 2, true)});
  auto plan = Diff(kBase, after);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_FALSE(plan.metadata_changed);
}

TEST(SchemaDiff, TablesWithoutARecordAreMatchedByNameOnce) {
  // Physical columns of a table made before _wharf.columns: wharf's own skipped, an unknown one
  // is a column the source dropped.
  auto by_fold = ColumnsByName({"ID", "name", "old", "_wharf_lsn"}, kBase, {}, true);
  ASSERT_EQ(by_fold.size(), 3u);
  EXPECT_EQ(by_fold[0].source.type_oid, oid::kInt4);
  EXPECT_FALSE(by_fold[0].source.is_key);
  EXPECT_EQ(by_fold[0].attnum, 0);
  EXPECT_FALSE(by_fold[1].dropped);
  EXPECT_TRUE(by_fold[2].dropped);
  // Exactly (PostgreSQL keeps quoted names): "ID" is not id.
  auto exact = ColumnsByName({"ID", "name"}, kBase, {}, false);
  EXPECT_TRUE(exact[0].dropped);
  EXPECT_FALSE(exact[1].dropped);
}

TEST(SchemaDiff, StopReasonNamesTheFixAndStepsDescribeThemselves) {
  EXPECT_EQ(StopReason("column n changed type", 7, {"public", "t"}),
            "column n changed type. Its changes are not loaded from batch 7 on; copy it again with "
            "`wharf resync --table public.t` (it loads again from that copy on)");
  EXPECT_EQ(DescribeStep({K::kAdd, "qty", "", {}, std::string("7"), 2}, "integer"),
            "added column qty integer (existing rows: 7)");
  EXPECT_EQ(DescribeStep({K::kRename, "a", "b", {}, std::nullopt, 0}, ""), "renamed column a to b");
  EXPECT_EQ(DescribeStep({K::kAlterType, "n", "", {}, std::nullopt, 0}, "bigint"), "column n widened to bigint");
}

}  // namespace
}  // namespace wharf::load
