#include "load/duckdb/duckdb_warehouse.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "core/error.hpp"
#include "core/fault.hpp"
#include "core/clock.hpp"
#include "core/convert.hpp"
#include "load/duckdb/duckdb_chunk.hpp"
#include "load/duckdb/duckdb_sql.hpp"
#include "load/duckdb/duckdb_types.hpp"

namespace wharf::load::duckdb {

std::string KeyText(const core::RelationSchema& schema, const std::vector<size_t>& keys,
                    const std::vector<core::Datum>& values) {
  std::string names, vals;
  for (size_t k : keys) {
    if (!names.empty()) {
      names += ",";
      vals += ",";
    }
    names += schema.columns[k].name;
    vals += values[k] ? *values[k] : "NULL";
  }
  return "(" + names + ")=(" + vals + ")";
}

std::vector<size_t> KeyColumns(const core::RelationSchema& schema) {
  auto keys = schema.KeyIndexes();
  if (keys.empty())
    for (size_t i = 0; i < schema.columns.size(); ++i) keys.push_back(i);
  return keys;
}

std::string KeyMatch(const core::RelationSchema& schema, const std::vector<size_t>& keys,
                     const std::string& left, const std::string& right,
                     const std::string& right_prefix) {
  std::string out;
  for (size_t k : keys) {
    if (!out.empty()) out += " AND ";
    out += left + "." + Ident(schema.columns[k].name) + " IS NOT DISTINCT FROM " + right + "." +
           Ident(right_prefix.empty() ? schema.columns[k].name
                                      : right_prefix + std::to_string(k));
  }
  return out;
}


core::RelationSchema WarehouseSchema(const core::RelationSchema& source) {
  core::RelationSchema out = source;
  std::set<std::string> used = {"_wharf_lsn", "_wharf_synced_at"};
  for (const auto& mode : {LoadMode::kSoftDelete, LoadMode::kHistory, LoadMode::kAppend})
    for (const auto& c : ModeColumns(mode)) used.insert(c.name);
  for (auto& c : out.columns) {
    std::string name = c.name;
    for (int n = 2; used.count(FoldCase(name)); ++n) name = c.name + "_" + std::to_string(n);
    used.insert(FoldCase(name));
    c.name = name;
  }
  return out;
}

DuckDbWarehouse::DuckDbWarehouse(const std::string& path, const core::TargetConfig& config)
    : config_(config), db_(Database::Open(path, config.memory_limit)), conn_(db_.Connect()) {
  conn_.Query("CREATE SCHEMA IF NOT EXISTS _wharf");
  conn_.Query(
      "CREATE TABLE IF NOT EXISTS _wharf.state (source VARCHAR, batch_seq UBIGINT, lsn UBIGINT, "
      "end_lsn UBIGINT, applied_at TIMESTAMPTZ)");
  conn_.Query(
      "CREATE TABLE IF NOT EXISTS _wharf.rejects (source VARCHAR, table_name VARCHAR, key VARCHAR, "
      "column_name VARCHAR, raw_text VARCHAR, reason VARCHAR, lsn UBIGINT, batch_seq UBIGINT, "
      "rejected_at TIMESTAMPTZ)");
  schemas_.emplace(conn_, config_);
}

// One logical type per column: arrays become LISTs of their element's type, and
// target.numeric (config_.types) decides unconstrained numeric, in columns and in array elements.
std::vector<core::LogicalType> DuckDbWarehouse::TypesOf(const core::RelationSchema& schema) const {
  std::vector<core::LogicalType> types;
  types.reserve(schema.columns.size());
  for (const auto& c : schema.columns) types.push_back(core::MapColumnType(c, config_.types));
  return types;
}

uint64_t DuckDbWarehouse::AppliedSeq(const std::string& source) {
  auto r = conn_.Query("SELECT max(batch_seq) FROM _wharf.state WHERE source = " + Literal(source));
  return r.IsNull(0, 0) ? 0 : r.GetUInt64(0, 0);
}

std::vector<SourceProgress> DuckDbWarehouse::Progress() {
  auto r = conn_.Query(
      "SELECT source, batch_seq, lsn, end_lsn, strftime(applied_at AT TIME ZONE 'UTC', "
      "'%Y-%m-%dT%H:%M:%S.%fZ') FROM _wharf.state ORDER BY source");
  std::vector<SourceProgress> out;
  for (uint64_t i = 0; i < r.rows(); ++i) {
    out.push_back({*r.GetString(i, 0), r.GetUInt64(i, 1), Lsn(r.GetUInt64(i, 2)),
                   Lsn(r.GetUInt64(i, 3)), r.GetString(i, 4).value_or("")});
  }
  return out;
}

std::optional<uint64_t> DuckDbWarehouse::CountRows(const core::TableName& target) {
  auto exists = conn_.Query(
      "SELECT count(*) FROM information_schema.tables WHERE table_schema = " +
      Literal(target.schema) + " AND table_name = " + Literal(target.name));
  if (exists.GetInt64(0, 0) == 0) return std::nullopt;
  auto r = conn_.Query("SELECT count(*) FROM " + Qualified(target.schema, target.name));
  return r.GetUInt64(0, 0);
}

void DuckDbWarehouse::CheckMode(const core::TableName& target, const core::RelationSchema& schema,
                                LoadMode mode) {
  auto it = table_modes_.find(target);
  if (it == table_modes_.end()) {
    std::set<std::string> cols;
    auto r = conn_.Query("SELECT column_name FROM information_schema.columns WHERE table_schema = " +
                         Literal(target.schema) + " AND table_name = " + Literal(target.name));
    for (uint64_t i = 0; i < r.rows(); ++i) cols.insert(FoldCase(*r.GetString(i, 0)));
    if (cols.empty()) return;  // created in `mode` by the schema preparation
    it = table_modes_.emplace(target, ModeOfColumns(cols)).first;
  }
  ExpectSameMode(target, it->second, mode, schema.table);
}

bool DuckDbWarehouse::BeginBatch(const std::string& source, uint64_t seq) {
  if (batch_) {
    Fail(ErrorKind::kInternal, "batch {} of source {} was begun while batch {} of {} is open", seq,
         source, batch_->seq, batch_->source);
  }
  conn_.Query("BEGIN TRANSACTION");
  try {
    if (seq <= AppliedSeq(source)) {
      conn_.Query("ROLLBACK");
      return false;
    }
  } catch (...) {
    try {
      conn_.Query("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  batch_ = OpenBatch{source, seq, 0, std::nullopt};
  return true;
}

void DuckDbWarehouse::ApplyTable(const TableBatch& tb) {
  if (!batch_) {
    Fail(ErrorKind::kInternal, "a plan for {} was applied with no batch open", tb.target.ToString());
  }
  try {
    const core::RelationSchema schema = WarehouseSchema(tb.schema);
    CheckMode(tb.target, schema, tb.mode);
    if (!schemas_->Prepare(batch_->source, batch_->seq, tb.target, schema, tb.plan.truncate, tb.mode)) {
      // Stopped by a schema change it cannot take: skipped until a resync (status says so).
      return;
    }
    if (tb.mode != LoadMode::kAppend) {
      if (auto why = UnholdableKey(schema, tb.plan)) {
        // Stored as NULL, two such keys would become one row at their next
        // change (keys match with IS NOT DISTINCT FROM): stop instead.
        schemas_->Stop(batch_->source, batch_->seq, tb.target,
                       StopReason(*why, batch_->seq, tb.schema.table));
        return;
      }
    }
    // Anything but appends may DELETE or UPDATE rows (see DuckDbSchemas::Touched).
    if (tb.mode != LoadMode::kAppend &&
        (tb.plan.truncate || !tb.plan.deletes.empty() || !tb.plan.removes.empty() ||
         !tb.plan.upserts.empty() || !tb.plan.marks.empty() || !tb.plan.versions.empty()))
      schemas_->Touched(tb.target);
    UseOneThreadForLargePlan(tb.plan);
    std::vector<Reject> rejects;
    try {
      if (tb.mode == LoadMode::kHistory) ApplyHistory(tb.target, schema, tb.plan, tb.copying, rejects);
      else if (tb.mode == LoadMode::kAppend) ApplyAppend(tb.target, schema, tb.plan, rejects);
      else ApplyPlan(tb.target, schema, tb.plan, tb.mode, tb.copying, rejects);
    } catch (const UnfilledToast& u) {
      schemas_->Stop(batch_->source, batch_->seq, tb.target, StopReason(UnfilledToastReason(u.rows), batch_->seq, tb.schema.table));
      return;
    }
    WriteRejects(rejects);
    core::FaultPoint("load.mid_apply");
  } catch (Error& e) {
    throw e.AddContext("loading batch " + std::to_string(batch_->seq) + " of source " +
                       batch_->source + " into " + tb.target.ToString());
  }
}

namespace {
std::string KeyRejectReason(const std::string& column, const std::string& raw, const core::LogicalType& type,
                            const std::string& why) {
  return fmt::format(
      "key column {} holds {:.60} which its warehouse type {} cannot hold ({}), and a key stored as NULL "
      "would merge rows; map the column to a type that holds it (target.numeric: string for numeric keys)",
      column, raw, DuckDbTypeName(type), why);
}
}  // namespace

std::optional<std::string> DuckDbWarehouse::UnholdableKey(const core::RelationSchema& schema,
                                                          const TablePlan& plan) const {
  auto types = TypesOf(schema);
  for (const auto* rows : {&plan.upserts, &plan.inserts, &plan.versions}) {
    for (const auto& row : *rows) {
      for (size_t c = 0; c < schema.columns.size() && c < row.values.size(); ++c) {
        if (!schema.columns[c].is_key || !row.values[c]) continue;
        auto r = core::ConvertText(types[c], *row.values[c]);
        if (r.reject) return KeyRejectReason(schema.columns[c].name, *row.values[c], types[c], *r.reject);
      }
    }
  }
  return std::nullopt;
}

void DuckDbWarehouse::UseOneThreadForLargePlan(const TablePlan& plan) {
  // Each DuckDB thread of a parallel INSERT fills a row group of its own
  // outside memory_limit: with 2 kB rows that was ~90 MB more RSS for 2 threads
  // than for one, and no faster (the appender and these statements gain little
  // from parallelism). So a batch that brings a large chunk goes on with one
  // thread; small batches keep every thread for their joins on big tables.
  constexpr size_t kLargePlanBytes = size_t{8} << 20;
  if (batch_->threads_before) return;
  size_t bytes = 0;
  for (const auto* rows : {&plan.upserts, &plan.inserts, &plan.versions}) {
    for (const auto& row : *rows) {
      for (const auto& v : row.values) bytes += v ? v->size() : 0;
      if (bytes >= kLargePlanBytes) break;
    }
  }
  if (bytes < kLargePlanBytes) return;
  batch_->threads_before = conn_.Query("SELECT current_setting('threads')").GetString(0, 0).value_or("");
  conn_.Query("SET threads = 1");
}

void DuckDbWarehouse::RestoreThreads() noexcept {
  if (!batch_ || !batch_->threads_before || batch_->threads_before->empty()) return;
  try {
    conn_.Query("SET threads = " + *batch_->threads_before);
  } catch (...) {
    // Only a slower next batch: every statement still runs.
  }
}

void DuckDbWarehouse::ApplyPlan(const core::TableName& table, const core::RelationSchema& schema,
                                const TablePlan& plan, LoadMode mode, bool copying,
                                std::vector<Reject>& rejects) {
  const std::string target = Qualified(table.schema, table.name);
  auto types = TypesOf(schema);
  auto keys = KeyColumns(schema);
  std::string cols;
  for (const auto& c : schema.columns) cols += (cols.empty() ? "" : ", ") + Ident(c.name);
  const bool soft = mode == LoadMode::kSoftDelete;

  std::vector<ExtraColumn> extras;
  if (soft) {
    extras.push_back({"_wharf_deleted", "BOOLEAN", [](Appender& app, const PlannedRow& row) {
                        app.Check(duckdb_append_bool(app.raw(), row.deleted), "deleted");
                      }});
  }
  // Before anything of the table changes: an UnfilledToast leaves the chunk unapplied.
  if (!plan.upserts.empty()) StageRows(table, schema, plan.upserts, extras, "", copying, rejects);
  if (plan.truncate && soft) {
    // soft_delete: every row stays, deleted as of the TRUNCATE.
    conn_.Query("UPDATE " + target + " SET \"_wharf_deleted\" = true, \"_wharf_lsn\" = " +
                std::to_string(plan.truncate_lsn.value()) +
                ", \"_wharf_synced_at\" = now() WHERE NOT \"_wharf_deleted\"");
  }
  if (!plan.marks.empty()) {
    // soft_delete: rows deleted by keys the chunk holds no values of keep the
    // values they have.
    StageMarks(schema, plan.marks);
    conn_.Query("UPDATE " + target + " t SET \"_wharf_deleted\" = true, \"_wharf_lsn\" = m._wharf_lsn, "
                "\"_wharf_synced_at\" = now() FROM _wharf_mark m WHERE " + KeyMatch(schema, keys, "t", "m"));
  }
  if (plan.truncate && !soft) conn_.Query("DELETE FROM " + target);
  if (!plan.deletes.empty()) {
    std::string ddl = "CREATE OR REPLACE TEMP TABLE _wharf_del (";
    for (size_t k = 0; k < keys.size(); ++k)
      ddl += (k ? ", " : "") + Ident(schema.columns[keys[k]].name) + " " + DuckDbTypeName(types[keys[k]]);
    conn_.Query(ddl + ")");
    Appender app(conn_.raw(), "temp", "main", "_wharf_del");
    for (const auto& key : plan.deletes) {
      for (size_t k = 0; k < keys.size(); ++k) AppendDatum(app, types[keys[k]], key[k]);
      app.EndRow();
    }
    app.Close();
    conn_.Query("DELETE FROM " + target + " t USING _wharf_del d WHERE " +
                KeyMatch(schema, keys, "t", "d"));
  }
  if (!plan.removes.empty()) RemoveCopies(table, schema, plan.removes);
  if (!plan.upserts.empty()) {
    std::string extra_cols;
    for (const auto& e : extras) extra_cols += ", " + Ident(e.name);
    conn_.Query("INSERT INTO " + target + " (" + cols + ", \"_wharf_lsn\", \"_wharf_synced_at\"" +
                extra_cols + ") SELECT " + cols + ", _wharf_lsn, now()" + extra_cols + " FROM _wharf_up");
  }
  if (!plan.inserts.empty()) AppendInserts(table, schema, types, keys, plan.inserts, rejects);
}

void DuckDbWarehouse::AppendInserts(const core::TableName& table, const core::RelationSchema& schema,
                                    const std::vector<core::LogicalType>& types,
                                    const std::vector<size_t>& keys,
                                    const std::vector<PlannedRow>& rows, std::vector<Reject>& rejects,
                                    const std::vector<ExtraColumn>& extras) {
  size_t i = 0;
  AppendStream(table, schema, types, keys,
               [&](const PlannedRow*& row) {
                 if (i == rows.size()) return false;
                 row = &rows[i++];
                 return true;
               },
               rejects, extras);
}

void DuckDbWarehouse::AppendRows(const core::TableName& target, const core::RelationSchema& source_schema,
                                 Lsn lsn, FreshRows& rows) {
  if (!batch_) Fail(ErrorKind::kInternal, "rows for {} were appended with no batch open", target.ToString());
  try {
    const core::RelationSchema schema = WarehouseSchema(source_schema);
    CheckMode(target, schema, LoadMode::kMirror);
    const bool stopped =
        !schemas_->Prepare(batch_->source, batch_->seq, target, schema, false, LoadMode::kMirror);
    const auto types = TypesOf(schema);
    const auto keys = KeyColumns(schema);
    std::vector<Reject> rejects;
    if (stopped) {
      // Stopped by a schema change it cannot take: skipped until a resync,
      // but read through, so the file's checksum is still verified.
      std::vector<core::Datum> row;
      auto cursor = rows.OpenCursor();
      while (cursor->Next(row)) {
      }
    } else if (const size_t threads = FreshThreads(rows.rows(), RowGroupSizeFor(config_.memory_limit),
                                                   std::min(rows.parallelism(), DuckDbThreads()));
               threads > 1 && ChunkAppendable(types)) {
      // Enough rows for a row group per DuckDB thread: the parallel INSERT.
      spdlog::debug("load: {}{} fresh rows into {} on {} DuckDB threads", rows.rows_known() ? "" : "about ",
                    rows.rows(), target.ToString(), threads);
      fresh_scan_.Append(conn_, target, schema, types, static_cast<int64_t>(lsn.value()), core::NowMicros(),
                         rows, threads, [&](const std::vector<core::Datum>& row, size_t i, const std::string& why) {
                           rejects.push_back({target.ToString(), KeyText(schema, keys, row),
                                              schema.columns[i].name, *row[i], why, lsn});
                         });
    } else {
      // One thread: the appender, on this thread.
      auto cursor = rows.OpenCursor();
      PlannedRow row;
      row.lsn = lsn;
      AppendStream(target, schema, types, keys,
                   [&](const PlannedRow*& out) {
                     if (!cursor->Next(row.values)) return false;
                     out = &row;
                     return true;
                   },
                   rejects, {});
    }
    WriteRejects(rejects);
    for (const auto& r : rejects) {
      int c = schema.FindColumn(r.column);
      if (c < 0 || !schema.columns[c].is_key) continue;
      // The fresh rows are in, NULL keys included; stopping the table keeps
      // later changes from merging them, and a resync replaces them.
      schemas_->Stop(batch_->source, batch_->seq, target,
                     StopReason(KeyRejectReason(r.column, r.raw, types[c], r.reason), batch_->seq, source_schema.table));
      break;
    }
    core::FaultPoint("load.mid_apply");
  } catch (Error& e) {
    throw e.AddContext("loading batch " + std::to_string(batch_->seq) + " of source " +
                       batch_->source + " into " + target.ToString());
  }
}

uint64_t DuckDbWarehouse::AppendAheadRows() {
  // Enough for the parallel append on two threads (FreshThreads), which
  // AppendRows decides from the rows it expects when it starts: a stream
  // started any earlier would load on the appender's one thread.
  return DuckDbThreads() < 2 ? 0 : (uint64_t{2} * RowGroupSizeFor(config_.memory_limit) * 5 + 3) / 4;
}

size_t DuckDbWarehouse::DuckDbThreads() {
  // DuckDB runs a query on at most `threads` threads (its default: the cores).
  auto r = conn_.Query("SELECT current_setting('threads')::BIGINT");
  return static_cast<size_t>(std::max<int64_t>(r.GetInt64(0, 0), 1));
}

void DuckDbWarehouse::AppendStream(const core::TableName& table, const core::RelationSchema& schema,
                                   const std::vector<core::LogicalType>& types,
                                   const std::vector<size_t>& keys, const RowPointerSource& next,
                                   std::vector<Reject>& rejects, const std::vector<ExtraColumn>& extras) {
  // Keys new to the warehouse need no delete and no staging table: straight
  // into the target, naming the columns (the table may have more).
  Appender app(conn_.raw(), "", table.schema, table.name);
  for (const auto& c : schema.columns) app.Check(duckdb_appender_add_column(app.raw(), c.name.c_str()), "column");
  app.Check(duckdb_appender_add_column(app.raw(), "_wharf_lsn"), "column");
  app.Check(duckdb_appender_add_column(app.raw(), "_wharf_synced_at"), "column");
  for (const auto& e : extras) app.Check(duckdb_appender_add_column(app.raw(), e.name.c_str()), "column");
  const int64_t now = core::NowMicros();
  const PlannedRow* row = nullptr;
  auto reject = [&](size_t i, const std::string& why) {
    rejects.push_back({table.ToString(), KeyText(schema, keys, row->values), schema.columns[i].name,
                       *row->values[i], why, row->lsn});
  };
  if (extras.empty() && ChunkAppendable(types)) {
    // Data chunks carry the values, _wharf_lsn and _wharf_synced_at only.
    ChunkAppender chunk(app, types);
    while (next(row)) chunk.Add(row->values, static_cast<int64_t>(row->lsn.value()), now, reject);
    chunk.Flush();
    app.Close();
    return;
  }
  while (next(row)) {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      if (auto why = AppendDatum(app, types[i], row->values[i])) reject(i, *why);
    }
    app.Check(duckdb_append_int64(app.raw(), static_cast<int64_t>(row->lsn.value())), "lsn");
    duckdb_value synced = duckdb_create_timestamp_tz(duckdb_timestamp{now});
    duckdb_state st = duckdb_append_value(app.raw(), synced);
    duckdb_destroy_value(&synced);
    app.Check(st, "synced_at");
    for (const auto& e : extras) e.append(app, *row);
    app.EndRow();
  }
  app.Close();
}

void DuckDbWarehouse::RemoveCopies(const core::TableName& table, const core::RelationSchema& schema,
                                   const std::vector<CountedRow>& removes) {
  const std::string target = Qualified(table.schema, table.name);
  for (const auto& c : schema.columns) {
    if (FoldCase(c.name) == "rowid") {
      Fail(ErrorKind::kUnsupported,
           "{} has no key and a column named rowid, which hides the DuckDB row id wharf needs to "
           "delete one of several identical rows; give the source table a primary key or rename "
           "the column",
           table.ToString());
    }
  }
  auto types = TypesOf(schema);
  std::vector<size_t> all(schema.columns.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::string ddl = "CREATE OR REPLACE TEMP TABLE _wharf_rm (";
  for (size_t i = 0; i < schema.columns.size(); ++i)
    ddl += Ident(schema.columns[i].name) + " " + DuckDbTypeName(types[i]) + ", ";
  conn_.Query(ddl + "_wharf_id BIGINT, _wharf_n BIGINT)");
  Appender app(conn_.raw(), "temp", "main", "_wharf_rm");
  int64_t id = 0;
  for (const auto& r : removes) {
    // A value its type cannot hold was stored as NULL; converting it again
    // gives NULL again, so the stored row still matches.
    for (size_t i = 0; i < schema.columns.size(); ++i) AppendDatum(app, types[i], r.values[i]);
    app.Check(duckdb_append_int64(app.raw(), id++), "row id");
    app.Check(duckdb_append_int64(app.raw(), static_cast<int64_t>(r.count)), "count");
    app.EndRow();
  }
  app.Close();
  // Exactly n of the rows equal to each removed row (any n of them: identical
  // rows are interchangeable), numbered per removed row.
  conn_.Query("DELETE FROM " + target + " WHERE rowid IN (SELECT rid FROM (SELECT t.rowid AS rid, "
              "r._wharf_n AS n, row_number() OVER (PARTITION BY r._wharf_id) AS k FROM " + target +
              " t JOIN _wharf_rm r ON " + KeyMatch(schema, all, "t", "r") + ") WHERE k <= n)");
}

void DuckDbWarehouse::WriteRejects(const std::vector<Reject>& rejects) {
  if (rejects.empty()) return;
  // Written as they occur (inside the batch's transaction), so a batch with
  // millions of rejected values does not hold them all in memory.
  Appender app(conn_.raw(), "", "_wharf", "rejects");
  const std::string& source = batch_->source;
  for (const auto& r : rejects) {
    for (const std::string* s : {&source, &r.table, &r.key, &r.column, &r.raw, &r.reason})
      app.Check(duckdb_append_varchar_length(app.raw(), s->data(), s->size()), "reject");
    app.Check(duckdb_append_uint64(app.raw(), r.lsn.value()), "reject");
    app.Check(duckdb_append_uint64(app.raw(), batch_->seq), "reject");
    app.Check(duckdb_append_null(app.raw()), "reject");
    app.EndRow();
  }
  app.Close();
  batch_->rejects += rejects.size();
}

void DuckDbWarehouse::CommitBatch(Lsn last_lsn, Lsn end_lsn) {
  if (!batch_) Fail(ErrorKind::kInternal, "a batch was committed with none open");
  const OpenBatch& b = *batch_;
  try {
    if (b.rejects) conn_.Query("UPDATE _wharf.rejects SET rejected_at = now() WHERE rejected_at IS NULL");
    conn_.Query("DELETE FROM _wharf.state WHERE source = " + Literal(b.source));
    conn_.Query("INSERT INTO _wharf.state VALUES (" + Literal(b.source) + ", " +
                std::to_string(b.seq) + ", " + std::to_string(last_lsn.value()) + ", " +
                std::to_string(end_lsn.value()) + ", now())");
    core::FaultPoint("load.before_commit");
    conn_.Query("COMMIT");
    schemas_->Committed();
    RestoreThreads();
  } catch (Error& e) {
    throw e.AddContext("committing batch " + std::to_string(b.seq) + " of source " + b.source);
  }
  if (b.rejects) {
    spdlog::warn("load: batch {} of {}: {} value(s) could not be held by their warehouse type; "
                 "stored as NULL and listed in _wharf.rejects",
                 b.seq, b.source, b.rejects);
  }
  batch_.reset();
  core::FaultPoint("load.after_commit");
}

void DuckDbWarehouse::AbortBatch() noexcept {
  if (!batch_) return;
  schemas_->RolledBack();  // tables and columns changed in the batch are gone
  try {
    conn_.Query("ROLLBACK");
  } catch (...) {
    // Nothing to undo when DuckDB already ended the transaction.
  }
  RestoreThreads();
  batch_.reset();
}

TableDiff DuckDbWarehouse::Compare(const core::TableName& target,
                                   const core::RelationSchema& source_schema,
                                   const RowProducer& source_rows, size_t sample_limit) {
  const core::RelationSchema schema = WarehouseSchema(source_schema);
  TableDiff diff;
  auto types = TypesOf(schema);
  auto keys = KeyColumns(schema);
  std::string tgt = Qualified(target.schema, target.name);
  std::set<std::string> target_cols;
  {
    auto r = conn_.Query("SELECT lower(column_name) FROM information_schema.columns WHERE table_schema = " +
                         Literal(target.schema) + " AND table_name = " + Literal(target.name));
    for (uint64_t i = 0; i < r.rows(); ++i) target_cols.insert(*r.GetString(i, 0));
  }
  // The rows the source should equal: soft_delete's live rows, history's current versions.
  const LoadMode mode = ModeOfColumns(target_cols);
  if (mode == LoadMode::kAppend) {
    diff.skipped = "append mode keeps the change log, not the source's rows; not compared";
    return diff;
  }
  if (mode == LoadMode::kSoftDelete) tgt = "(SELECT * FROM " + tgt + " WHERE NOT \"_wharf_deleted\")";
  if (mode == LoadMode::kHistory) tgt = "(SELECT * FROM " + tgt + " WHERE \"_wharf_valid_to\" IS NULL)";
  std::string ddl = "CREATE OR REPLACE TEMP TABLE _wharf_src (";
  for (size_t i = 0; i < schema.columns.size(); ++i)
    ddl += (i ? ", " : "") + Ident(schema.columns[i].name) + " " + DuckDbTypeName(types[i]);
  conn_.Query(ddl + ")");
  {
    Appender app(conn_.raw(), "temp", "main", "_wharf_src");
    source_rows([&](const std::vector<core::Datum>& row) {
      for (size_t i = 0; i < schema.columns.size(); ++i) AppendDatum(app, types[i], row[i]);
      app.EndRow();
      diff.source_rows++;
    });
    app.Close();
  }
  if (target_cols.empty()) {
    diff.missing = diff.source_rows;
    diff.sample.push_back("table " + target.ToString() + " does not exist in the warehouse");
    return diff;
  }
  diff.warehouse_rows = conn_.Query("SELECT count(*) FROM " + tgt + " x").GetUInt64(0, 0);
  if (schema.KeyIndexes().empty()) return CompareMultiset(target, schema, sample_limit, diff);
  std::string key_list;
  for (size_t k : keys) key_list += (key_list.empty() ? "" : ", ") + Ident(schema.columns[k].name);
  auto key_text = [&](const std::string& alias) {
    std::string out;
    for (size_t k : keys) {
      out += std::string(out.empty() ? "" : " || ',' || ") + "coalesce(CAST(" + alias + "." +
             Ident(schema.columns[k].name) + " AS VARCHAR), 'NULL')";
    }
    return out;
  };
  std::string key_names;
  for (size_t k : keys) key_names += (key_names.empty() ? "" : ",") + schema.columns[k].name;
  // Rows with the same key are compared by a 64-bit hash of all their columns,
  // so the join holds keys and hashes rather than whole rows (wide rows would
  // otherwise have to fit memory_limit, twice). A difference goes unseen only
  // on a hash collision (about 2^-64 per row).
  std::string all_cols;
  for (const auto& c : schema.columns) all_cols += (all_cols.empty() ? "" : ", ") + Ident(c.name);
  auto hashed = [&](const std::string& from) {
    return "(SELECT " + key_list + ", hash(" + all_cols + ") AS _wharf_h FROM " + from + ")";
  };
  auto collect = [&](const std::string& label, const std::string& alias, const std::string& from_where,
                     uint64_t& counter) {
    auto n = conn_.Query("SELECT count(*) FROM " + from_where);
    counter = n.GetUInt64(0, 0);
    if (counter == 0) return;
    auto r = conn_.Query("SELECT " + key_text(alias) + " FROM " + from_where + " LIMIT " +
                         std::to_string(sample_limit));
    for (uint64_t i = 0; i < r.rows(); ++i)
      diff.sample.push_back(label + " (" + key_names + ")=(" + r.GetString(i, 0).value_or("") + ")");
  };
  collect("missing in warehouse:", "x",
          "_wharf_src x WHERE NOT EXISTS (SELECT 1 FROM " + tgt + " t WHERE " +
              KeyMatch(schema, keys, "t", "x") + ")",
          diff.missing);
  collect("not in source:", "x",
          tgt + " x WHERE NOT EXISTS (SELECT 1 FROM _wharf_src s WHERE " +
              KeyMatch(schema, keys, "s", "x") + ")",
          diff.extra);
  uint64_t duplicates = 0;
  collect("duplicated in warehouse:", "x",
          "(SELECT " + key_list + " FROM " + tgt + " GROUP BY ALL HAVING count(*) > 1) x",
          duplicates);
  diff.extra += duplicates;
  collect("different values:", "s",
          hashed("_wharf_src") + " s JOIN " + hashed(tgt) + " t ON " +
              KeyMatch(schema, keys, "s", "t") + " WHERE s._wharf_h <> t._wharf_h",
          diff.different);
  conn_.Query("DROP TABLE IF EXISTS _wharf_src");
  return diff;
}

TableDiff DuckDbWarehouse::CompareMultiset(const core::TableName& target,
                                           const core::RelationSchema& schema, size_t sample_limit,
                                           TableDiff diff) {
  // A table without a key is a multiset of rows: compare how many copies of
  // each distinct row either side holds (NULLs group together).
  std::string cols, names, text;
  for (const auto& c : schema.columns) {
    cols += (cols.empty() ? "" : ", ") + Ident(c.name);
    names += (names.empty() ? "" : ",") + c.name;
    text += std::string(text.empty() ? "" : " || ',' || ") + "coalesce(CAST(" + Ident(c.name) +
            " AS VARCHAR), 'NULL')";
  }
  conn_.Query("CREATE OR REPLACE TEMP TABLE _wharf_cmp AS SELECT " + cols +
              ", CAST(sum(_wharf_n) AS BIGINT) AS _wharf_d FROM (SELECT " + cols +
              ", 1 AS _wharf_n FROM _wharf_src UNION ALL SELECT " + cols + ", -1 FROM " +
              Qualified(target.schema, target.name) + ") GROUP BY ALL HAVING sum(_wharf_n) <> 0");
  auto totals = conn_.Query(
      "SELECT CAST(coalesce(sum(_wharf_d) FILTER (WHERE _wharf_d > 0), 0) AS BIGINT), "
      "CAST(coalesce(-sum(_wharf_d) FILTER (WHERE _wharf_d < 0), 0) AS BIGINT) FROM _wharf_cmp");
  diff.missing = totals.GetUInt64(0, 0);
  diff.extra = totals.GetUInt64(0, 1);
  auto sample = [&](const std::string& label, const std::string& where) {
    auto r = conn_.Query("SELECT " + text + ", abs(_wharf_d) FROM _wharf_cmp WHERE " + where +
                         " LIMIT " + std::to_string(sample_limit));
    for (uint64_t i = 0; i < r.rows(); ++i) {
      uint64_t copies = r.GetUInt64(i, 1);
      diff.sample.push_back(label + " (" + names + ")=(" + r.GetString(i, 0).value_or("") + ")" +
                            (copies > 1 ? " x" + std::to_string(copies) : ""));
    }
  };
  if (diff.missing) sample("missing in warehouse:", "_wharf_d > 0");
  if (diff.extra) sample("not in source:", "_wharf_d < 0");
  conn_.Query("DROP TABLE IF EXISTS _wharf_cmp");
  conn_.Query("DROP TABLE IF EXISTS _wharf_src");
  return diff;
}

}  // namespace wharf::load::duckdb
