#pragma once
// SQL text of the PostgreSQL adapter's load modes beyond mirror (pure: no
// I/O, unit-tested); the same table shapes and semantics as DuckDB's
// (planner.hpp, load_mode.hpp). Planned rows of soft_delete and history go
// through the upsert stage of pg_sql.hpp with the mode's columns; marks (keys
// the chunk has no values of) through the mark stage below.
#include <cstdint>
#include <string>
#include <vector>

#include "core/relation.hpp"
#include "load/load_mode.hpp"
#include "load/planner.hpp"

namespace wharf::load::postgres {

inline constexpr const char* kMarkStage = "_wharf_mark";

// ", \"_wharf_op\", ..." : the mode's columns (empty for mirror).
std::string ModeColumnList(LoadMode mode);
// Appends the mode's column values of `row` in COPY text, each after a tab.
void EncodeModeFields(std::string& out, const core::RelationSchema& schema, const PlannedRow& row,
                      LoadMode mode);
// Microseconds since the epoch as timestamptz text in UTC ("2026-11-26 22:05:01.123456+00").
std::string TimestampText(int64_t micros);
// The same instant as an SQL expression of numbers only.
std::string TimestampSql(int64_t micros);

// A table created in `mode` gets the mode's columns after _wharf_synced_at.
std::string AddModeColumnsSql(const core::TableName& target, LoadMode mode);
// The rows of a table in `mode` that stand for the source's rows (validate):
// soft_delete's live rows, history's current versions; empty: all rows.
std::string ModeRowsFilter(LoadMode mode);

// Marks: key columns, _wharf_lsn, _wharf_ts.
std::string CreateMarkStageSql(const core::TableName& target, const core::RelationSchema& schema);
std::string CopyMarkStageSql(const core::RelationSchema& schema);
void EncodeMark(std::string& out, const KeyMark& mark);

// soft_delete: a TRUNCATE flags every live row deleted as of its LSN.
std::string SoftDeleteTruncateSql(const core::TableName& target, Lsn lsn);
// soft_delete: staged marks flag their rows deleted, keeping their values.
std::string SoftDeleteMarksSql(const core::TableName& target, const core::RelationSchema& schema);

// history: each staged key's latest version (current, or a tombstone), the
// relation unchanged TOAST columns of staged versions are filled from.
std::string LatestVersionsSql(const core::TableName& target, const core::RelationSchema& schema);
// history: a TRUNCATE writes a tombstone (op T) for every current version,
// then ends them all at its time.
std::vector<std::string> HistoryTruncateSql(const core::TableName& target, const core::RelationSchema& schema,
                                            Lsn lsn, uint32_t seq, int64_t ts);
// history: staged marks end their keys' current versions at the mark's time.
std::string EndVersionsSql(const core::TableName& target, const core::RelationSchema& schema);

}  // namespace wharf::load::postgres
