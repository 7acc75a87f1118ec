// Staged batch formats end to end (DESIGN.md "Staged batches"): with staging.format csv and
// parquet the full pipeline lands what JSON lines land (`wharf validate` equal); DuckDB's own
// read_csv / read_parquet read the staged files as a DMS user would; a corrupted or truncated
// staged file is refused by the loader, naming it, with nothing of its batch applied.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "load/duckdb/duckdb_handle.hpp"
#include "staging/local_store.hpp"
#include "staging/staged_log.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;
const std::optional<std::string> kNone = std::nullopt;

struct FormatParam {
  const char* format;
  const char* compression;
};

class Formats : public WharfTest, public ::testing::WithParamInterface<FormatParam> {
 protected:
  void SetUp() override {
    WharfTest::SetUp();
    staging_format_ = GetParam().format;
    staging_compression_ = GetParam().compression;
  }
  bool csv() const { return std::string(GetParam().format) == "csv"; }

  // How DuckDB opens a staged file, as a user would.
  std::string ReadSql(const staging::ManifestFile& f) {
    std::string path = load::duckdb::Literal((work_ / "stage" / f.path).string());
    if (csv()) return "read_csv(" + path + ", header = true, nullstr = '\\N', allow_quoted_nulls = false, all_varchar = true)";
    return "read_parquet(" + path + ")";
  }

};

TEST_P(Formats, PipelineLandsTheSourceAndDuckDbReadsTheStagedFiles) {
  ShopWorkload shop(dsn_);
  shop.Create(300);
  PgRun("CREATE TABLE notes (id int PRIMARY KEY, body text, at timestamptz, n numeric(6,2));"
        "INSERT INTO notes VALUES (1, NULL, '0044-03-15 12:00:00+00 BC', 'NaN'), (2, '', NULL, 1.5),"
        " (3, '\\N', 'infinity', -0.25), (4, 'a,\"b\"' || chr(10) || 'c ☃', '2026-11-26 10:00:00.123456+00', NULL);");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  shop.Round(1);
  shop.Round(2);
  PgRun("UPDATE notes SET body = body || '!' WHERE id <> 2; DELETE FROM notes WHERE id = 4;"
        "INSERT INTO notes VALUES (5, '\\N', NULL, NULL), (6, '', '1999-12-31 23:59:59+00', 0);");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;

  ExpectSameRows(dsn_, warehouse_, ShopWorkload::Checks());
  EXPECT_EQ(Duck("SELECT id, body, CAST(n AS VARCHAR) FROM public.notes ORDER BY id"),
            (Rows{{"1", kNone, kNone},
                  {"2", "", "1.50"},
                  {"3", "\\N!", "-0.25"},
                  {"5", "\\N", kNone},
                  {"6", "", "0.00"}}));
  ExpectValidateEqual();

  auto files = StagedFiles();
  ASSERT_FALSE(files.empty());
  std::string ext = csv() ? std::string(".csv") + (std::string(GetParam().compression) == "gzip" ? ".gz" : "")
                          : std::string(".parquet");
  uint64_t notes_r = 0;
  for (const auto& [seq, f] : files) {
    EXPECT_EQ(f.format, GetParam().format) << f.path;
    EXPECT_EQ(f.compression, GetParam().compression) << f.path;
    EXPECT_EQ(f.path.substr(f.path.size() - ext.size()), ext) << f.path;
    // DuckDB reads every staged file whole, the same changes the manifest counts, op by op.
    std::string ops;
    for (auto [op, n] : f.ops) ops += std::string(1, op) + "=" + std::to_string(n) + " ";
    EXPECT_EQ(Duck("SELECT string_agg(\"Op\" || '=' || n, ' ' ORDER BY \"Op\") || ' ' FROM (SELECT "
                   "\"Op\", count(*) AS n FROM " + ReadSql(f) + " GROUP BY 1)")[0][0],
              ops)
        << f.path;
    if (f.relation.table.name == "notes" && f.ops.count('R')) {
      ++notes_r;
      // NULL, the empty string and the text \N stay apart; a value with a comma, quotes, a
      // newline and unicode comes through.
      EXPECT_EQ(Duck("SELECT CAST(id AS VARCHAR), body FROM " + ReadSql(f) + " ORDER BY id"),
                (Rows{{"1", kNone}, {"2", ""}, {"3", "\\N"}, {"4", "a,\"b\"\nc ☃"}}));
      if (!csv()) {
        // Typed where the type is faithful; what it cannot hold kept as text, the cell NULL.
        EXPECT_EQ(Duck("SELECT string_agg(column_type, ',') FROM (DESCRIBE SELECT id, \"at\", n FROM " +
                       ReadSql(f) + ")")[0][0],
                  "INTEGER,TIMESTAMP WITH TIME ZONE,DECIMAL(6,2)");
        EXPECT_EQ(Duck("SELECT CAST(n AS VARCHAR), to_json(_wharf_text) FROM " + ReadSql(f) +
                       " WHERE id = 1")[0],
                  (std::vector<std::optional<std::string>>{
                      kNone,
                      R"([{"i":2,"v":"0044-03-15 12:00:00+00 BC"},{"i":3,"v":"NaN"}])"}));
      }
    }
  }
  EXPECT_EQ(notes_r, 1u);
}

TEST_P(Formats, CorruptOrTruncatedFileIsRefusedWithNothingApplied) {
  PgRun("CREATE TABLE t (id int PRIMARY KEY, v text);"
        "INSERT INTO t SELECT g, 'seed ' || g FROM generate_series(1, 200) g;");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Rows state = Duck("SELECT batch_seq, lsn FROM _wharf.state");
  const size_t staged_before = StagedFiles().size();

  PgRun("UPDATE t SET v = 'changed' WHERE id <= 150; DELETE FROM t WHERE id > 190;");
  r = Wharf({"capture", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto files = StagedFiles();
  ASSERT_GT(files.size(), staged_before);
  const fs::path victim = work_ / "stage" / files.back().second.path;
  const std::string good = ReadFile(victim);
  ASSERT_GT(good.size(), 64u);

  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x20;
  for (const std::string& damaged : {flipped, good.substr(0, good.size() - 9), good.substr(0, good.size() / 3)}) {
    WriteFile(victim, damaged);
    r = Wharf({"load", "--once"});
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(files.back().second.path), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("corrupt or truncated"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("nothing of batch"), std::string::npos) << r.output;
    EXPECT_EQ(Duck("SELECT batch_seq, lsn FROM _wharf.state"), state);
    EXPECT_EQ(Duck("SELECT count(*) FILTER (WHERE v = 'changed'), count(*) FROM public.t")[0],
              (std::vector<std::optional<std::string>>{"0", "200"}));
  }

  WriteFile(victim, good);
  r = Wharf({"load", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*) FILTER (WHERE v = 'changed'), count(*) FROM public.t")[0],
            (std::vector<std::optional<std::string>>{"150", "190"}));
  ExpectValidateEqual();
}

INSTANTIATE_TEST_SUITE_P(Staging, Formats,
                         ::testing::Values(FormatParam{"csv", "gzip"}, FormatParam{"csv", "none"},
                                           FormatParam{"parquet", "zstd"}),
                         [](const auto& info) {
                           return std::string(info.param.format) + "_" + info.param.compression;
                         });

}  // namespace
}  // namespace wharf::test
