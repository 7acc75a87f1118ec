#include "load/warehouse.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"
#include "load/postgres/pg_warehouse.hpp"

namespace wharf::load {

void Warehouse::Apply(const BatchApply& batch) {
  if (!BeginBatch(batch.source, batch.seq)) return;
  try {
    for (const auto& t : batch.tables) ApplyTable(t);
    CommitBatch(batch.last_lsn, batch.end_lsn);
  } catch (...) {
    AbortBatch();
    throw;
  }
}

std::unique_ptr<Warehouse> OpenWarehouse(const core::TargetConfig& target, const std::string& base_dir) {
  if (target.type == "duckdb") {
    std::filesystem::path p(target.path);
    if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    return std::make_unique<duckdb::DuckDbWarehouse>(p.lexically_normal().string(), target);
  }
  if (target.type == "postgres") return std::make_unique<postgres::PgWarehouse>(target);
  Fail(ErrorKind::kUnsupported,
       "target.type '{}' is not available in this build; use duckdb or postgres", target.type);
}

}  // namespace wharf::load
