#include "unit/load/fresh_fixture.hpp"

#include <gtest/gtest.h>

#include "load/loader.hpp"
#include "unit/support/schema_builders.hpp"

namespace wharf::test::fresh {

core::RelationSchema Items() {
  using test::AttCol;
  namespace oid = core::oid;
  auto s = test::TableOf("items", {AttCol("id", oid::kInt8, -1, 1, true), AttCol("name", oid::kText, -1, 2),
                                   AttCol("price", oid::kNumeric, ((12 << 16) | 2) + 4, 3),
                                   AttCol("at", oid::kTimestampTz, -1, 4), AttCol("day", oid::kDate, -1, 5),
                                   AttCol("b", oid::kBytea, -1, 6)});
  s.oid = 32000;
  return s;
}

std::vector<std::string> Lines(size_t n) {
  std::vector<std::string> lines;
  for (size_t i = 1; i <= n; ++i) {
    std::string name = i % 5 == 0 ? "tab\\there\\\\ and\\nnewline " + std::to_string(i) : "item " + std::to_string(i);
    std::string price = i % 997 == 0 ? "12345678901234.5" : std::to_string(i % 100000) + ".25";
    std::string at = "2024-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10) + " 10:00:0" +
                     std::to_string(i % 10) + ".123+00";
    std::string day = i % 10 == 0 ? "\\N" : (i % 7 == 0 ? "0044-03-15 BC" : "2020-02-29");
    std::string b = i % 3 == 0 ? "\\N" : "\\\\x00ff0" + std::to_string(i % 10);
    lines.push_back(std::to_string(i) + "\t" + name + "\t" + price + "\t" + at + "\t" + day + "\t" + b + "\n");
  }
  return lines;
}

staging::BatchOptions FreshBatch(staging::FreshCache* cache) {
  staging::BatchOptions o;
  o.compression = staging::Compression::kZstd;
  o.fresh = true;
  o.fresh_cache = cache;
  return o;
}

core::Change SnapshotHeader() {
  core::Change h;
  h.op = core::Op::kSnapshot;
  h.lsn = Lsn(0x1000);
  h.end_lsn = Lsn(0x1000);
  h.ts = 1700000000000000;
  return h;
}

void AddLines(staging::BatchWriter& w, const std::vector<std::string>& lines, size_t from, size_t to) {
  core::Change h = SnapshotHeader();
  const auto schema = Items();
  for (size_t i = from; i < to; ++i) {
    h.seq = static_cast<uint32_t>(i);
    w.AddCopyText(schema, h, lines[i]);
  }
}

void StageFresh(Staged& st, const std::vector<std::string>& lines, staging::FreshCache* cache) {
  staging::BatchWriter w(st.store, "src", 1, FreshBatch(cache));
  AddLines(w, lines, 0, lines.size());
  if (cache) {
    // Nothing is offered before the manifest is durable.
    EXPECT_EQ(cache->kept(), 0u);
  }
  st.manifest = w.Commit(Lsn(), Lsn(), Lsn(0x1000), 0);
}

std::unique_ptr<load::duckdb::DuckDbWarehouse> OpenWarehouse(Staged& st, const std::string& db,
                                                             const std::string& memory_limit) {
  core::TargetConfig target;
  target.memory_limit = memory_limit;
  auto w = std::make_unique<load::duckdb::DuckDbWarehouse>((st.dir.path() / db).string(), target);
  w->connection().Query("SET threads = 2");
  return w;
}

Rows Contents(load::duckdb::DuckDbWarehouse& w) {
  auto r = w.connection().Query(
      "SELECT id, name, price, \"at\", \"day\", b, _wharf_lsn FROM public.items ORDER BY id");
  Rows out;
  for (uint64_t i = 0; i < r.rows(); ++i) {
    out.emplace_back();
    for (uint64_t j = 0; j < r.columns(); ++j) out.back().push_back(r.GetString(i, j));
  }
  auto rej = w.connection().Query("SELECT count(*) FROM _wharf.rejects");
  out.push_back({rej.GetString(0, 0)});
  return out;
}

Rows Load(Staged& st, staging::FreshCache* cache, const std::string& db, const std::string& memory_limit) {
  auto w = OpenWarehouse(st, db, memory_limit);
  load::Loader loader(st.store, *w, load::LoaderOptions{}, load::ModeRules{}, cache);
  core::SourceConfig source;
  source.name = "src";
  EXPECT_TRUE(loader.ApplyBatch(source, 1));
  return Contents(*w);
}

}  // namespace wharf::test::fresh
