// Schema evolution in a real embedded DuckDB, below the pipeline: a table made before wharf kept
// its column record, the ALTER and the rebuild paths, and a stopped table that a truncating chunk
// brings back.
#include "load/duckdb/duckdb_schema.hpp"

#include <gtest/gtest.h>

#include "load/duckdb/duckdb_warehouse.hpp"
#include "unit/support/schema_builders.hpp"
#include "unit/support/temp_dir.hpp"

namespace wharf::load::duckdb {
namespace {

core::Column Col(std::string name, uint32_t type, int32_t attnum, bool key = false) {
  return test::AttCol(std::move(name), type, -1, attnum, key);
}

core::RelationSchema Items(std::vector<core::Column> cols) {
  auto s = test::TableOf("items", std::move(cols));
  s.oid = 30000;
  return s;
}

struct Fixture {
  test::TempDir dir;
  core::TargetConfig target;
  std::unique_ptr<DuckDbWarehouse> w;
  uint64_t seq = 0;
  Fixture() { w = std::make_unique<DuckDbWarehouse>((dir.path() / "w.duckdb").string(), target); }

  std::string One(const std::string& sql) {
    auto r = w->connection().Query(sql);
    return r.rows() ? r.GetString(0, 0).value_or("NULL") : "<none>";
  }
  // Applies one chunk of `rows` (upserts) in its own batch.
  void Apply(const core::RelationSchema& s, std::vector<std::vector<core::Datum>> rows,
             bool truncate = false, const core::RelationSchema* delete_under = nullptr) {
    ASSERT_TRUE(w->BeginBatch("src", ++seq));
    if (delete_under) {
      // A delete under the older schema, before the change, in the same transaction.
      TableBatch del{{"public", "items"}, *delete_under, LoadMode::kMirror, {}};
      del.plan.deletes.push_back({std::string("999")});
      w->ApplyTable(del);
    }
    TableBatch tb{{"public", "items"}, s, LoadMode::kMirror, {}};
    tb.plan.truncate = truncate;
    for (auto& r : rows) {
      PlannedRow row;
      row.values = std::move(r);
      row.lsn = Lsn(seq);
      tb.plan.upserts.push_back(std::move(row));
    }
    w->ApplyTable(tb);
    w->CommitBatch(Lsn(seq), Lsn(seq + 1));
  }
};

TEST(DuckDbSchema, TableWithoutARecordIsMatchedByNameOnce) {
  Fixture f;
  f.w->connection().Query(
      "CREATE SCHEMA IF NOT EXISTS public; CREATE TABLE public.items (id INTEGER, name VARCHAR, _wharf_lsn BIGINT, "
      "_wharf_synced_at TIMESTAMPTZ); INSERT INTO public.items VALUES (1, 'a', 1, now())");
  auto qty = Col("qty", core::oid::kInt4, 3);
  qty.missing = "5";
  f.Apply(Items({Col("id", core::oid::kInt4, 1, true), Col("name", core::oid::kText, 2), qty}),
          {{std::string("2"), std::string("b"), std::string("6")}});
  EXPECT_EQ(f.One("SELECT qty FROM public.items WHERE id = 1"), "5");
  EXPECT_EQ(f.One("SELECT qty FROM public.items WHERE id = 2"), "6");
  EXPECT_EQ(f.One("SELECT string_agg(column_name || ':' || attnum, ',' ORDER BY position) "
                  "FROM _wharf.columns WHERE table_name = 'items'"),
            "id:1,name:2,qty:3");
  // From now on by attnum: a rename is a rename.
  f.Apply(Items({Col("id", core::oid::kInt4, 1, true), Col("title", core::oid::kText, 2), qty}), {});
  EXPECT_EQ(f.One("SELECT title FROM public.items WHERE id = 1"), "a");
}

TEST(DuckDbSchema, WideningAfterADeleteInTheSameTransactionRebuilds) {
  Fixture f;
  auto v1 = Items({Col("id", core::oid::kInt4, 1, true), Col("n", core::oid::kInt2, 2)});
  f.Apply(v1, {{std::string("1"), std::string("7")}});
  auto v2 = Items({Col("id", core::oid::kInt8, 1, true), Col("n", core::oid::kInt4, 2)});
  f.Apply(v2, {{std::string("3000000000"), std::string("70000")}}, false, &v1);
  EXPECT_EQ(f.One("SELECT data_type FROM information_schema.columns WHERE table_name = 'items' "
                  "AND column_name = 'id'"),
            "BIGINT");
  EXPECT_EQ(f.One("SELECT count(*) FROM public.items"), "2");
  EXPECT_EQ(f.One("SELECT n FROM public.items WHERE id = 1"), "7");
}

TEST(DuckDbSchema, StoppedTableSkipsUntilATruncatingChunk) {
  Fixture f;
  auto wide = Items({Col("id", core::oid::kInt4, 1, true), Col("n", core::oid::kInt8, 2)});
  f.Apply(wide, {{std::string("1"), std::string("1")}});
  auto narrow = Items({Col("id", core::oid::kInt4, 1, true), Col("n", core::oid::kInt4, 2)});
  f.Apply(narrow, {{std::string("2"), std::string("2")}});
  EXPECT_EQ(f.One("SELECT count(*) FROM public.items"), "1");
  auto errors = f.w->TableErrors();
  ASSERT_EQ(errors.count("public.items"), 1u);
  EXPECT_NE(errors["public.items"].find("wharf resync --table public.items"), std::string::npos);
  // Still stopped for the next batch, which commits (other tables would load).
  f.Apply(narrow, {{std::string("3"), std::string("3")}});
  EXPECT_EQ(f.One("SELECT count(*) FROM public.items"), "1");
  // A resync's truncate and copy: created afresh with the new schema, loading again.
  f.Apply(narrow, {{std::string("1"), std::string("1")}, {std::string("2"), std::string("2")}}, true);
  EXPECT_TRUE(f.w->TableErrors().empty());
  EXPECT_EQ(f.One("SELECT data_type FROM information_schema.columns WHERE table_name = 'items' "
                  "AND column_name = 'n'"),
            "INTEGER");
  EXPECT_EQ(f.One("SELECT count(*) FROM public.items"), "2");
}

}  // namespace
}  // namespace wharf::load::duckdb

TEST(RowGroupSize, SmallUnderASmallMemoryLimitElseDuckDbsDefault) {
  using wharf::load::duckdb::RowGroupSizeFor;
  using wharf::load::duckdb::kDefaultRowGroupSize;
  using wharf::load::duckdb::kSmallRowGroupSize;
  EXPECT_EQ(RowGroupSizeFor(""), kDefaultRowGroupSize);
  EXPECT_EQ(RowGroupSizeFor("32MB"), kSmallRowGroupSize);
  EXPECT_EQ(RowGroupSizeFor("1GB"), kSmallRowGroupSize);
  EXPECT_EQ(RowGroupSizeFor("1.9 GiB"), kSmallRowGroupSize);
  EXPECT_EQ(RowGroupSizeFor("2GB"), kDefaultRowGroupSize);
  EXPECT_EQ(RowGroupSizeFor("16GB"), kDefaultRowGroupSize);
  // DuckDB validates the text itself when it opens; until then, the bound wins.
  EXPECT_EQ(RowGroupSizeFor("lots"), kSmallRowGroupSize);
}
