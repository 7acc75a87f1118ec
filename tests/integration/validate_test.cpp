// `wharf validate` by chunk hashes (src/validate/), on both targets: equal
// tables (every type of types_data.hpp included), a changed value reported
// with its key and column, missing and extra rows, composite and non-ASCII
// text keys, key-less tables as multisets, soft_delete's live rows, a table
// of many chunks of which only the differing one is read key by key, and a
// source updated while `wharf run` streams.
#include <signal.h>

#include <atomic>
#include <thread>

#include "integration/both_targets.hpp"
#include "types_data.hpp"

namespace wharf::test {
namespace {

using json = nlohmann::json;

class Validate : public BothTargets {
 protected:
  void WExec(const std::string& sql) {
    if (IsPostgres()) PgExec(wh_dsn_, sql);
    else DuckExec(warehouse_, sql);
  }
  // `wharf validate --json` with extra environment ("WHARF_VALIDATE_CHUNK_ROWS=10").
  json ValidateJson(int expected_exit, const std::vector<std::string>& env = {},
                    const std::vector<std::string>& args = {}) {
    std::vector<std::string> all = {"validate", "--json"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = Wharf(all, env);
    EXPECT_EQ(r.exit_code, expected_exit) << r.output;
    auto start = r.output.find('{');
    if (start == std::string::npos) {
      ADD_FAILURE() << r.output;
      return {};
    }
    return json::parse(r.output.substr(start));
  }
  static json Table(const json& report, const std::string& name) {
    for (const auto& t : report["tables"])
      if (t["table"] == name) return t;
    ADD_FAILURE() << name << " not in " << report.dump();
    return {};
  }
};

TEST_P(Validate, EveryTypeEqualThenOneChangedValueNamesKeyAndColumn) {
  PgRun(kSchema);
  PgRun(kRows);
  WriteDefaultConfig();
  Once();
  auto equal = ValidateJson(0);
  auto t = Table(equal, "public.typed");
  EXPECT_EQ(t["source_rows"], 10);
  EXPECT_EQ(t["warehouse_rows"], 10);
  EXPECT_EQ(t["chunks_differing"], 0) << t.dump();
  // One value in the warehouse changes.
  WExec("UPDATE public.typed SET t = 'changed' WHERE id = 1");
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("different values: (id)=(1) columns t"), std::string::npos) << r.output;
  auto j = ValidateJson(1);
  t = Table(j, "public.typed");
  EXPECT_EQ(t["different"], 1);
  EXPECT_EQ(t["missing"], 0);
  EXPECT_EQ(t["sample"][0]["columns"], json::array({"t"}));
}

// Integers, timestamps and numerics are hashed as values, not text: a change
// of one, one microsecond, a sign or one NULL is still found and named; two
// numerics turning from 0 to NULL together too (their hashes derive from the
// seed); a NaN the loader stored as NULL is no difference.
TEST_P(Validate, SmallestChangeOfANumberOrTimestampIsFound) {
  PgRun("CREATE TABLE ev (id bigint PRIMARY KEY, i int, s smallint, at timestamptz, local timestamp,"
        " amount numeric(12,2), big numeric(38,10), tiny numeric(4,1), mid numeric(9,3));"
        // DuckDB keeps DECIMAL(4,1) in 16 bits, (9,3) in 32, (12,2) in 64, (38,10) in 128.
        "INSERT INTO ev SELECT g, g, g % 100, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 s',"
        " '2024-01-01 00:00:00'::timestamp - g * interval '1 day', g * 1.25 - 300, g * 1e20 / 7,"
        " g / 10.0 - 25, g * -1.001 FROM generate_series(1, 500) g;"
        "INSERT INTO ev VALUES (501, NULL, NULL, 'infinity', '-infinity', NULL, NULL, NULL, NULL),"
        " (502, 0, 0, '-infinity', 'infinity', 'NaN', 0, 'NaN', 0), (503, 1, 1, NULL, NULL, 0, 0, 0, 0);");
  WriteDefaultConfig();
  Once();
  ExpectValidateEqual();
  WExec("UPDATE public.ev SET i = i + 1 WHERE id = 10;"
        "UPDATE public.ev SET \"at\" = \"at\" + INTERVAL '1 microsecond' WHERE id = 20;"
        "UPDATE public.ev SET \"local\" = NULL, s = NULL WHERE id = 30;"
        "UPDATE public.ev SET amount = -amount WHERE id = 40;"
        "UPDATE public.ev SET big = big + 0.0000000001 WHERE id = 50;"
        "UPDATE public.ev SET amount = NULL, big = NULL WHERE id = 503;"
        "UPDATE public.ev SET tiny = tiny + 0.1, mid = mid - 0.001 WHERE id = 60;"
        "UPDATE public.ev SET \"at\" = 'infinity' WHERE id = 502;");
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const char* found : {"(id)=(10) columns i", "(id)=(20) columns at", "(id)=(30) columns s, local",
                            "(id)=(40) columns amount", "(id)=(50) columns big", "(id)=(503) columns amount, big",
                            "(id)=(60) columns tiny, mid",
                            "(id)=(502) columns at"})
    EXPECT_NE(r.output.find(found), std::string::npos) << found << "\n" << r.output;
  EXPECT_EQ(Table(ValidateJson(1), "public.ev")["different"], 8);
}

TEST_P(Validate, MissingAndExtraRows) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text, n numeric(10,2), at timestamptz);"
        "INSERT INTO items SELECT g, 'v' || g, g / 4.0, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 h'"
        " FROM generate_series(1, 300) g;");
  WriteDefaultConfig();
  Once();
  ExpectValidateEqual();
  WExec("DELETE FROM public.items WHERE id = 3; INSERT INTO public.items (id, v) VALUES (999, 'ghost');"
        "UPDATE public.items SET n = 1.01, \"at\" = NULL WHERE id = 200;");
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("missing in warehouse: (id)=(3)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not in source: (id)=(999)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("different values: (id)=(200) columns n, at"), std::string::npos) << r.output;
  auto t = Table(ValidateJson(1), "public.items");
  EXPECT_EQ(t["missing"], 1);
  EXPECT_EQ(t["extra"], 1);
  EXPECT_EQ(t["different"], 1);
}

TEST_P(Validate, CompositeAndNonAsciiTextKeysChunkAlikeOnBothSides) {
  // Mixed case and non-ASCII keys sort differently under most collations than
  // byte by byte: chunk boundaries must put each row in the same chunk on both sides.
  PgRun("CREATE TABLE places (region text, code int, city text, PRIMARY KEY (region, code));"
        "INSERT INTO places SELECT r, g, r || g FROM unnest(ARRAY['Zürich', 'zebra', 'Äpfel', 'apple', "
        "'ÉCOLE', 'école', '😀', 'Ωmega', 'a b', 'A']) r, generate_series(1, 30) g;");
  WriteDefaultConfig();
  Once();
  const std::vector<std::string> small = {"WHARF_VALIDATE_CHUNK_ROWS=20"};
  auto t = Table(ValidateJson(0, small), "public.places");
  EXPECT_GE(t["chunks"].get<int>(), 10) << t.dump();
  EXPECT_EQ(t["chunks_differing"], 0) << t.dump();
  WExec("UPDATE public.places SET city = 'moved' WHERE region = 'Zürich' AND code = 2");
  t = Table(ValidateJson(1, small), "public.places");
  EXPECT_EQ(t["chunks_differing"], 1) << t.dump();
  EXPECT_EQ(t["sample_text"][0], "different values: (region,code)=(Zürich,2) columns city") << t.dump();
}

TEST_P(Validate, KeylessTablesCompareAsMultisets) {
  PgRun("CREATE TABLE bag (k int, v text); ALTER TABLE bag REPLICA IDENTITY FULL;"
        "INSERT INTO bag VALUES (1, 'x'), (1, 'x'), (2, 'y'), (3, NULL);");
  WriteDefaultConfig();
  Once();
  ExpectValidateEqual();
  WExec("INSERT INTO public.bag (k, v) VALUES (1, 'x'); DELETE FROM public.bag WHERE k = 2;");
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not in source: (k,v)=(1,x)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing in warehouse: (k,v)=(2,y)"), std::string::npos) << r.output;
}

TEST_P(Validate, SoftDeleteComparesLiveRows) {
  target_yaml_ += "  mode: soft_delete\n";
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items SELECT g, 'v' FROM generate_series(1, 20) g;");
  WriteDefaultConfig();
  Once();
  PgRun("DELETE FROM items WHERE id <= 5; UPDATE items SET v = 'u' WHERE id = 6;");
  Once();
  ASSERT_EQ(W("SELECT count(*) FROM public.items")[0][0], "20") << "deleted rows stay, flagged";
  auto t = Table(ValidateJson(0), "public.items");
  EXPECT_EQ(t["warehouse_rows"], 15);
  WExec("UPDATE public.items SET _wharf_deleted = false WHERE id = 2");
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not in source: (id)=(2)"), std::string::npos) << r.output;
}

TEST_P(Validate, OnlyTheDifferingChunkIsReadKeyByKey) {
  PgRun("CREATE TABLE big (id bigint PRIMARY KEY, v text, d date);"
        "INSERT INTO big SELECT g, md5(g::text), date '2000-01-01' + g FROM generate_series(1, 5000) g;");
  WriteDefaultConfig();
  Once();
  const std::vector<std::string> small = {"WHARF_VALIDATE_CHUNK_ROWS=100"};
  auto t = Table(ValidateJson(0, small), "public.big");
  EXPECT_GE(t["chunks"].get<int>(), 30) << t.dump();
  EXPECT_EQ(t["chunks_drilled"], 0);
  WExec("UPDATE public.big SET d = NULL WHERE id = 2500");
  t = Table(ValidateJson(1, small), "public.big");
  EXPECT_EQ(t["chunks_differing"], 1) << t.dump();
  EXPECT_EQ(t["chunks_drilled"], 1) << t.dump();
  EXPECT_LE(t["keys_compared"].get<int>(), 500) << "one chunk's keys, not the table's: " << t.dump();
  EXPECT_EQ(t["sample_text"][0], "different values: (id)=(2500) columns d") << t.dump();
  // --table limits it to one table.
  auto only = ValidateJson(1, small, {"--table", "public.big"});
  EXPECT_EQ(only["tables"].size(), 1u);
}

// Chunk boundaries come from a sample sorted by the key's own order: numeric
// keys of growing length (1.5, 10.5, 100.5) and skewed integers sort apart
// from their text. Differences planted all over are each found in their chunk.
TEST_P(Validate, ChunksOfNumericAndSkewedKeysHoldTheirKeys) {
  PgRun("CREATE TABLE dec (id numeric(10,1) PRIMARY KEY, v text);"
        "INSERT INTO dec SELECT g * 1.5, 'v' FROM generate_series(1, 3000) g;"
        "CREATE TABLE skew (id int PRIMARY KEY, v text);"
        "INSERT INTO skew SELECT CASE WHEN g <= 2900 THEN g ELSE g * 1000 END, 'v' FROM generate_series(1, 3000) g;");
  WriteDefaultConfig();
  Once();
  const std::vector<std::string> small = {"WHARF_VALIDATE_CHUNK_ROWS=100"};
  ValidateJson(0, small);
  WExec("UPDATE public.dec SET v = 'x' WHERE CAST(id * 2 AS INTEGER) % 97 = 0;"
        "UPDATE public.skew SET v = 'x' WHERE id % 97 = 0;");
  auto j = ValidateJson(1, small);
  for (const char* name : {"public.dec", "public.skew"}) {
    auto t = Table(j, name);
    EXPECT_GE(t["chunks"].get<int>(), 20) << t.dump();
    EXPECT_EQ(t["different"], 30) << t.dump();
    EXPECT_EQ(t["missing"], 0) << t.dump();
    EXPECT_EQ(t["extra"], 0) << t.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, Validate, ::testing::Values("duckdb", "postgres"), TargetName);

// While `wharf run` streams, `wharf validate` runs inside it (it holds the
// DuckDB file; POST /api/validate) or, on PostgreSQL, beside it.
class ValidateLive : public Validate {};

TEST_P(ValidateLive, SourceUpdatedWhileWharfRunsStreamsReportsEqual) {
  PgRun("CREATE TABLE hot (id int PRIMARY KEY, n bigint, v text);"
        "INSERT INTO hot SELECT g, 0, 'v' FROM generate_series(1, 2000) g;");
  WriteDefaultConfig();
  Once();
  auto run = StartWharf({"run"}, "run.log", {"WHARF_VALIDATE_CHUNK_ROWS=200"});
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    // Small transactions all the time, each touching rows all over the table.
    for (int i = 1; !stop; ++i) {
      PgRun("UPDATE hot SET n = n + 1, v = 'u" + std::to_string(i) + "' WHERE id % 97 = " + std::to_string(i % 97));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto j = ValidateJson(0, {"WHARF_VALIDATE_CHUNK_ROWS=200"});
  stop = true;
  writer.join();
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(std::chrono::seconds(60)), 0) << run->Output();
  auto t = Table(j, "public.hot");
  EXPECT_EQ(t["source_rows"], 2000) << t.dump();
  EXPECT_TRUE(t["equal"].get<bool>()) << t.dump();
  // Rows changing under the first read differ at first: their chunks are read
  // key by key (rows the warehouse changed after the snapshot are left out),
  // and again once the warehouse caught up if something still differed.
  EXPECT_GE(t["chunks_drilled"].get<int>(), t["chunks_differing"].get<int>()) << t.dump();
}

INSTANTIATE_TEST_SUITE_P(Targets, ValidateLive, ::testing::Values("duckdb", "postgres"), TargetName);

}  // namespace
}  // namespace wharf::test
