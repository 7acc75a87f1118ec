#pragma once
// SQL text of the PostgreSQL warehouse adapter (pure: no I/O, unit-tested).
//
// A chunk's plan is applied set-based: its rows are COPYed (text format) into
// temporary tables shaped like the target (CREATE TEMP TABLE ... AS SELECT
// ... FROM target WITH NO DATA, so they carry the target's own column types),
// then one statement per step joins them against the target. Every identifier
// is quoted; the only literals are the source name and numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/relation.hpp"
#include "core/value.hpp"
#include "load/planner.hpp"
#include "load/postgres/pg_mode_sql.hpp"

namespace wharf::load::postgres {

// Temporary tables of one ApplyTable call (dropped at commit).
inline constexpr const char* kUpsertStage = "_wharf_up";
inline constexpr const char* kDeleteStage = "_wharf_del";
inline constexpr const char* kRemoveStage = "_wharf_rm";
inline constexpr const char* kSourceStage = "_wharf_src";  // Compare()

// PostgreSQL keeps quoted names exactly, so every source column keeps its
// name; only one that collides with wharf's own columns (_wharf_lsn,
// _wharf_synced_at, and every mode's: load_mode.hpp ModeColumns) lands as
// <name>_2 (then _3, ...).
core::RelationSchema WarehouseSchema(const core::RelationSchema& source);

// The warehouse's own schema and tables: _wharf.state, one row per source.
std::string StateDdl();
// Serialises loaders of one source (a second `wharf load` waits) and reads its progress.
std::string LockSourceSql(const std::string& source);
std::string AppliedSeqSql(const std::string& source);
std::string SaveProgressSql(const std::string& source, uint64_t seq, uint64_t lsn, uint64_t end_lsn);
std::string ProgressSql();

// One query returning the PostgreSQL type name of every column of `schema`
// (format_type of its OID and typmod: the source's own type, lossless).
std::string TypeNamesSql(const core::RelationSchema& schema);
// The names of the table's live columns (none when it does not exist).
std::string ExistingColumnsSql(const core::TableName& target);
// CREATE SCHEMA/TABLE with the source columns plus _wharf_lsn and
// _wharf_synced_at, and a (non-unique: a broken invariant shows in validate
// instead of failing the load) index on the key columns.
std::vector<std::string> CreateTableSql(const core::TableName& target, const core::RelationSchema& schema,
                                        const std::vector<std::string>& type_names);

// The stage for upserts: the schema's columns and _wharf_lsn, plus, when
// `with_fill`, _wharf_fill (int[] of the columns to fill from the warehouse)
// and _wharf_fk<i> per key column (the key of the warehouse row to fill from).
// Outside mirror mode the mode's columns (load_mode.hpp) follow _wharf_lsn.
std::string CreateUpsertStageSql(const core::TableName& target, const core::RelationSchema& schema,
                                 bool with_fill, LoadMode mode = LoadMode::kMirror);
std::string CopyUpsertStageSql(const core::RelationSchema& schema, bool with_fill,
                               LoadMode mode = LoadMode::kMirror);
// Appends one upsert row in COPY text to `out`.
void EncodeUpsertRow(std::string& out, const core::RelationSchema& schema, const PlannedRow& row,
                     bool with_fill, LoadMode mode = LoadMode::kMirror);
// Fills the columns `fill_columns` of staged upserts that asked for it from
// the current warehouse row with their fill key (run before any delete), or
// from the rows of `from` (a relation with the target's columns, one row per key).
// How many staged rows wanted a fill and found no row in `from` (empty: the target).
std::string UnfilledRowsSql(const core::TableName& target, const core::RelationSchema& schema, const std::string& from);
std::string FillFromWarehouseSql(const core::TableName& target, const core::RelationSchema& schema,
                                 const std::vector<uint32_t>& fill_columns, const std::string& from = "");

std::string TruncateSql(const core::TableName& target);

std::string CreateDeleteStageSql(const core::TableName& target, const core::RelationSchema& schema);
std::string CopyDeleteStageSql(const core::RelationSchema& schema);
void EncodeKey(std::string& out, const Key& key);
std::string DeleteByKeySql(const core::TableName& target, const core::RelationSchema& schema);

// Key-less tables: remove exactly _wharf_n of the rows equal (every column,
// NULL equal to NULL) to each staged row, picked by ctid.
std::string CreateRemoveStageSql(const core::TableName& target, const core::RelationSchema& schema);
std::string CopyRemoveStageSql(const core::RelationSchema& schema);
void EncodeRemove(std::string& out, const CountedRow& row, uint64_t id);
std::string RemoveCopiesSql(const core::TableName& target, const core::RelationSchema& schema);

std::string InsertFromUpsertStageSql(const core::TableName& target, const core::RelationSchema& schema,
                                     LoadMode mode = LoadMode::kMirror);
// Rows new to the warehouse go straight into the target (outside mirror
// mode encoded by EncodeUpsertRow without fill).
std::string CopyIntoTargetSql(const core::TableName& target, const core::RelationSchema& schema,
                              LoadMode mode = LoadMode::kMirror);
void EncodeInsertRow(std::string& out, const PlannedRow& row);

// Compare(): source rows staged as text, warehouse rows read as text, so
// values are compared in their lossless PostgreSQL text forms.
std::string CreateSourceStageSql(const core::RelationSchema& schema);
std::string CopySourceStageSql(const core::RelationSchema& schema);
void EncodeSourceRow(std::string& out, const std::vector<core::Datum>& values);
// FROM-clause items over which the comparison queries below run (with
// alias); `where` picks the rows that stand for the source's (ModeRowsFilter).
std::string WarehouseAsText(const core::TableName& target, const core::RelationSchema& schema,
                            const std::string& alias, const std::string& where = "");
struct CompareQueries {
  // Each a FROM clause; `sample` selects a key text column from it.
  std::string missing, extra, duplicated, different;
  std::string missing_key, extra_key, duplicated_key, different_key;  // key text expressions
};
CompareQueries KeyedCompareSql(const core::TableName& target, const core::RelationSchema& schema,
                               const std::string& where = "");
// Key-less: creates temp table _wharf_cmp with one row per distinct row whose
// copies differ: _wharf_row (its text), _wharf_d (copies in the source minus
// copies in the warehouse).
std::string MultisetDifferenceSql(const core::TableName& target, const core::RelationSchema& schema,
                                  const std::string& where = "");

// Building blocks of the statements above, shared with pg_mode_sql.cpp.
std::string Qualified(const core::TableName& t);
// "a.c1, a.c2, ..." over the given column indexes (alias may be empty).
std::string ColumnList(const core::RelationSchema& schema, const std::vector<size_t>& cols,
                       const std::string& alias = "");
std::vector<size_t> AllColumns(const core::RelationSchema& schema);
std::string FillKey(size_t k);
std::string KeyEquals(const core::RelationSchema& schema, const std::string& left, const std::string& right);
std::string StageCopy(const char* stage, const std::string& columns);
std::string DropAndCreateStage(const char* stage, const std::string& select_from);
void EncodeValues(std::string& out, const std::vector<core::Datum>& values);

}  // namespace wharf::load::postgres
