#pragma once
// How `wharf validate` compares.
#include <duckdb.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace wharf::validate {

struct Options {
  std::optional<std::string> only_table;  // "schema.table" of a source
  size_t sample_limit = 20;               // differences listed per table
  // Rows per key-range chunk (about), and the most chunks per table.
  uint64_t chunk_rows = 50000;
  size_t max_chunks = 4096;
  // Source sessions reading one table's pages at the same time.
  size_t source_sessions = 2;
  // How long differences are re-checked while a loader catches up.
  std::chrono::milliseconds recheck_timeout{30000};
  // A DuckDB database the running wharf holds open, or null to open the file.
  duckdb_database shared_duckdb = nullptr;

  // The defaults, with the environment's overrides (hidden knobs for tests
  // and benchmarks): WHARF_VALIDATE_CHUNK_ROWS, WHARF_VALIDATE_SESSIONS,
  // WHARF_VALIDATE_RECHECK_S.
  static Options FromEnvironment();
};

}  // namespace wharf::validate
