#include "load/planner.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace wharf::load {

Planner::Planner(const core::RelationSchema& schema) : schema_(schema), key_columns_(schema.KeyIndexes()) {
  if (key_columns_.empty()) {
    // Without a key every column identifies the row (REPLICA IDENTITY FULL).
    for (size_t i = 0; i < schema_.columns.size(); ++i) key_columns_.push_back(i);
  }
}

Key Planner::KeyOf(const std::vector<core::Datum>& values) const {
  Key k;
  k.reserve(key_columns_.size());
  for (size_t i : key_columns_) k.push_back(i < values.size() ? values[i] : std::nullopt);
  return k;
}

void Planner::Add(const core::Change& c) {
  plan_.changes++;
  switch (c.op) {
    case core::Op::kTruncate:
      plan_.truncate = true;
      net_.clear();
      return;
    case core::Op::kDelete: {
      net_[KeyOf(c.old)] = std::nullopt;
      return;
    }
    case core::Op::kInsert:
    case core::Op::kSnapshot:
    case core::Op::kUpdate: {
      PlannedRow row;
      row.values = c.row;
      row.lsn = c.lsn;
      Key key = KeyOf(c.row);
      Key old_key = (c.op == core::Op::kUpdate && c.has_old) ? KeyOf(c.old) : key;
      // Where unchanged TOAST values come from: the latest in-batch version of
      // the row (under its old key), else the warehouse row.
      const PlannedRow* previous = nullptr;
      auto prev_it = net_.find(old_key);
      if (prev_it != net_.end() && prev_it->second) previous = &*prev_it->second;
      for (uint32_t col : c.unchanged) {
        if (previous && std::find(previous->fill_columns.begin(), previous->fill_columns.end(), col) ==
                            previous->fill_columns.end()) {
          row.values[col] = previous->values[col];
        } else {
          row.fill_columns.push_back(col);
          row.fill_key = previous ? previous->fill_key : old_key;
        }
      }
      if (old_key != key) net_[old_key] = std::nullopt;
      net_[key] = std::move(row);
      return;
    }
  }
}

TablePlan Planner::Finish() {
  for (auto& [key, row] : net_) {
    // Every key touched is deleted first, so an upsert replaces the old row.
    plan_.deletes.push_back(key);
    if (row) plan_.upserts.push_back(std::move(*row));
  }
  net_.clear();
  return std::move(plan_);
}

}  // namespace wharf::load
