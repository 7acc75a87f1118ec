// Tests of wharf.yaml parsing: a full config, defaults, ${ENV} interpolation, and errors that name
// file:line:col and suggest the nearest key.
#include "cli/config_loader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/config.hpp"
#include "core/error.hpp"

namespace wharf::cli {
namespace {

using namespace std::chrono_literals;

// Message of the kConfig error `fn` throws ("" and a test failure when it throws none).
template <typename Fn>
std::string ConfigError(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig) << e.what();
    return e.message();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a wharf::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no error";
  return "";
}

std::string ParseError(const std::string& yaml) {
  return ConfigError([&] { ParseConfig(yaml, "/etc/wharf/wharf.yaml"); });
}

class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~EnvVar() { unsetenv(name_); }

 private:
  const char* name_;
};

const char* const kFull = R"(sources:
  - name: app
    dsn: postgres://wharf@db1:5432/app
    tables: [public.*, sales.orders]
    exclude: [public.tmp_*]
    target_schema: app_mirror
    slot: my_slot
    publication: my_pub
  - name: billing_2
    dsn: host=db2 dbname=billing
    tables: billing.*
staging:
  url: file:///var/lib/wharf/stage
  format: jsonl
  compression: gzip
  batch:
    max_bytes: 16MB
    max_interval: 500ms
target:
  type: duckdb
  path: /var/lib/wharf/warehouse.duckdb
  mode: mirror
  memory_limit: 2GB
  numeric: string
  read_replica: ./read/warehouse.duckdb
models:
  project: ./models
server:
  listen: 0.0.0.0:9000
  token: tok-123456
slot_guard:
  warn_at: 2GB
  drop_slot_at: 40GB
validate:
  every: 6h
)";

TEST(ConfigLoader, FullConfig) {
  core::Config cfg = ParseConfig(kFull, "/etc/wharf/wharf.yaml");
  EXPECT_EQ(cfg.path, "/etc/wharf/wharf.yaml");
  EXPECT_EQ(cfg.base_dir, "/etc/wharf");
  ASSERT_EQ(cfg.sources.size(), 2u);
  const auto& a = cfg.sources[0];
  EXPECT_EQ(a.name, "app");
  EXPECT_EQ(a.dsn, "postgres://wharf@db1:5432/app");
  EXPECT_EQ(a.tables, std::vector<std::string>({"public.*", "sales.orders"}));
  EXPECT_EQ(a.exclude, std::vector<std::string>({"public.tmp_*"}));
  ASSERT_TRUE(a.target_schema.has_value());
  EXPECT_EQ(*a.target_schema, "app_mirror");
  EXPECT_EQ(a.slot, "my_slot");
  EXPECT_EQ(a.publication, "my_pub");
  const auto& b = cfg.sources[1];
  EXPECT_EQ(b.name, "billing_2");
  EXPECT_EQ(b.dsn, "host=db2 dbname=billing");
  EXPECT_EQ(b.tables, std::vector<std::string>({"billing.*"}));  // a scalar is a one-item list
  EXPECT_TRUE(b.exclude.empty());
  EXPECT_FALSE(b.target_schema.has_value());
  EXPECT_EQ(b.slot, "wharf_billing_2");
  EXPECT_EQ(cfg.staging.url, "file:///var/lib/wharf/stage");
  EXPECT_EQ(cfg.staging.format, "jsonl");
  EXPECT_EQ(cfg.staging.compression, "gzip");
  EXPECT_EQ(cfg.staging.batch_max_bytes, 16ull << 20);
  EXPECT_EQ(cfg.staging.batch_max_interval, 500ms);
  EXPECT_EQ(cfg.target.type, "duckdb");
  EXPECT_EQ(cfg.target.path, "/var/lib/wharf/warehouse.duckdb");
  EXPECT_EQ(cfg.target.mode, "mirror");
  EXPECT_EQ(cfg.target.memory_limit, "2GB");
  EXPECT_EQ(cfg.target.types.unconstrained_numeric, core::NumericMapping::kString);
  EXPECT_EQ(cfg.models.project, "./models");
  EXPECT_EQ(cfg.server.listen, "0.0.0.0:9000");
  EXPECT_EQ(cfg.server.token, "tok-123456");
  EXPECT_EQ(cfg.target.read_replica, "./read/warehouse.duckdb");
  EXPECT_EQ(cfg.slot_guard.warn_at, 2ull << 30);
  EXPECT_EQ(cfg.slot_guard.drop_slot_at, std::optional<uint64_t>(40ull << 30));
  EXPECT_EQ(cfg.validate.every, std::optional<std::chrono::milliseconds>(6h));
}

TEST(ConfigLoader, ListeningBeyondLoopbackNeedsAToken) {
  try {
    ParseConfig("sources:\n  - name: a\n    dsn: x\nserver:\n  listen: 0.0.0.0:9000\n", "w.yaml");
    FAIL() << "a server reachable from other machines without a token must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(e.message().find("w.yaml:5:11: server.listen 0.0.0.0:9000 is reachable from other machines"),
              std::string::npos) << e.message();
    EXPECT_NE(e.message().find("set server.token"), std::string::npos) << e.message();
  }
  auto loop = ParseConfig("sources:\n  - name: a\n    dsn: x\nserver:\n  listen: 127.0.0.1:9000\n", "w.yaml");
  EXPECT_TRUE(loop.server.token.empty());
  EXPECT_FALSE(loop.slot_guard.drop_slot_at);
  EXPECT_EQ(loop.slot_guard.warn_at, 5ull << 30);
  EXPECT_FALSE(loop.validate.every);
}

TEST(ConfigLoader, ReadReplicaIsForDuckDb) {
  try {
    ParseConfig("sources:\n  - name: a\n    dsn: x\ntarget:\n  type: postgres\n  dsn: y\n  read_replica: r.duckdb\n",
                "w.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("w.yaml:7:17: target.read_replica is a copy of a DuckDB file"), std::string::npos)
        << e.message();
  }
}

TEST(ConfigLoader, Defaults) {
  core::Config cfg =
      ParseConfig("sources:\n  - name: main\n    dsn: postgres://h/db\n", "conf/wharf.yaml");
  ASSERT_EQ(cfg.sources.size(), 1u);
  const auto& s = cfg.sources[0];
  EXPECT_EQ(s.slot, "wharf_main");
  EXPECT_EQ(s.publication, "wharf_main");
  EXPECT_EQ(s.tables, std::vector<std::string>({"public.*"}));
  EXPECT_TRUE(s.exclude.empty());
  EXPECT_FALSE(s.target_schema.has_value());
  core::StagingConfig staging;
  EXPECT_EQ(cfg.staging.url, staging.url);
  EXPECT_EQ(cfg.staging.compression, "zstd");
  EXPECT_EQ(cfg.staging.batch_max_bytes, 64ull << 20);
  EXPECT_EQ(cfg.staging.batch_max_interval, 1000ms);
  EXPECT_EQ(cfg.target.type, "duckdb");
  EXPECT_EQ(cfg.target.mode, "mirror");
  // Relative config paths resolve against the current directory.
  EXPECT_TRUE(std::filesystem::path(cfg.base_dir).is_absolute()) << cfg.base_dir;
  EXPECT_EQ(std::filesystem::path(cfg.base_dir).filename(), "conf");
}

TEST(ConfigLoader, NumericMappings) {
  const std::string base = "sources:\n  - name: m\n    dsn: d\ntarget:\n  numeric: ";
  EXPECT_EQ(ParseConfig(base + "decimal\n", "w.yaml").target.types.unconstrained_numeric,
            core::NumericMapping::kDecimal);
  EXPECT_EQ(ParseConfig(base + "double\n", "w.yaml").target.types.unconstrained_numeric,
            core::NumericMapping::kDouble);
  EXPECT_NE(ParseError(base + "float\n").find("decimal, string or double"), std::string::npos);
}

TEST(ConfigLoader, EnvInterpolation) {
  EnvVar pw("WHARF_TEST_PW", "s3cr3t");
  EnvVar host("WHARF_TEST_HOST", nullptr);
  core::Config cfg = ParseConfig(
      "sources:\n"
      "  - name: main\n"
      "    dsn: postgres://u:${WHARF_TEST_PW}@${WHARF_TEST_HOST:-localhost}:5432/db\n"
      "staging:\n"
      "  batch:\n"
      "    max_bytes: ${WHARF_TEST_HOST:-1}MB\n",
      "w.yaml");
  EXPECT_EQ(cfg.sources[0].dsn, "postgres://u:s3cr3t@localhost:5432/db");
  EXPECT_EQ(cfg.staging.batch_max_bytes, 1ull << 20);
}

TEST(ConfigLoader, EnvDefaultIsOnlyUsedWhenUnset) {
  EnvVar v("WHARF_TEST_SET", "fromenv");
  EXPECT_EQ(Interpolate("a-${WHARF_TEST_SET:-fallback}-b", "w"), "a-fromenv-b");
  EXPECT_EQ(Interpolate("${WHARF_TEST_SET}${WHARF_TEST_SET}", "w"), "fromenvfromenv");
  EXPECT_EQ(Interpolate("no vars, $HOME or $ alone", "w"), "no vars, $HOME or $ alone");
  EXPECT_EQ(Interpolate("${WHARF_TEST_UNSET_X:-}", "w"), "");
  EXPECT_EQ(Interpolate("${WHARF_TEST_UNSET_X:-a:-b}", "w"), "a:-b");
}

TEST(ConfigLoader, InterpolatedValueIsNotInterpolatedAgain) {
  EnvVar v("WHARF_TEST_DOLLAR", "${WHARF_TEST_UNSET_Y}");
  EXPECT_EQ(Interpolate("${WHARF_TEST_DOLLAR}", "w"), "${WHARF_TEST_UNSET_Y}");
}

TEST(ConfigLoader, UnsetEnvVarIsAnError) {
  EnvVar v("WHARF_TEST_MISSING", nullptr);
  std::string msg = ParseError("sources:\n  - name: main\n    dsn: ${WHARF_TEST_MISSING}\n");
  EXPECT_NE(msg.find("WHARF_TEST_MISSING"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not set"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/etc/wharf/wharf.yaml:3:10"), std::string::npos) << msg;
}

TEST(ConfigLoader, UnterminatedInterpolationIsAnError) {
  std::string msg = ConfigError([] { Interpolate("abc ${NAME", "w.yaml:1:1"); });
  EXPECT_NE(msg.find("unterminated"), std::string::npos) << msg;
}

TEST(ConfigLoader, UnknownKeyNamesPositionAndSuggestion) {
  std::string msg = ParseError(
      "sources:\n"
      "  - name: main\n"
      "    dsn: postgres://h/db\n"
      "staging:\n"
      "  compresion: zstd\n");
  EXPECT_NE(msg.find("/etc/wharf/wharf.yaml:5:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'compresion'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'compression'"), std::string::npos) << msg;
}

TEST(ConfigLoader, UnknownKeyFarFromAnyGetsNoSuggestion) {
  std::string msg = ParseError("sources:\n  - name: main\n    dsn: d\n    zzzzzzzzzzzz: 1\n");
  EXPECT_NE(msg.find("/etc/wharf/wharf.yaml:4:5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'zzzzzzzzzzzz'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("did you mean"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dsn"), std::string::npos) << msg;  // the valid keys are listed
}

TEST(ConfigLoader, UnknownTopLevelKey) {
  std::string msg = ParseError(
      "sources:\n  - name: main\n    dsn: d\ntarget:\n  type: duckdb\n"
      "targte: {}\n");
  EXPECT_NE(msg.find(":6:1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'target'"), std::string::npos) << msg;
}

TEST(ConfigLoader, DuplicateSourceNames) {
  std::string msg = ParseError(
      "sources:\n"
      "  - name: main\n"
      "    dsn: a\n"
      "  - name: main\n"
      "    dsn: b\n");
  EXPECT_NE(msg.find("two sources are named 'main'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(":4:11"), std::string::npos) << msg;
}

TEST(ConfigLoader, MissingDsn) {
  std::string msg = ParseError("sources:\n  - name: main\n    tables: [public.*]\n");
  EXPECT_NE(msg.find("needs a dsn"), std::string::npos) << msg;
  EXPECT_NE(msg.find("main"), std::string::npos) << msg;
}

TEST(ConfigLoader, MissingName) {
  std::string msg = ParseError("sources:\n  - dsn: postgres://h/db\n");
  EXPECT_NE(msg.find("needs a name"), std::string::npos) << msg;
}

TEST(ConfigLoader, InvalidSourceNames) {
  for (const char* name : {"Main", "my-source", "has space", "ü", "\"\"",
                           "a23456789012345678901234567890123456789012"}) {
    SCOPED_TRACE(name);
    std::string msg =
        ParseError(std::string("sources:\n  - name: ") + name + "\n    dsn: postgres://h/db\n");
    EXPECT_NE(msg.find("must be lowercase letters, digits and _"), std::string::npos) << msg;
  }
  // 40 characters is the limit.
  EXPECT_NO_THROW(
      ParseConfig("sources:\n  - name: " + std::string(40, 'a') + "\n    dsn: d\n", "w.yaml"));
}

TEST(ConfigLoader, StructuralErrors) {
  EXPECT_NE(ParseError("").find("expected a mapping"), std::string::npos);
  EXPECT_NE(ParseError("- a\n- b\n").find("expected a mapping"), std::string::npos);
  EXPECT_NE(ParseError("staging: {}\n").find("'sources' must list"), std::string::npos);
  EXPECT_NE(ParseError("sources: []\n").find("'sources' must list"), std::string::npos);
  EXPECT_NE(ParseError("sources:\n  - name: m\n    dsn: [a, b]\n").find("dsn must be a string"),
            std::string::npos);
  std::string msg = ParseError("sources: [\n");
  EXPECT_NE(msg.find("invalid YAML"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/etc/wharf/wharf.yaml:"), std::string::npos) << msg;
}

TEST(ConfigLoader, UnsupportedChoices) {
  const std::string base = "sources:\n  - name: m\n    dsn: d\n";
  EXPECT_NE(ParseError(base + "staging:\n  compression: lz4\n").find("none, gzip or zstd"),
            std::string::npos);
  EXPECT_NE(ParseError(base + "staging:\n  format: avro\n").find("use jsonl, csv or parquet"),
            std::string::npos);
  EXPECT_NE(ParseError(base + "target:\n  type: snowflake\n").find("use duckdb"),
            std::string::npos);
  EXPECT_NE(ParseError(base + "target:\n  mode: mirrored\n").find("mirror, soft_delete, history or append"),
            std::string::npos);
  std::string msg = ParseError(base + "staging:\n  batch:\n    max_bytes: 16 parsecs\n");
  EXPECT_NE(msg.find("unknown size unit"), std::string::npos) << msg;
  EXPECT_NE(msg.find(":6:16"), std::string::npos) << msg;
}

TEST(ConfigLoader, LoadConfigOfAMissingFile) {
  std::string msg = ConfigError([] { LoadConfig("/nonexistent/dir/wharf.yaml"); });
  EXPECT_NE(msg.find("/nonexistent/dir/wharf.yaml"), std::string::npos) << msg;
}

TEST(ParseSize, ValidValues) {
  EXPECT_EQ(ParseSize("1000", "w"), 1000u);
  EXPECT_EQ(ParseSize("0", "w"), 0u);
  EXPECT_EQ(ParseSize("10B", "w"), 10u);
  EXPECT_EQ(ParseSize("512k", "w"), 512u * 1024);
  EXPECT_EQ(ParseSize("512KB", "w"), 512u * 1024);
  EXPECT_EQ(ParseSize("16MB", "w"), 16ull << 20);
  EXPECT_EQ(ParseSize("64mb", "w"), 64ull << 20);
  EXPECT_EQ(ParseSize("64 MiB", "w"), 64ull << 20);
  EXPECT_EQ(ParseSize("1GiB", "w"), 1ull << 30);
  EXPECT_EQ(ParseSize("2G", "w"), 2ull << 30);
  EXPECT_EQ(ParseSize("1.5KB", "w"), 1536u);
  EXPECT_EQ(ParseSize("0.5GB", "w"), 512ull << 20);
  EXPECT_EQ(ParseSize("2TB", "w"), 2ull << 40);
}

TEST(ParseSize, InvalidValues) {
  for (const char* text : {"", "MB", "-1MB", "ten", "16PB", "16 M B", "16MBs", " 16MB", "1e3"}) {
    SCOPED_TRACE(text);
    std::string msg = ConfigError([&] { ParseSize(text, "w.yaml:3:4"); });
    EXPECT_NE(msg.find("w.yaml:3:4"), std::string::npos) << msg;
  }
}

TEST(ParseSize, LoneDotIsAConfigError) {
  for (const char* text : {".", ".MB", "..KB"}) {
    SCOPED_TRACE(text);
    ConfigError([&] { ParseSize(text, "w"); });
  }
}

TEST(ParseDuration, ValidValues) {
  EXPECT_EQ(ParseDuration("500ms", "w"), 500ms);
  EXPECT_EQ(ParseDuration("1s", "w"), 1000ms);
  EXPECT_EQ(ParseDuration("2", "w"), 2000ms);  // seconds by default
  EXPECT_EQ(ParseDuration("1.5s", "w"), 1500ms);
  EXPECT_EQ(ParseDuration("2m", "w"), 120000ms);
  EXPECT_EQ(ParseDuration("3min", "w"), 180000ms);
  EXPECT_EQ(ParseDuration("12h", "w"), std::chrono::milliseconds(12LL * 3600000));
  EXPECT_EQ(ParseDuration("7d", "w"), std::chrono::milliseconds(7LL * 86400000));
  EXPECT_EQ(ParseDuration("0ms", "w"), 0ms);
}

TEST(ParseDuration, InvalidValues) {
  for (const char* text : {"", "s", "-1s", "fast", "1w", "10 sec", "1S", "5us"}) {
    SCOPED_TRACE(text);
    std::string msg = ConfigError([&] { ParseDuration(text, "w.yaml:9:9"); });
    EXPECT_NE(msg.find("w.yaml:9:9"), std::string::npos) << msg;
  }
}

TEST(ParseDuration, LoneDotIsAConfigError) {
  for (const char* text : {".", ".s"}) {
    SCOPED_TRACE(text);
    ConfigError([&] { ParseDuration(text, "w"); });
  }
}

}  // namespace
}  // namespace wharf::cli

#include "pipeline/progress.hpp"

namespace wharf::cli {
namespace {

TEST(Progress, LineShowsPercentRateAndEta) {
  using pipeline::ProgressLine;
  std::string line = ProgressLine("public.orders", 250000, 1000000, 50 << 20, 10.0, true);
  EXPECT_NE(line.find("public.orders"), std::string::npos) << line;
  EXPECT_NE(line.find(" 25%"), std::string::npos) << line;
  EXPECT_NE(line.find("[######..................]"), std::string::npos) << line;
  EXPECT_NE(line.find("25.0k rows/s"), std::string::npos) << line;
  EXPECT_NE(line.find("eta 30s"), std::string::npos) << line;
  std::string plain = ProgressLine("t", 10, 0, 0, 0, false);
  EXPECT_EQ(plain.find('['), std::string::npos) << plain;
  EXPECT_NE(plain.find("eta -"), std::string::npos) << plain;
}

TEST(ConfigLoader, PostgresTargetTakesADsn) {
  EnvVar pw("WHARF_TEST_WH_PW", "hunter2");
  const std::string base = "sources:\n  - name: m\n    dsn: d\ntarget:\n  type: postgres\n";
  auto cfg = ParseConfig(base + "  dsn: postgres://wh:${WHARF_TEST_WH_PW}@h/wh\n", "w.yaml");
  EXPECT_EQ(cfg.target.type, "postgres");
  EXPECT_EQ(cfg.target.dsn, "postgres://wh:hunter2@h/wh");
  std::string msg = ParseError(base);
  EXPECT_NE(msg.find("needs target.dsn"), std::string::npos) << msg;
  msg = ParseError(base + "  dsn: postgres://h/wh\n  path: ./w.duckdb\n");
  EXPECT_NE(msg.find("takes target.dsn"), std::string::npos) << msg;
  msg = ParseError("sources:\n  - name: m\n    dsn: d\ntarget:\n  dsn: postgres://h/wh\n");
  EXPECT_NE(msg.find("duckdb target takes target.path"), std::string::npos) << msg;
  msg = ParseError("sources:\n  - name: m\n    dsn: d\ntarget:\n  type: oracle\n");
  EXPECT_NE(msg.find("use duckdb or postgres"), std::string::npos) << msg;
}

}  // namespace
}  // namespace wharf::cli

namespace wharf::cli {
namespace {

TEST(ConfigLoader, BackPressureAndRetention) {
  const std::string head = "sources:\n  - name: main\n    dsn: postgres://h/db\nstaging:\n";
  core::Config d = ParseConfig(head + "  url: file://./s\n", "w.yaml");
  EXPECT_EQ(d.staging.max_pending_bytes, 10ull << 30);
  ASSERT_TRUE(d.staging.retention.has_value());
  EXPECT_EQ(*d.staging.retention, 0ms);
  core::Config c = ParseConfig(head + "  max_pending_bytes: 512MB\n  retention: 7d\n", "w.yaml");
  EXPECT_EQ(c.staging.max_pending_bytes, 512ull << 20);
  EXPECT_EQ(*c.staging.retention, std::chrono::milliseconds(7LL * 86400000));
  core::Config f = ParseConfig(head + "  retention: forever\n", "w.yaml");
  EXPECT_FALSE(f.staging.retention.has_value());
  EXPECT_NE(ParseError(head + "  retention: sometimes\n").find("wharf.yaml:"), std::string::npos);
  EXPECT_NE(ParseError(head + "  retention: sometimes\n").find("forever"), std::string::npos);
  EXPECT_NE(ParseError(head + "  max_pending_bytes: 0\n").find("above 0"), std::string::npos);
  EXPECT_NE(ParseError(head + "  retension: 1d\n").find("did you mean 'retention'"), std::string::npos);
}

TEST(ConfigLoader, FullLoadWorkersAndBatchBytes) {
  const std::string head = "sources:\n  - name: main\n    dsn: postgres://h/db\nfull_load:\n";
  core::Config d = ParseConfig("sources:\n  - name: main\n    dsn: postgres://h/db\n", "w.yaml");
  EXPECT_EQ(d.full_load.workers, 0u);
  EXPECT_EQ(d.full_load.batch_bytes, 256ull << 20);
  core::Config c = ParseConfig(head + "  workers: 3\n  batch_bytes: 1GB\n", "w.yaml");
  EXPECT_EQ(c.full_load.workers, 3u);
  EXPECT_EQ(c.full_load.batch_bytes, 1ull << 30);
  EXPECT_NE(ParseError(head + "  batch_bytes: 0\n").find("more than 0"), std::string::npos);
  EXPECT_NE(ParseError(head + "  batch_bytes: lots\n").find("is not a size"), std::string::npos);
  EXPECT_NE(ParseError(head + "  batch_byte: 1GB\n").find("did you mean 'batch_bytes'"), std::string::npos);
}

}  // namespace
}  // namespace wharf::cli

namespace wharf::cli {
namespace {

TEST(ConfigLoader, TableModes) {
  core::Config cfg = ParseConfig(
      "sources:\n  - name: m\n    dsn: d\ntarget:\n  mode: soft_delete\n  tables:\n"
      "    public.orders: {mode: history}\n    \"audit.*\":\n      mode: append\n",
      "w.yaml");
  EXPECT_EQ(cfg.target.mode, "soft_delete");
  ASSERT_EQ(cfg.target.table_modes.size(), 2u);
  EXPECT_EQ(cfg.target.table_modes[0].pattern, "public.orders");
  EXPECT_EQ(cfg.target.table_modes[0].mode, "history");
  EXPECT_EQ(cfg.target.table_modes[0].where, "w.yaml:7:5");
  EXPECT_EQ(cfg.target.table_modes[1].pattern, "audit.*");
  EXPECT_EQ(cfg.target.table_modes[1].mode, "append");
}

TEST(ConfigLoader, TableModeErrors) {
  const std::string base = "sources:\n  - name: m\n    dsn: d\ntarget:\n  tables:\n";
  std::string msg = ParseError(base + "    public.orders: {mode: histroy}\n");
  EXPECT_NE(msg.find("'histroy' is not a load mode"), std::string::npos) << msg;
  EXPECT_NE(msg.find(":6:"), std::string::npos) << msg;
  msg = ParseError(base + "    public.orders: {mdoe: history}\n");
  EXPECT_NE(msg.find("did you mean 'mode'"), std::string::npos) << msg;
  msg = ParseError(base + "    orders: {mode: history}\n");
  EXPECT_NE(msg.find("must be schema.table"), std::string::npos) << msg;
  msg = ParseError(base + "    public.orders: {}\n");
  EXPECT_NE(msg.find("needs a mode"), std::string::npos) << msg;
  msg = ParseError("sources:\n  - name: m\n    dsn: d\ntarget:\n  tables: [public.orders]\n");
  EXPECT_NE(msg.find("target.tables must map"), std::string::npos) << msg;
}

}  // namespace
}  // namespace wharf::cli

namespace wharf::cli {
namespace {

TEST(ConfigLoader, AQuoteLeftOpenIsNamedNotSwallowed) {
  try {
    ParseConfig("sources:\n  - name: a\n    dsn: \"postgres://x/db\nstaging:\n  url: file://./s\n", "w.yaml");
    FAIL() << "the rest of the file must not become the dsn";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("w.yaml:3:10: the double quote opened here is not closed on this line"),
              std::string::npos) << e.message();
  }
  // Quotes inside a plain value, closed quotes, '' escapes and comments are fine.
  auto c = ParseConfig(
      "sources:\n  - name: a  # it's a comment with a \" in it\n    dsn: postgres://u:p\"q@h/db\n"
      "    tables: [\"public.a\", 'it''s']\nstaging:\n  url: \"file://./s\"\n", "w.yaml");
  EXPECT_EQ(c.sources[0].dsn, "postgres://u:p\"q@h/db");
  EXPECT_EQ(c.sources[0].tables[1], "it's");
}

}  // namespace
}  // namespace wharf::cli
