#pragma once
// Reconciliation planner (pure): reduces one batch's changes to one table to
// their net effect, in (commit LSN, seq) order, for mirror mode.
//
//   delete then re-insert -> the new row      insert then delete -> nothing
//   insert, update, update -> last values      key change -> old key deleted, row moved
//   TRUNCATE -> the table is emptied at that point; what follows it is kept
//   unchanged TOAST columns -> taken from the latest change that carried a
//   value, else marked to be filled from the warehouse row (by the old key when
//   the key changed).
//   snapshot rows (op R) with LSN S -> upserts; the T that precedes a table's
//   copy empties the table first.
#include <map>
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

struct TablePlan {
  bool truncate = false;     // empty the table before anything below
  std::vector<Key> deletes;  // keys to delete (after truncate, before inserts)
  std::vector<PlannedRow> upserts;
  uint64_t changes = 0;
};

class Planner {
 public:
  explicit Planner(const core::RelationSchema& schema);
  // Changes must arrive in batch order.
  void Add(const core::Change& change);
  TablePlan Finish();

 private:
  Key KeyOf(const std::vector<core::Datum>& values) const;

  core::RelationSchema schema_;
  std::vector<size_t> key_columns_;
  TablePlan plan_;
  std::map<Key, std::optional<PlannedRow>> net_;  // nullopt: deleted
};

}  // namespace wharf::load
