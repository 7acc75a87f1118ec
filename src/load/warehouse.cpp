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

bool FreshRows::Cursor::NextViews(std::vector<core::DatumView>& row) {
  if (!Next(scratch_)) return false;
  core::ViewRow(scratch_, row);
  return true;
}

void Warehouse::AppendRows(const core::TableName& target, const core::RelationSchema& schema,
                           Lsn lsn, FreshRows& rows) {
  auto cursor = rows.OpenCursor();
  constexpr size_t kChunkBytes = size_t{16} << 20;
  TableBatch tb;
  tb.target = target;
  tb.schema = schema;
  size_t bytes = 0;
  std::vector<core::Datum> row;
  bool any = false;
  auto flush = [&] {
    tb.plan.changes = tb.plan.inserts.size();
    ApplyTable(tb);
    tb.plan = TablePlan{};
    bytes = 0;
    any = true;
  };
  while (cursor->Next(row)) {
    for (const auto& v : row) bytes += sizeof(v) + (v ? v->size() : 0);
    PlannedRow planned;
    planned.values = std::move(row);
    planned.lsn = lsn;
    tb.plan.inserts.push_back(std::move(planned));
    row.clear();
    if (bytes >= kChunkBytes) flush();
  }
  if (!tb.plan.inserts.empty() || !any) flush();  // an empty file still creates its table
}

std::string UnfilledToastReason(uint64_t rows) {
  return fmt::format(
      "{} changed row(s) left a TOAST value unchanged, but the warehouse has no row to take it from "
      "(a row it should hold is missing), so loading them would store NULL",
      rows);
}

std::string DuckDbFile(const core::TargetConfig& target, const std::string& base_dir) {
  std::filesystem::path p(target.path);
  if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
  return p.lexically_normal().string();
}

std::unique_ptr<Warehouse> OpenWarehouse(const core::TargetConfig& target, const std::string& base_dir) {
  if (target.type == "duckdb") {
    std::filesystem::path p = DuckDbFile(target, base_dir);
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      Fail(ErrorKind::kWarehouse,
           "cannot create the folder of the DuckDB warehouse {} (target.path): {}\n  point target.path at a "
           "folder wharf may write, or create it and give wharf's user write access",
           p.string(), ec.message());
    }
    return std::make_unique<duckdb::DuckDbWarehouse>(p.string(), target);
  }
  if (target.type == "postgres") {
    try {
      return std::make_unique<postgres::PgWarehouse>(target);
    } catch (const Error& e) {
      // The same libpq message as for a source: say which end it is.
      throw Error(e.kind(), "the warehouse (target.dsn): " + e.message());
    }
  }
  Fail(ErrorKind::kUnsupported,
       "target.type '{}' is not available in this build; use duckdb or postgres", target.type);
}

}  // namespace wharf::load
