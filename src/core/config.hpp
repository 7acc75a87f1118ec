#pragma once
// wharf.yaml as data. Parsing and validation live in cli/config_loader.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/pg_types.hpp"

namespace wharf::core {

struct SourceConfig {
  std::string name;
  std::string dsn;  // may hold a password: never log it, use pg::RedactDsn
  std::vector<std::string> tables = {"public.*"};
  std::vector<std::string> exclude;
  std::optional<std::string> target_schema;
  std::string slot;         // default: wharf_<name>
  std::string publication;  // default: wharf_<name>
};

// staging.s3: each empty field falls back to the AWS environment variable
// (AWS_ENDPOINT_URL_S3/AWS_ENDPOINT_URL, AWS_REGION/AWS_DEFAULT_REGION,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
struct S3Config {
  std::string endpoint;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;  // never log it
  std::string session_token;      // never log it
  std::string addressing = "auto";  // auto | path | virtual
};

struct StagingConfig {
  std::string url = "file://./wharf-stage";
  std::string format = "jsonl";  // jsonl | csv | parquet (staging/format.hpp)
  std::string compression = "zstd";
  uint64_t batch_max_bytes = 64ull << 20;
  std::chrono::milliseconds batch_max_interval{1000};
  S3Config s3;
  // How often a loader with nothing to do looks for new manifests (upload
  // notifications and in-process capture wake it sooner).
  std::chrono::milliseconds poll_interval{1000};
  // Back-pressure: capture pauses (confirming no further WAL) while the staged
  // files of batches the warehouse has not applied take this many bytes.
  uint64_t max_pending_bytes = 10ull << 30;
  // How long applied batches stay staged; nullopt: forever (needed by `wharf replay`).
  std::optional<std::chrono::milliseconds> retention = std::chrono::milliseconds(0);
};

// One entry of target.tables: tables matching `pattern` load in `mode`.
struct TableModeRule {
  std::string pattern;  // schema.table glob, matched against source and warehouse names
  std::string mode;     // a load::LoadMode name, checked when parsed
  std::string where;    // file:line:col of the entry, for errors
};

struct TargetConfig {
  std::string type = "duckdb";
  std::string path = "./warehouse.duckdb";  // duckdb only
  // postgres only: the warehouse database, URL or key=value form. May hold a
  // password: never log it, use pg::RedactDsn.
  std::string dsn;
  std::string mode = "mirror";  // mirror | soft_delete | history | append
  std::vector<TableModeRule> table_modes;  // target.tables overrides, in file order
  std::string memory_limit;  // DuckDB memory_limit, e.g. "1GB"; empty: DuckDB's default
  // A column dropped on the source: "keep" it in the warehouse (NULL in rows changed from then
  // on) or "drop" it there too.
  std::string dropped_columns = "keep";
  TypeOptions types;
  // duckdb only: a copy of the warehouse file for readers (BI tools), written
  // after model builds, since the live file has one writer. Empty: none.
  std::string read_replica;
};

struct FullLoadConfig {
  size_t workers = 0;  // connections copying at once; 0: sized to the machine
  // Rows staged per batch of the first full load, before compression. Large:
  // a fresh file loads on several DuckDB threads only when each gets a whole
  // row group (122,880 rows) of its own.
  uint64_t batch_bytes = 256ull << 20;
};

struct ServerConfig {
  std::string listen = "127.0.0.1:9187";
  // Bearer token the HTTP server requires (never logged); required when
  // listen is not a loopback address.
  std::string token;
};

// Retained WAL of each source's replication slot (pipeline/slot_guard.hpp).
struct SlotGuardConfig {
  uint64_t warn_at = uint64_t{5} << 30;  // 0: never warn
  std::optional<uint64_t> drop_slot_at;  // unset: never drop the slot
};

struct ValidateConfig {
  // `wharf run` validates every table this often; unset: only on request.
  std::optional<std::chrono::milliseconds> every;
};

struct ModelsConfig {
  std::string project;  // a dbt project directory; empty: no models
  // After applied batches, `wharf run` builds the project at most this often.
  std::chrono::milliseconds every{60000};
  std::vector<std::string> select;  // dbt selectors; empty: everything
  std::vector<std::string> exclude;
  // The schema models build into when no profiles.yml names the project's
  // profile (the profile is then wharf's own target).
  std::string schema = "analytics";
  std::string command = "build";  // build (models, seeds, snapshots, tests) or run
};

struct Config {
  std::string path;      // the file it came from
  std::string base_dir;  // relative paths resolve against the config file's folder
  std::vector<SourceConfig> sources;
  StagingConfig staging;
  FullLoadConfig full_load;
  TargetConfig target;
  ModelsConfig models;
  ServerConfig server;
  SlotGuardConfig slot_guard;
  ValidateConfig validate;

  // Warehouse schema for a source table.
  std::string TargetSchema(const SourceConfig& s, const std::string& source_schema) const {
    return s.target_schema ? *s.target_schema : source_schema;
  }
};

}  // namespace wharf::core
