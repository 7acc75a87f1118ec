// Array columns in a manifest's relation: element type and dimensions survive the round trip,
// and manifests written before arrays became LISTs (no such keys) still read.
#include <gtest/gtest.h>

#include <string>

#include "core/pg_types.hpp"
#include "staging/manifest.hpp"

namespace wharf::staging {
namespace {

Manifest WithColumns(std::vector<core::Column> columns) {
  Manifest m;
  m.source = "main";
  m.seq = 7;
  m.end_lsn = Lsn(0x100);
  ManifestFile f;
  f.path = "main/data/public/t/2026/11/26/00000000000000000007.jsonl";
  f.relation.oid = 16400;
  f.relation.table = {"public", "t"};
  f.relation.columns = std::move(columns);
  f.checksum = "xxh128:" + std::string(32, 'b');
  f.ops = {{'I', 1}};
  m.files.push_back(std::move(f));
  return m;
}

core::Column Col(std::string name, uint32_t type_oid, int32_t typmod, uint32_t elem_oid,
                 int32_t ndims) {
  core::Column c;
  c.name = std::move(name);
  c.type_oid = type_oid;
  c.typmod = typmod;
  c.elem_oid = elem_oid;
  c.ndims = ndims;
  return c;
}

TEST(ManifestRelation, ArrayColumnsRoundTrip) {
  const Manifest m = WithColumns(
      {Col("id", 23, -1, 0, 0), Col("tags", 1009, -1, 25, 1), Col("grid", 1231, 655366, 1700, 2)});
  const std::string json = m.ToJson();
  const Manifest back = Manifest::FromJson(json, "test");
  ASSERT_EQ(back.files.size(), 1u);
  EXPECT_EQ(back.files[0].relation, m.files[0].relation);
  EXPECT_EQ(core::MapColumnType(back.files[0].relation.columns[2]),
            core::LogicalType::List(core::MapPgType(1700, 655366), 2, ','));
  // Scalars carry no array keys, so their JSON is what older wharf versions wrote.
  EXPECT_EQ(json.find("\"elem_oid\": 0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"elem_oid\": 25"), std::string::npos) << json;
}

TEST(ManifestRelation, ManifestsWithoutArrayKeysStillRead) {
  // A manifest as written before elem_oid/ndims existed: an int[] column then landed as text,
  // and reading it again keeps that (the files were loaded into VARCHAR columns).
  const std::string old_json = R"({
    "version": 1, "source": "main", "seq": 3, "first_lsn": 1, "last_lsn": 2, "end_lsn": 3,
    "files": [{"path": "p.jsonl", "table": "public.t", "rows": 1, "bytes": 10,
               "sha256": "00", "ops": {"I": 1},
               "relation": {"oid": 16400, "schema": "public", "table": "t",
                            "replica_identity": "d",
                            "columns": [{"name": "a", "type_oid": 1007, "typmod": -1,
                                         "key": false}]}}]})";
  const Manifest m = Manifest::FromJson(old_json, "old");
  const core::Column& c = m.files.at(0).relation.columns.at(0);
  EXPECT_EQ(c.type_oid, 1007u);
  EXPECT_EQ(c.elem_oid, 0u);
  EXPECT_EQ(c.ndims, 0);
  EXPECT_EQ(core::MapColumnType(c).kind, core::LogicalKind::kText);
}

TEST(ManifestRelation, AttnumsAndMissingValuesRoundTrip) {
  auto id = Col("id", 23, -1, 0, 0);
  id.attnum = 1;
  auto qty = Col("qty", 23, -1, 0, 0);
  qty.attnum = 4;
  qty.missing = "7";
  const Manifest m = WithColumns({id, qty, Col("legacy", 25, -1, 0, 0)});
  const std::string json = m.ToJson();
  const Manifest back = Manifest::FromJson(json, "test");
  EXPECT_EQ(back.files[0].relation, m.files[0].relation);
  EXPECT_EQ(back.files[0].relation.columns[1].missing, std::optional<std::string>("7"));
  // Unknown attnums are not written: such a column is matched by name, as before.
  EXPECT_EQ(back.files[0].relation.columns[2].attnum, 0);
  EXPECT_EQ(json.find("\"attnum\": 0"), std::string::npos) << json;
}

}  // namespace
}  // namespace wharf::staging
