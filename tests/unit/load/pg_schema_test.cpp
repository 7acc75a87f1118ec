// The SQL of schema evolution on the PostgreSQL warehouse: every step's ALTER with quoted
// identifiers, added columns filled by a constant default that is then dropped, the metadata
// rows, and which declared-type changes within one logical type widen a column.
#include "load/postgres/pg_schema.hpp"

#include <gtest/gtest.h>

namespace wharf::load::postgres {
namespace {

const core::TableName kTarget{"sh\"op", "Orders"};
using K = SchemaStep::Kind;

core::Column Col(uint32_t oid, int32_t typmod) {
  core::Column c;
  c.type_oid = oid;
  c.typmod = typmod;
  return c;
}

TEST(PgSchema, StepsAreAltersWithQuotedNames) {
  EXPECT_EQ(SchemaStepSql(kTarget, {K::kRename, "Old\"n", "new", {}, std::nullopt, 0}, ""),
            std::vector<std::string>{"ALTER TABLE \"sh\"\"op\".\"Orders\" RENAME COLUMN \"Old\"\"n\" TO \"new\""});
  EXPECT_EQ(SchemaStepSql(kTarget, {K::kDrop, "gone", "", {}, std::nullopt, 0}, ""),
            std::vector<std::string>{"ALTER TABLE \"sh\"\"op\".\"Orders\" DROP COLUMN \"gone\""});
  EXPECT_EQ(SchemaStepSql(kTarget, {K::kAlterType, "id", "", {}, std::nullopt, 0}, "bigint"),
            std::vector<std::string>{
                "ALTER TABLE \"sh\"\"op\".\"Orders\" ALTER COLUMN \"id\" TYPE bigint USING \"id\"::bigint"});
}

TEST(PgSchema, AddedColumnIsFilledByItsConstantDefaultWhichIsThenDropped) {
  auto sql = SchemaStepSql(kTarget, {K::kAdd, "label", "", {}, std::string("it's"), 2}, "character varying(20)");
  ASSERT_EQ(sql.size(), 2u);
  EXPECT_EQ(sql[0],
            "ALTER TABLE \"sh\"\"op\".\"Orders\" ADD COLUMN \"label\" character varying(20) DEFAULT "
            "'it''s'::character varying(20)");
  EXPECT_EQ(sql[1], "ALTER TABLE \"sh\"\"op\".\"Orders\" ALTER COLUMN \"label\" DROP DEFAULT");
  // No default: existing rows hold NULL, nothing to drop.
  EXPECT_EQ(SchemaStepSql(kTarget, {K::kAdd, "note", "", {}, std::nullopt, 3}, "text"),
            std::vector<std::string>{"ALTER TABLE \"sh\"\"op\".\"Orders\" ADD COLUMN \"note\" text"});
}

TEST(PgSchema, MetadataRowsReplaceTheTablesRecord) {
  WarehouseColumn a;
  a.name = "i'd";
  a.attnum = 1;
  a.source = Col(23, -1);
  WarehouseColumn b;
  b.name = "gone";
  b.attnum = 3;
  b.source = Col(1043, 14);
  b.dropped = true;
  EXPECT_EQ(SaveColumnsSql(kTarget, {a, b}),
            "DELETE FROM _wharf.columns WHERE table_schema = 'sh\"op' AND table_name = 'Orders'; "
            "INSERT INTO _wharf.columns VALUES ('sh\"op', 'Orders', 0, 'i''d', 1, 23, -1, 0, 0, false), "
            "('sh\"op', 'Orders', 1, 'gone', 3, 1043, 14, 0, 0, true)");
  EXPECT_EQ(TableErrorSql(kTarget, "src", "it's narrowed", 7),
            "INSERT INTO _wharf.table_errors VALUES ('sh\"op', 'Orders', 'src', 'it''s narrowed', 7, now())");
  EXPECT_EQ(FormatTypeSql(Col(1043, 104)), "SELECT format_type(1043, 104)");
}

TEST(PgSchema, LongerLengthsAndTextWidenShorterLengthsAndOtherTypesDoNot) {
  const uint32_t varchar = 1043, bpchar = 1042, text = 25;
  EXPECT_TRUE(PgWidens(Col(varchar, 14), Col(varchar, 104)));
  EXPECT_TRUE(PgWidens(Col(varchar, 14), Col(varchar, -1)));
  EXPECT_TRUE(PgWidens(Col(varchar, 14), Col(text, -1)));
  EXPECT_TRUE(PgWidens(Col(bpchar, 9), Col(bpchar, 20)));
  EXPECT_FALSE(PgWidens(Col(varchar, 104), Col(varchar, 14)));
  EXPECT_FALSE(PgWidens(Col(varchar, -1), Col(varchar, 14)));
  EXPECT_FALSE(PgWidens(Col(text, -1), Col(varchar, 14)));
  EXPECT_TRUE(PgWidens(Col(869, -1), Col(text, -1)));  // inet: text holds its text
  EXPECT_FALSE(PgWidens(Col(869, -1), Col(650, -1)));  // inet -> cidr
  EXPECT_FALSE(PgWidens(Col(text, -1), Col(869, -1)));
  core::Column list = Col(1015, 14);  // varchar(10)[]
  list.elem_oid = varchar;
  list.ndims = 1;
  core::Column longer = list;
  longer.typmod = 104;
  EXPECT_TRUE(PgWidens(list, longer));
  EXPECT_FALSE(PgWidens(longer, list));
  core::Column texts = Col(1009, -1);  // text[]
  texts.elem_oid = text;
  texts.ndims = 1;
  EXPECT_TRUE(PgWidens(list, texts));
  EXPECT_FALSE(PgWidens(list, Col(varchar, 104)));  // an array is not a scalar
}

}  // namespace
}  // namespace wharf::load::postgres
