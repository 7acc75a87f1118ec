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

struct StagingConfig {
  std::string url = "file://./wharf-stage";
  std::string format = "jsonl";
  std::string compression = "zstd";
  uint64_t batch_max_bytes = 64ull << 20;
  std::chrono::milliseconds batch_max_interval{1000};
};

// One entry of target.tables: tables matching `pattern` load in `mode`.
struct TableModeRule {
  std::string pattern;  // schema.table glob, matched against source and warehouse names
  std::string mode;     // a load::LoadMode name, checked when parsed
  std::string where;    // file:line:col of the entry, for errors
};

struct TargetConfig {
  std::string type = "duckdb";
  std::string path = "./warehouse.duckdb";
  std::string mode = "mirror";  // mirror | soft_delete | history | append
  std::vector<TableModeRule> table_modes;  // target.tables overrides, in file order
  std::string memory_limit;  // DuckDB memory_limit, e.g. "1GB"; empty: DuckDB's default
  TypeOptions types;
};

struct FullLoadConfig {
  size_t workers = 0;  // connections copying at once; 0: sized to the machine
};

struct ServerConfig {
  std::string listen = "127.0.0.1:9187";
};

struct ModelsConfig {
  std::string project;
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

  // Warehouse schema for a source table.
  std::string TargetSchema(const SourceConfig& s, const std::string& source_schema) const {
    return s.target_schema ? *s.target_schema : source_schema;
  }
};

}  // namespace wharf::core
