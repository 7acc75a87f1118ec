#include "load/planner.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace wharf::load {

Planner::Planner(const core::RelationSchema& schema, LoadMode mode)
    : schema_(schema), mode_(mode), key_columns_(schema.KeyIndexes()) {
  if (key_columns_.empty() && (mode == LoadMode::kSoftDelete || mode == LoadMode::kHistory)) {
    Fail(ErrorKind::kUnsupported,
         "{} has no key, so {} mode cannot tell one of its rows from another; give the source "
         "table a primary key, or load it in mirror or append mode (target.tables: {{\"{}\": "
         "{{mode: append}}}} in wharf.yaml)",
         schema.table.ToString(), ModeName(mode), schema.table.ToString());
  }
}

Key Planner::KeyOf(const std::vector<core::Datum>& values) const {
  Key k;
  k.reserve(key_columns_.size());
  for (size_t i : key_columns_) k.push_back(i < values.size() ? values[i] : std::nullopt);
  return k;
}

void Planner::Add(core::Change c) {
  plan_.changes++;
  if (mode_ == LoadMode::kAppend) AddAppend(c);
  else if (mode_ == LoadMode::kHistory) AddHistory(c);
  else if (key_columns_.empty()) AddMultiset(c);
  else AddKeyed(c);
}

void Planner::StartTruncate(const core::Change& c) {
  if (plan_.changes > 1) {
    Fail(ErrorKind::kInternal,
         "a TRUNCATE of {} reached the {} planner with changes pending; the loader must start a "
         "chunk at it (Planner::StartsNewChunk)",
         schema_.table.ToString(), ModeName(mode_));
  }
  plan_.truncate = true;
  plan_.truncate_lsn = c.lsn;
  plan_.truncate_seq = c.seq;
  plan_.truncate_ts = c.ts;
}

void Planner::ResolveUnchanged(core::Change& c, PlannedRow& row, const PlannedRow* previous,
                               const Key& old_key) const {
  // Where unchanged TOAST values come from: the latest in-batch version of
  // the row (under its old key), else the whole old row that REPLICA
  // IDENTITY FULL sends (PostgreSQL detoasts it), else the warehouse row.
  const bool full_old = c.has_old && c.old_kind == 'O' && c.old.size() == row.values.size();
  for (uint32_t col : c.unchanged) {
    if (col >= row.values.size()) {
      Fail(ErrorKind::kStaging, "a change to {} names unchanged column {} beyond its {} columns",
           schema_.table.ToString(), col, row.values.size());
    }
    if (previous && std::find(previous->fill_columns.begin(), previous->fill_columns.end(), col) ==
                        previous->fill_columns.end()) {
      row.values[col] = previous->values[col];
    } else if (full_old) {
      row.values[col] = c.old[col];
    } else {
      row.fill_columns.push_back(col);
      row.fill_key = previous ? previous->fill_key : old_key;
    }
  }
}

void Planner::AddKeyed(core::Change& c) {
  switch (c.op) {
    case core::Op::kTruncate:
      if (mode_ == LoadMode::kSoftDelete) StartTruncate(c);
      plan_.truncate = true;
      net_.clear();
      fresh_.clear();
      marks_.clear();
      truncated_ = true;
      return;
    case core::Op::kDelete: {
      Key key = KeyOf(c.old);
      if (mode_ == LoadMode::kSoftDelete) {
        auto it = net_.find(key);
        if (it != net_.end() && it->second) {
          // The chunk holds the row's last values: keep them as the tombstone.
          it->second->deleted = true;
          it->second->lsn = c.lsn;
        } else {
          net_[key] = std::nullopt;
          marks_[std::move(key)] = c.lsn;
        }
        return;
      }
      net_[std::move(key)] = std::nullopt;
      return;
    }
    case core::Op::kInsert:
    case core::Op::kSnapshot:
    case core::Op::kUpdate: {
      Key key = KeyOf(c.row);
      Key old_key = (c.op == core::Op::kUpdate && c.has_old) ? KeyOf(c.old) : key;
      // A key the source inserts did not exist there, so it is not in the
      // warehouse either; after a TRUNCATE in this chunk no key is.
      if (!net_.count(key) && mode_ == LoadMode::kMirror &&
          (c.op == core::Op::kInsert || (truncated_ && old_key == key)))
        fresh_.insert(key);
      PlannedRow row;
      row.values = std::move(c.row);
      row.lsn = c.lsn;
      const PlannedRow* previous = nullptr;
      auto prev_it = net_.find(old_key);
      if (prev_it != net_.end() && prev_it->second && !prev_it->second->deleted)
        previous = &*prev_it->second;
      ResolveUnchanged(c, row, previous, old_key);
      marks_.erase(key);
      if (old_key != key && mode_ == LoadMode::kSoftDelete) {
        // The old key is deleted: a tombstone with the values it had.
        if (prev_it != net_.end() && prev_it->second) {
          prev_it->second->deleted = true;
          prev_it->second->lsn = c.lsn;
        } else {
          net_[old_key] = std::nullopt;
          marks_[old_key] = c.lsn;
        }
        net_[std::move(key)] = std::move(row);
        return;
      }
      if (old_key != key) net_[old_key] = std::nullopt;
      net_[std::move(key)] = std::move(row);
      return;
    }
  }
}

void Planner::AddMultiset(core::Change& c) {
  // Without a key only the whole old row says which row a change meant.
  auto require_old_row = [&] {
    if (!c.has_old || c.old.size() != schema_.columns.size()) {
      Fail(ErrorKind::kUnsupported,
           "a {} on {} (a table without a key) carries no whole old row, so wharf cannot tell "
           "which row it changed; set ALTER TABLE {} REPLICA IDENTITY FULL and resynchronise the "
           "table",
           c.op == core::Op::kDelete ? "delete" : "update", schema_.table.ToString(),
           schema_.table.ToString());
    }
  };
  switch (c.op) {
    case core::Op::kTruncate:
      plan_.truncate = true;
      counts_.clear();
      return;
    case core::Op::kDelete:
      require_old_row();
      counts_[std::move(c.old)].delta--;
      return;
    case core::Op::kUpdate:
      require_old_row();
      for (uint32_t col : c.unchanged) {
        if (col < c.row.size()) c.row[col] = c.old[col];  // FULL sends the detoasted old value
      }
      counts_[std::move(c.old)].delta--;
      [[fallthrough]];
    case core::Op::kInsert:
    case core::Op::kSnapshot: {
      Count& n = counts_[std::move(c.row)];
      n.delta++;
      n.lsn = std::max(n.lsn, c.lsn);
      return;
    }
  }
}

TablePlan Planner::Finish() {
  for (auto& [key, row] : net_) {
    if (fresh_.count(key)) {
      if (row) plan_.inserts.push_back(std::move(*row));
      continue;
    }
    if (!row && mode_ == LoadMode::kSoftDelete) {
      plan_.marks.push_back({key, marks_.at(key), 0});
      continue;
    }
    // Every other key touched is deleted first, so an upsert replaces the old row.
    plan_.deletes.push_back(key);
    if (row) plan_.upserts.push_back(std::move(*row));
  }
  net_.clear();
  fresh_.clear();
  truncated_ = false;
  marks_.clear();
  last_version_.clear();
  touched_.clear();
  for (auto& [values, n] : counts_) {
    if (n.delta < 0) {
      plan_.removes.push_back({values, static_cast<uint64_t>(-n.delta)});
    } else {
      for (int64_t i = 0; i < n.delta; ++i) {
        PlannedRow copy;
        copy.values = values;
        copy.lsn = n.lsn;
        plan_.upserts.push_back(std::move(copy));
      }
    }
  }
  counts_.clear();
  TablePlan out = std::move(plan_);
  plan_ = TablePlan{};
  return out;
}

}  // namespace wharf::load
