#pragma once
// Reconciliation planner (pure): reduces a run of one table's changes (a whole
// batch, or one chunk of a large batch) to their net effect, in (commit LSN,
// seq) order, for mirror mode. Plans of consecutive chunks applied one after
// the other have the same effect as the plan of the whole run.
//
// Tables with a key (primary key, identity index):
//   delete then re-insert -> the new row      insert then delete -> nothing
//   insert, update, update -> last values      key change -> old key deleted, row moved
//   TRUNCATE -> the table is emptied at that point; what follows it is kept
//   unchanged TOAST columns -> taken from the latest change that carried a
//   value, else from the old row when the change carries the whole old row
//   (REPLICA IDENTITY FULL), else marked to be filled from the warehouse row
//   (by the old key when the key changed).
//   snapshot rows (op R) with LSN S -> upserts; the T that precedes a table's
//   copy empties the table first.
//
// Tables without a key (REPLICA IDENTITY FULL) are multisets: two identical
// rows stay two, a delete removes one of them, an update changes one. Changes
// reduce to a count per distinct row (insert +1, delete -1 of the old row,
// update -1 old / +1 new, TRUNCATE resets), applied as "delete exactly n rows
// equal to this" and "insert n copies".
#include <map>
#include <set>
#include <optional>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"

namespace wharf::load {

using Key = std::vector<core::Datum>;

struct PlannedRow {
  std::vector<core::Datum> values;  // all columns, in schema order
  Lsn lsn;                          // commit LSN of the change that produced it
  // Columns whose value must come from the warehouse row with key `fill_key`.
  std::vector<uint32_t> fill_columns;
  Key fill_key;
};

// Key-less tables: remove exactly `count` warehouse rows whose every column
// equals `values` (NULL equal to NULL).
struct CountedRow {
  std::vector<core::Datum> values;
  uint64_t count = 0;
};

struct TablePlan {
  bool truncate = false;     // empty the table before anything below
  std::vector<Key> deletes;  // keyed tables: keys to delete (after truncate)
  std::vector<CountedRow> removes;  // key-less tables: rows to remove (after truncate)
  // Inserted after the deletes/removes. Keyed tables: one row per key, which
  // replaces the warehouse row (its key is in `deletes`). Key-less tables: one
  // entry per copy to insert, never with fill columns.
  std::vector<PlannedRow> upserts;
  // Keyed tables: rows whose key the batch inserted (first seen as an INSERT,
  // or after a TRUNCATE), so the warehouse cannot hold it: appended as they
  // are, with no delete and no staging table.
  std::vector<PlannedRow> inserts;
  uint64_t changes = 0;
};

class Planner {
 public:
  explicit Planner(const core::RelationSchema& schema);
  // Changes must arrive in batch order. Taken by value: the loader moves each
  // decoded change in, so large values are not copied.
  void Add(core::Change change);
  // The net effect of everything added since construction or the last Finish;
  // the planner is then empty and can take the next chunk.
  TablePlan Finish();
  uint64_t pending_changes() const { return plan_.changes; }

 private:
  Key KeyOf(const std::vector<core::Datum>& values) const;
  void AddKeyed(core::Change& change);
  void AddMultiset(core::Change& change);

  core::RelationSchema schema_;
  std::vector<size_t> key_columns_;  // empty: the table is a multiset
  TablePlan plan_;
  std::map<Key, std::optional<PlannedRow>> net_;  // keyed: nullopt = deleted
  std::set<Key> fresh_;  // keys this chunk created: absent from the warehouse before it
  bool truncated_ = false;  // this chunk emptied the table

  struct Count {
    int64_t delta = 0;
    Lsn lsn;  // commit LSN of the latest change that added a copy
  };
  std::map<std::vector<core::Datum>, Count> counts_;  // key-less: row -> net copies
};

}  // namespace wharf::load
