#pragma once
// The warehouse as the loader sees it. Narrow so that PostgreSQL, ClickHouse
// and Snowflake adapters can follow the DuckDB one.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <duckdb.h>

#include "core/config.hpp"
#include "core/relation.hpp"
#include "load/planner.hpp"

namespace wharf::load {

// One table's plan for one chunk of a batch.
struct TableBatch {
  core::TableName target;        // warehouse schema.table
  core::RelationSchema schema;   // source schema the changes were staged with
  LoadMode mode = LoadMode::kMirror;  // the plan was made for this mode
  TablePlan plan;
  // A copy of the table ran while its batch was staged (Manifest::copying): an
  // unchanged TOAST value may find no warehouse row yet (its page comes
  // later). Otherwise a row with no value to take is an error that stops the
  // table, never a NULL loaded in its place.
  bool copying = false;
};

// A whole batch planned in memory: only for small batches (tests, tools); the
// loader streams large ones chunk by chunk through BeginBatch/ApplyTable.
struct BatchApply {
  std::string source;
  uint64_t seq = 0;
  Lsn last_lsn;
  Lsn end_lsn;
  std::vector<TableBatch> tables;
};

struct SourceProgress {
  std::string source;
  uint64_t batch_seq = 0;
  Lsn lsn;
  Lsn end_lsn;
  std::string applied_at;
};

// One row of a source table for validation: values in schema order.
using RowCallback = std::function<void(const std::vector<core::Datum>&)>;
using RowProducer = std::function<void(const RowCallback&)>;

struct TableDiff {
  uint64_t source_rows = 0;
  uint64_t warehouse_rows = 0;
  uint64_t missing = 0;    // in the source, not in the warehouse
  uint64_t extra = 0;      // in the warehouse, not in the source
  uint64_t different = 0;  // same key, different values
  std::vector<std::string> sample;  // "missing key (id)=(1)" lines, bounded
  // Why the table was not compared (append mode: a change log has no rows to
  // compare with the source's); empty when it was.
  std::string skipped;
  bool Equal() const { return missing == 0 && extra == 0 && different == 0; }
};

// Rows known to be new to their table, for Warehouse::AppendRows.
class FreshRows {
 public:
  class Cursor {
   public:
    virtual ~Cursor() = default;
    // Fills `row` (schema order) with the next row; false when none is left
    // for any cursor. Throws what the rows' reader throws.
    virtual bool Next(std::vector<core::Datum>& row) = 0;
    // The same as views, valid until the next call on this cursor: what bulk
    // appends use, sparing a copy of every value. By default, views of Next's row.
    virtual bool NextViews(std::vector<core::DatumView>& row);

   protected:
    std::vector<core::Datum> scratch_;  // NextViews's row, by default
  };
  virtual ~FreshRows() = default;
  // A cursor for one thread; may be called from any thread.
  virtual std::unique_ptr<Cursor> OpenCursor() = 0;
  // How many cursors can usefully run at the same time.
  virtual size_t parallelism() const = 0;
  // How many rows there are (what the manifest says); of rows still being
  // staged (streamed), how many there will likely be (for sizing only).
  virtual uint64_t rows() const = 0;
  // False while rows() is only a guess: rows still being staged.
  virtual bool rows_known() const { return true; }
};

// A batch is applied as one warehouse transaction that may span any number of
// ApplyTable calls, so a batch of any size loads in bounded memory:
//
//   if (w.BeginBatch(source, seq)) {     // false: already applied, nothing to do
//     w.ApplyTable(chunk1); w.ApplyTable(chunk2); ...
//     w.CommitBatch(last_lsn, end_lsn);  // with the progress row, atomically
//   }                                    // on any error: w.AbortBatch()
//
// One batch at a time per Warehouse object.
class Warehouse {
 public:
  virtual ~Warehouse() = default;
  // An embedded database this process holds open (DuckDB: one process may
  // open the file for writing), for other connections of the same process:
  // models, validation, the read replica. Null for a server warehouse, which
  // anyone connects to.
  struct Embedded {
    duckdb_database database;
    std::string catalog;  // the file's catalog name
  };
  virtual std::optional<Embedded> EmbeddedDatabase() { return std::nullopt; }
  // Last batch seq applied for `source` (0 when none).
  virtual uint64_t AppliedSeq(const std::string& source) = 0;
  // Opens the transaction of batch `seq` of `source`. Returns false, leaving
  // no transaction open, when the batch is at or below AppliedSeq (a replay
  // is a no-op).
  virtual bool BeginBatch(const std::string& source, uint64_t seq) = 0;
  // Applies one table's plan inside the open batch (creating or widening the
  // table first). Callable many times per batch, also several times for the
  // same table: plans take effect in call order, each completely before the next.
  virtual void ApplyTable(const TableBatch& table) = 0;
  // Appends rows known to be new to the table (ManifestFile::fresh: first
  // full-load rows) inside the open batch, with no reconciliation. Rows stream
  // through `rows`' cursors, so a file of any size appends in bounded memory;
  // an adapter may run several cursors on threads of its own. The default
  // goes through ApplyTable in chunks of plan inserts on one cursor; an
  // adapter with a bulk path overrides it.
  virtual void AppendRows(const core::TableName& target, const core::RelationSchema& schema,
                          Lsn lsn, FreshRows& rows);
  // How many rows a fresh file still being staged should have (or be
  // expected to have) before AppendRows of it starts (Loader::ApplyAhead):
  // an adapter whose bulk path needs a batch of some size to be worth it
  // says so. 0: any.
  virtual uint64_t AppendAheadRows() { return 0; }
  // Records the batch in the warehouse's progress (last commit LSN, end LSN)
  // and commits everything applied since BeginBatch.
  virtual void CommitBatch(Lsn last_lsn, Lsn end_lsn) = 0;
  // Rolls back the open batch; does nothing when none is open. Never throws.
  virtual void AbortBatch() noexcept = 0;

  // The four calls above for a batch planned whole in memory.
  void Apply(const BatchApply& batch);

  virtual std::vector<SourceProgress> Progress() = 0;
  // Rows per warehouse table of a source mapping, for status output.
  virtual std::optional<uint64_t> CountRows(const core::TableName& target) = 0;
  // Tables stopped by a schema change they cannot take ("schema.table" of the warehouse ->
  // reason and fix); their changes are skipped until a resync copies them again.
  virtual std::map<std::string, std::string> TableErrors() { return {}; }
  // Tables capture holds back (selected, not replicable yet: "schema.table"
  // of the warehouse -> reason and fix), recorded in _wharf.table_errors with
  // batch_seq 0 in place of the source's earlier such rows. Outside a batch.
  virtual void RecordHeldTables(const std::string& source, const std::map<std::string, std::string>& held) = 0;
  // Compares the rows `source_rows` produces with the warehouse table: by key,
  // or as multisets of whole rows for a table without a key. The table's
  // live rows are compared: soft_delete's not deleted ones, history's current
  // versions; an append table is skipped (TableDiff::skipped).
  virtual TableDiff Compare(const core::TableName& target, const core::RelationSchema& schema,
                            const RowProducer& source_rows, size_t sample_limit) = 0;
};

// Thrown by an adapter while staging a chunk, before the table is touched:
// `rows` changes left TOAST values unchanged and the warehouse has no row to
// take them from (TableBatch::copying). The adapter stops the table.
struct UnfilledToast {
  uint64_t rows = 0;
};
std::string UnfilledToastReason(uint64_t rows);

std::unique_ptr<Warehouse> OpenWarehouse(const core::TargetConfig& target, const std::string& base_dir);
// A DuckDB target's file: target.path, relative to the configuration's folder.
std::string DuckDbFile(const core::TargetConfig& target, const std::string& base_dir);

}  // namespace wharf::load
