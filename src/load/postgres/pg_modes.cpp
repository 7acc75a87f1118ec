// The PostgreSQL adapter's load modes beyond mirror (see load/planner.hpp for
// the plans, pg_mode_sql.hpp for the statements): table shapes, staging of
// planned rows and marks, history and append. soft_delete runs through
// ApplyPlan with these stages.
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "load/postgres/pg_sql.hpp"
#include "load/postgres/pg_warehouse.hpp"

namespace wharf::load::postgres {

LoadMode PgWarehouse::TableMode(const core::TableName& target) {
  std::set<std::string> cols;
  auto r = conn_.Exec(ExistingColumnsSql(target));
  for (int i = 0; i < r.rows(); ++i) cols.emplace(r.Get(i, 0));
  return ModeOfColumns(cols);
}

bool PgWarehouse::CheckMode(const core::TableName& target, const core::RelationSchema& schema, LoadMode mode) {
  auto it = table_modes_.find(target);
  if (it == table_modes_.end()) {
    auto r = conn_.Exec(ExistingColumnsSql(target));
    if (r.rows() == 0) {
      table_modes_.emplace(target, mode);  // created in `mode` now
      return true;
    }
    std::set<std::string> cols;
    for (int i = 0; i < r.rows(); ++i) cols.emplace(r.Get(i, 0));
    it = table_modes_.emplace(target, ModeOfColumns(cols)).first;
  }
  ExpectSameMode(target, it->second, mode, schema.table);
  return false;
}

void PgWarehouse::AddModeColumns(const core::TableName& target, LoadMode mode) {
  if (mode == LoadMode::kMirror) return;
  conn_.Exec(AddModeColumnsSql(target, mode));
  spdlog::info("load: {} is loaded in {} mode", target.ToString(), ModeName(mode));
}

void PgWarehouse::StageRows(const core::TableName& target, const core::RelationSchema& schema,
                            const std::vector<PlannedRow>& rows, LoadMode mode, const std::string& fill_from,
                            bool copying) {
  std::set<uint32_t> fill_cols;
  for (const auto& row : rows) fill_cols.insert(row.fill_columns.begin(), row.fill_columns.end());
  const bool with_fill = !fill_cols.empty();
  conn_.Exec(CreateUpsertStageSql(target, schema, with_fill, mode));
  CopyRows(conn_, CopyUpsertStageSql(schema, with_fill, mode), rows,
          [&](std::string& out, const PlannedRow& row) { EncodeUpsertRow(out, schema, row, with_fill, mode); });
  if (!with_fill) return;
  // Unchanged TOAST values the chunk does not carry, read before the
  // statements that follow change the warehouse rows.
  conn_.Exec("ANALYZE pg_temp." + pg::QuoteIdent(kUpsertStage));
  conn_.Exec(FillFromWarehouseSql(target, schema, {fill_cols.begin(), fill_cols.end()}, fill_from));
  if (copying) return;
  auto unfilled = conn_.Exec(UnfilledRowsSql(target, schema, fill_from));
  if (uint64_t n = std::stoull(std::string(unfilled.Get(0, 0)))) throw UnfilledToast{n};
}

void PgWarehouse::StageMarks(const core::TableName& target, const core::RelationSchema& schema,
                             const std::vector<KeyMark>& marks) {
  conn_.Exec(CreateMarkStageSql(target, schema));
  CopyRows(conn_, CopyMarkStageSql(schema), marks, EncodeMark);
  conn_.Exec("ANALYZE pg_temp." + pg::QuoteIdent(kMarkStage));
}

void PgWarehouse::ApplyHistory(const core::TableName& target, const core::RelationSchema& schema,
                               const TablePlan& plan, bool copying) {
  // 1. The chunk's versions, unchanged TOAST columns filled from each key's
  //    latest version (current, or the tombstone a TRUNCATE left: a row
  //    copied again after a TRUNCATE can be updated before its copy lands).
  if (!plan.versions.empty())
    StageRows(target, schema, plan.versions, LoadMode::kHistory, LatestVersionsSql(target, schema), copying);
  // 2. TRUNCATE (only ever first in a chunk): a tombstone for every current
  //    version, then every current version ends.
  if (plan.truncate) {
    for (const auto& sql : HistoryTruncateSql(target, schema, plan.truncate_lsn, plan.truncate_seq, plan.truncate_ts))
      conn_.Exec(sql);
  }
  // 3. Current versions of keys the chunk changed end at their first change.
  if (!plan.marks.empty()) {
    StageMarks(target, schema, plan.marks);
    conn_.Exec(EndVersionsSql(target, schema));
  }
  // 4. The new versions.
  if (!plan.versions.empty()) conn_.Exec(InsertFromUpsertStageSql(target, schema, LoadMode::kHistory));
}

void PgWarehouse::ApplyAppend(const core::TableName& target, const core::RelationSchema& schema,
                              const TablePlan& plan) {
  // Nothing is ever rewritten: every change is COPYed straight into the target.
  if (plan.versions.empty()) return;
  CopyRows(conn_, CopyIntoTargetSql(target, schema, LoadMode::kAppend), plan.versions,
          [&](std::string& out, const PlannedRow& row) {
            EncodeUpsertRow(out, schema, row, false, LoadMode::kAppend);
          });
}

}  // namespace wharf::load::postgres
