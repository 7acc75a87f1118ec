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
// The other load modes (load_mode.hpp) plan the same changes differently; the
// plan stays a list of generic set operations an adapter executes:
//   soft_delete: as mirror, but a delete keeps the row as a tombstone
//     (`deleted`, with its last values and the delete's LSN): a key the chunk
//     knows becomes a tombstone upsert, any other key a `mark` of the
//     warehouse row; TRUNCATE marks every row. No key is "fresh" (a tombstone
//     may hold it), so every row goes through deletes + upserts.
//   history: every change is a `version` (op, lsn, seq, valid_from = commit
//     time); a version ends (valid_to) at the next change of its key. The
//     first change of a key in the chunk `closes` the warehouse's current
//     version of it (not for an INSERT: the key was absent). A delete closes
//     the key's version and writes a tombstone version (op D, its last values,
//     valid_from = valid_to = the delete's time); a key change does the same
//     for the old key and opens a version under the new one. TRUNCATE closes
//     every current version and writes a tombstone (op T) for each. Unchanged
//     TOAST columns come from the previous version: in the chunk, else the
//     whole old row, else the key's latest version in the warehouse.
//   append: every change is a `version` row, never rewritten (see
//     planner_modes.cpp for deletes, key changes, truncates and TOAST).
// In soft_delete and history a TRUNCATE must open a chunk (StartsNewChunk), so
// it applies to the warehouse before anything else the chunk holds.
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
#include "load/load_mode.hpp"

namespace wharf::load {

using Key = std::vector<core::Datum>;

struct PlannedRow {
  std::vector<core::Datum> values;  // all columns, in schema order
  Lsn lsn;                          // commit LSN of the change that produced it
  // Columns whose value must come from the warehouse row with key `fill_key`.
  // (append: columns left NULL because the change did not carry them.)
  std::vector<uint32_t> fill_columns;
  Key fill_key;
  bool deleted = false;  // soft_delete: a tombstone (lsn is the delete's)
  // history and append: the change this row records. ts is its commit time
  // (history: valid_from); valid_to is set when a later change in the same
  // chunk ended the version.
  char op = 0;
  uint32_t seq = 0;
  int64_t ts = 0;
  std::optional<int64_t> valid_to;
};

// A warehouse row, by key, that a change reached without the chunk knowing
// its values: soft_delete marks it deleted, history ends its current version.
struct KeyMark {
  Key key;
  Lsn lsn;
  int64_t ts = 0;  // history: the version's valid_to
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
  // The TRUNCATE's own position (modes other than mirror record it: the
  // tombstones and versions it ends carry it).
  Lsn truncate_lsn;
  uint32_t truncate_seq = 0;
  int64_t truncate_ts = 0;
  std::vector<KeyMark> marks;       // soft_delete: mark deleted; history: end current version
  std::vector<PlannedRow> versions;  // history, append: rows to insert, in change order
  uint64_t changes = 0;
};

class Planner {
 public:
  // Throws kUnsupported for soft_delete or history on a table without a key.
  explicit Planner(const core::RelationSchema& schema, LoadMode mode = LoadMode::kMirror);
  // True when `change` must open a new chunk: the caller applies Finish()
  // first. (A TRUNCATE, outside mirror mode, with changes pending.)
  bool StartsNewChunk(const core::Change& change) const {
    return (mode_ == LoadMode::kSoftDelete || mode_ == LoadMode::kHistory) &&
           change.op == core::Op::kTruncate && plan_.changes > 0;
  }
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
  void AddHistory(core::Change& change);
  void AddAppend(core::Change& change);
  void StartTruncate(const core::Change& change);
  // Unchanged TOAST columns of `row`, from `previous` (the key's latest
  // version in this chunk), else the whole old row, else the warehouse.
  void ResolveUnchanged(core::Change& change, PlannedRow& row, const PlannedRow* previous,
                        const Key& old_key) const;
  // history: ends the key's version (in this chunk, else in the warehouse) at `c`.
  void EndVersion(const Key& key, const core::Change& c);
  // history: the key's latest version in this chunk unless it is a tombstone.
  PlannedRow* OpenVersion(const Key& key);
  PlannedRow Tombstone(const Key& key, const PlannedRow* previous, const core::Change& c,
                       std::vector<core::Datum> old) const;

  core::RelationSchema schema_;
  LoadMode mode_;
  std::vector<size_t> key_columns_;  // empty: the table is a multiset
  std::map<Key, Lsn> marks_;  // soft_delete: deleted keys the chunk has no values of
  std::map<Key, size_t> last_version_;  // history: key -> its latest entry in plan_.versions
  std::set<Key> touched_;  // history: keys whose warehouse version this chunk already ended
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
