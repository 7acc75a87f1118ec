#include "validate/validate.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "capture/source_setup.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "validate/table_check.hpp"

namespace wharf::validate {
namespace {

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoull(v);
  } catch (...) {
    Fail(ErrorKind::kConfig, "{}={} is not a number", name, v);
  }
}

// The configured tables and those added to the publication by hand.
std::vector<pg::TableInfo> ReplicatedTables(pg::Connection& conn, const core::SourceConfig& source) {
  auto tables = capture::SelectTables(conn, source).tables;
  for (auto& extra : capture::ExtraPublishedTables(conn, source, tables)) tables.push_back(std::move(extra));
  return tables;
}

}  // namespace

Options Options::FromEnvironment() {
  Options o;
  o.chunk_rows = std::max<uint64_t>(1, EnvNumber("WHARF_VALIDATE_CHUNK_ROWS", o.chunk_rows));
  o.source_sessions = std::max<uint64_t>(1, EnvNumber("WHARF_VALIDATE_SESSIONS", o.source_sessions));
  o.recheck_timeout = std::chrono::seconds(EnvNumber("WHARF_VALIDATE_RECHECK_S", 30));
  return o;
}

std::vector<TableResult> ValidateSource(const core::Config& config, const core::SourceConfig& source,
                                        WarehouseReader& warehouse, const Options& options) {
  auto snapshot = SourceSnapshot::Open(source, options.source_sessions);
  auto tables = ReplicatedTables(snapshot.main(), source);
  CatchUp catch_up(config, source);
  TableCheck check(config, source, options, warehouse, catch_up);
  std::vector<TableResult> out;
  for (const auto& t : tables) {
    if (options.only_table && t.name.ToString() != *options.only_table) continue;
    try {
      out.push_back(check.Run(snapshot, t));
    } catch (Error& e) {
      throw e.AddContext("while validating " + source.name + ":" + t.name.ToString());
    }
    const auto& r = out.back();
    spdlog::debug("validate: {}:{}: {} chunks, {} differing, {} differences, {:.2f} s", source.name,
                  t.name.ToString(), r.chunks, r.chunks_differing, r.Differences(), r.elapsed_seconds);
  }
  return out;
}

Report Validate(const core::Config& config, const Options& options) {
  Report report;
  for (const auto& s : config.sources) {
    auto warehouse = OpenWarehouseReader(config.target, config.base_dir, options.shared_duckdb);
    for (auto& t : ValidateSource(config, s, *warehouse, options)) report.tables.push_back(std::move(t));
  }
  if (options.only_table && report.tables.empty()) {
    Fail(ErrorKind::kConfig, "table {} is not among the tables the configured sources replicate; name it as "
         "schema.table", *options.only_table);
  }
  report.finished_at = core::UtcNowIsoMicros();
  report.finished_at_unix = static_cast<int64_t>(std::time(nullptr));
  return report;
}

}  // namespace wharf::validate
