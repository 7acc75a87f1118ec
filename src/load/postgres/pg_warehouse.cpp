#include "load/postgres/pg_warehouse.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/fault.hpp"
#include "load/postgres/pg_sql.hpp"

namespace wharf::load::postgres {

PgWarehouse::PgWarehouse(const core::TargetConfig& config)
    : conn_(pg::Connection::Open(config.dsn, false, "wharf-load")),
      schemas_(conn_, config, [this](const core::TableName& target, const core::RelationSchema& schema) {
        CreateTable(target, schema);
      }) {
  try {
    // "already exists, skipping" notices of IF [NOT] EXISTS would reach stderr.
    conn_.Exec("SET client_min_messages = warning");
    conn_.Exec(StateDdl());
    conn_.Exec(SchemaMetadataDdl());
  } catch (Error& e) {
    throw e.AddContext("preparing the _wharf schema in the warehouse " + conn_.description());
  }
  spdlog::info("load: warehouse is PostgreSQL at {}", conn_.description());
}

uint64_t PgWarehouse::AppliedSeq(const std::string& source) {
  auto r = conn_.Exec(AppliedSeqSql(source));
  return r.rows() == 0 ? 0 : std::stoull(std::string(r.Get(0, 0)));
}

std::vector<SourceProgress> PgWarehouse::Progress() {
  auto r = conn_.Exec(ProgressSql());
  std::vector<SourceProgress> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.Get(i, 0)), std::stoull(std::string(r.Get(i, 1))),
                   Lsn(std::stoull(std::string(r.Get(i, 2)))), Lsn(std::stoull(std::string(r.Get(i, 3)))),
                   std::string(r.Get(i, 4))});
  }
  return out;
}

std::optional<uint64_t> PgWarehouse::CountRows(const core::TableName& target) {
  auto exists = conn_.ExecParams("SELECT to_regclass($1) IS NOT NULL",
                                 {pg::QuoteIdent(target.schema) + "." + pg::QuoteIdent(target.name)});
  if (exists.Get(0, 0) != "t") return std::nullopt;
  auto r = conn_.Exec("SELECT count(*) FROM " + pg::QuoteIdent(target.schema) + "." + pg::QuoteIdent(target.name));
  return std::stoull(std::string(r.Get(0, 0)));
}

std::vector<std::string> PgWarehouse::TypeNames(const core::RelationSchema& schema) {
  auto r = conn_.Exec(TypeNamesSql(schema));
  std::vector<std::string> out;
  for (int i = 0; i < r.columns(); ++i) out.emplace_back(r.Get(0, i));
  return out;
}

void PgWarehouse::CreateTable(const core::TableName& target, const core::RelationSchema& schema) {
  for (const auto& sql : CreateTableSql(target, schema, TypeNames(schema))) conn_.Exec(sql);
  spdlog::info("load: created {}", target.ToString());
  AddModeColumns(target, creating_mode_);
}

bool PgWarehouse::EnsureTable(const core::TableName& target, const core::RelationSchema& schema,
                              bool truncates) {
  return schemas_.Prepare(batch_->source, batch_->seq, target, schema, truncates);
}

bool PgWarehouse::BeginBatch(const std::string& source, uint64_t seq) {
  if (batch_) {
    Fail(ErrorKind::kInternal, "batch {} of source {} was begun while batch {} of {} is open", seq,
         source, batch_->seq, batch_->source);
  }
  conn_.Exec("BEGIN");
  try {
    // Another loader of the same source waits here until this batch ends,
    // then sees it applied.
    conn_.Exec(LockSourceSql(source));
    if (seq <= AppliedSeq(source)) {
      conn_.Exec("ROLLBACK");
      return false;
    }
  } catch (...) {
    try {
      conn_.Exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  batch_ = OpenBatch{source, seq};
  return true;
}

void PgWarehouse::ApplyTable(const TableBatch& tb) {
  if (!batch_) {
    Fail(ErrorKind::kInternal, "a plan for {} was applied with no batch open", tb.target.ToString());
  }
  try {
    const core::RelationSchema schema = WarehouseSchema(tb.schema);
    CheckMode(tb.target, schema, tb.mode);  // refuses a table created in another mode
    creating_mode_ = tb.mode;              // a table (re)created below gets its mode's columns
    if (!EnsureTable(tb.target, schema, tb.plan.truncate)) return;
    try {
      if (tb.mode == LoadMode::kHistory) ApplyHistory(tb.target, schema, tb.plan, tb.copying);
      else if (tb.mode == LoadMode::kAppend) ApplyAppend(tb.target, schema, tb.plan);
      else ApplyPlan(tb.target, schema, tb.plan, tb.mode, tb.copying);
    } catch (const UnfilledToast& u) {
      // Thrown before the table was touched in this chunk.
      schemas_.Stop(batch_->source, batch_->seq, tb.target,
                    StopReason(UnfilledToastReason(u.rows), batch_->seq, tb.schema.table));
      return;
    }
    core::FaultPoint("load.mid_apply");
  } catch (Error& e) {
    throw e.AddContext("loading batch " + std::to_string(batch_->seq) + " of source " + batch_->source +
                       " into " + tb.target.ToString());
  }
}

void PgWarehouse::ApplyPlan(const core::TableName& target, const core::RelationSchema& schema,
                            const TablePlan& plan, LoadMode mode, bool copying) {
  // Same order as the plan's contract (planner.hpp): unchanged TOAST values
  // are read from the warehouse before anything is deleted, then truncate,
  // deletes, removes, upserts, inserts.
  const bool soft = mode == LoadMode::kSoftDelete;
  if (!plan.upserts.empty()) StageRows(target, schema, plan.upserts, mode, "", copying);
  if (plan.truncate && soft) conn_.Exec(SoftDeleteTruncateSql(target, plan.truncate_lsn));
  if (!plan.marks.empty()) {
    // soft_delete: rows deleted by keys the chunk holds no values of keep theirs.
    StageMarks(target, schema, plan.marks);
    conn_.Exec(SoftDeleteMarksSql(target, schema));
  }
  if (plan.truncate && !soft) conn_.Exec(TruncateSql(target));
  if (!plan.deletes.empty()) {
    conn_.Exec(CreateDeleteStageSql(target, schema));
    CopyRows(conn_, CopyDeleteStageSql(schema), plan.deletes, EncodeKey);
    // Without statistics the planner guesses the stage's size; with them a
    // few keys use the key index and many hash-join.
    conn_.Exec("ANALYZE pg_temp." + pg::QuoteIdent(kDeleteStage));
    conn_.Exec(DeleteByKeySql(target, schema));
  }
  if (!plan.removes.empty()) {
    conn_.Exec(CreateRemoveStageSql(target, schema));
    uint64_t id = 0;
    CopyRows(conn_, CopyRemoveStageSql(schema), plan.removes,
             [&](std::string& out, const CountedRow& row) { EncodeRemove(out, row, id++); });
    conn_.Exec("ANALYZE pg_temp." + pg::QuoteIdent(kRemoveStage));
    conn_.Exec(RemoveCopiesSql(target, schema));
  }
  if (!plan.upserts.empty()) conn_.Exec(InsertFromUpsertStageSql(target, schema, mode));
  if (plan.inserts.empty()) return;
  if (soft) {
    CopyRows(conn_, CopyIntoTargetSql(target, schema, mode), plan.inserts,
             [&](std::string& out, const PlannedRow& row) { EncodeUpsertRow(out, schema, row, false, mode); });
  } else {
    CopyRows(conn_, CopyIntoTargetSql(target, schema), plan.inserts, EncodeInsertRow);
  }
}

void PgWarehouse::CommitBatch(Lsn last_lsn, Lsn end_lsn) {
  if (!batch_) Fail(ErrorKind::kInternal, "a batch was committed with none open");
  const OpenBatch b = *batch_;
  try {
    conn_.Exec(SaveProgressSql(b.source, b.seq, last_lsn.value(), end_lsn.value()));
    core::FaultPoint("load.before_commit");
    conn_.Exec("COMMIT");
  } catch (Error& e) {
    AbortBatch();
    throw e.AddContext("committing batch " + std::to_string(b.seq) + " of source " + b.source);
  }
  batch_.reset();
  core::FaultPoint("load.after_commit");
}

void PgWarehouse::AbortBatch() noexcept {
  if (!batch_) return;
  schemas_.RolledBack();
  table_modes_.clear();
  try {
    conn_.Exec("ROLLBACK");
  } catch (...) {
    // The server already ended the transaction (or the connection is gone).
  }
  batch_.reset();
}

void PgWarehouse::CollectSample(const std::string& label, const std::string& key_names,
                                const std::string& from, const std::string& key_expr, size_t limit,
                                uint64_t& counter, TableDiff& diff) {
  counter = std::stoull(std::string(conn_.Exec("SELECT count(*) FROM " + from).Get(0, 0)));
  if (counter == 0) return;
  auto r = conn_.Exec("SELECT " + key_expr + " FROM " + from + " LIMIT " + std::to_string(limit));
  for (int i = 0; i < r.rows(); ++i)
    diff.sample.push_back(label + " (" + key_names + ")=(" + std::string(r.Get(i, 0)) + ")");
}

TableDiff PgWarehouse::Compare(const core::TableName& target, const core::RelationSchema& source_schema,
                               const RowProducer& source_rows, size_t sample_limit) {
  if (batch_) Fail(ErrorKind::kInternal, "a comparison was started while a batch is open");
  const core::RelationSchema schema = WarehouseSchema(source_schema);
  TableDiff diff;
  // The rows the source should equal: soft_delete's live rows, history's current versions.
  const LoadMode mode = TableMode(target);
  if (mode == LoadMode::kAppend) {
    diff.skipped = "append mode keeps the change log, not the source's rows; not compared";
    return diff;
  }
  const std::string where = ModeRowsFilter(mode);
  auto count = CountRows(target);
  // Everything below is read-only: the temporary tables go with the rollback.
  conn_.Exec("BEGIN");
  try {
    conn_.Exec(CreateSourceStageSql(schema));
    diff.source_rows = conn_.CopyIn(CopySourceStageSql(schema), [&](const pg::Connection::CopyPut& put) {
      std::string line;
      source_rows([&](const std::vector<core::Datum>& row) {
        line.clear();
        EncodeSourceRow(line, row);
        put(line);
      });
    });
    if (!count) {
      diff.missing = diff.source_rows;
      diff.sample.push_back("table " + target.ToString() + " does not exist in the warehouse");
      conn_.Exec("ROLLBACK");
      return diff;
    }
    diff.warehouse_rows =
        where.empty() ? *count
                      : std::stoull(std::string(
                            conn_.Exec("SELECT count(*) FROM " + Qualified(target) + " WHERE " + where).Get(0, 0)));
    std::string names;
    if (schema.KeyIndexes().empty()) {
      for (const auto& c : schema.columns) names += (names.empty() ? "" : ",") + c.name;
      conn_.Exec(MultisetDifferenceSql(target, schema, where));
      auto totals = conn_.Exec(
          "SELECT coalesce(sum(\"_wharf_d\") FILTER (WHERE \"_wharf_d\" > 0), 0), "
          "coalesce(-sum(\"_wharf_d\") FILTER (WHERE \"_wharf_d\" < 0), 0) FROM \"_wharf_cmp\"");
      diff.missing = std::stoull(std::string(totals.Get(0, 0)));
      diff.extra = std::stoull(std::string(totals.Get(0, 1)));
      for (const auto& [label, where] : {std::pair<std::string, std::string>{"missing in warehouse:", "> 0"},
                                         {"not in source:", "< 0"}}) {
        auto r = conn_.Exec("SELECT \"_wharf_row\", abs(\"_wharf_d\") FROM \"_wharf_cmp\" WHERE \"_wharf_d\" " +
                            where + " LIMIT " + std::to_string(sample_limit));
        for (int i = 0; i < r.rows(); ++i) {
          std::string copies(r.Get(i, 1));
          diff.sample.push_back(label + " (" + names + ")=(" + std::string(r.Get(i, 0)) + ")" +
                                (copies != "1" ? " x" + copies : ""));
        }
      }
    } else {
      for (size_t k : schema.KeyIndexes()) names += (names.empty() ? "" : ",") + schema.columns[k].name;
      auto q = KeyedCompareSql(target, schema, where);
      conn_.Exec("ANALYZE pg_temp." + pg::QuoteIdent(kSourceStage));
      CollectSample("missing in warehouse:", names, q.missing, q.missing_key, sample_limit, diff.missing, diff);
      CollectSample("not in source:", names, q.extra, q.extra_key, sample_limit, diff.extra, diff);
      uint64_t duplicates = 0;
      CollectSample("duplicated in warehouse:", names, q.duplicated, q.duplicated_key, sample_limit, duplicates,
                    diff);
      diff.extra += duplicates;
      CollectSample("different values:", names, q.different, q.different_key, sample_limit, diff.different,
                    diff);
    }
    conn_.Exec("ROLLBACK");
  } catch (...) {
    try {
      conn_.Exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  return diff;
}

}  // namespace wharf::load::postgres
