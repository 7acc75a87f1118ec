// The history and append planners (see planner.hpp for what each mode means).
#include <algorithm>

#include "core/error.hpp"
#include "load/planner.hpp"

namespace wharf::load {

namespace {

PlannedRow VersionOf(const core::Change& c, char op) {
  PlannedRow row;
  row.lsn = c.lsn;
  row.op = op;
  row.seq = c.seq;
  row.ts = c.ts;
  return row;
}

// Old values as sent, one per column (a key-only old row may come shorter).
std::vector<core::Datum> Widened(std::vector<core::Datum> values, size_t columns) {
  values.resize(columns);
  return values;
}

}  // namespace

PlannedRow* Planner::OpenVersion(const Key& key) {
  auto it = last_version_.find(key);
  if (it == last_version_.end()) return nullptr;
  PlannedRow& v = plan_.versions[it->second];
  return v.valid_to ? nullptr : &v;
}

void Planner::EndVersion(const Key& key, const core::Change& c) {
  if (PlannedRow* open = OpenVersion(key)) {
    open->valid_to = c.ts;
    return;
  }
  // The key's first change in this chunk ends its warehouse version, unless
  // the key cannot be there: the source inserts it, or this chunk began by
  // truncating the table.
  if (touched_.insert(key).second && !plan_.truncate && c.op != core::Op::kInsert)
    plan_.marks.push_back({key, c.lsn, c.ts});
}

PlannedRow Planner::Tombstone(const Key& key, const PlannedRow* previous, const core::Change& c,
                              std::vector<core::Datum> old) const {
  // The deleted version's last values: the chunk's version, else the whole
  // old row (REPLICA IDENTITY FULL), else the warehouse's current version.
  PlannedRow t = VersionOf(c, 'D');
  t.valid_to = c.ts;
  if (previous) {
    t.values = previous->values;
    t.fill_columns = previous->fill_columns;
    t.fill_key = previous->fill_key;
    return t;
  }
  const size_t n = schema_.columns.size();
  const bool full_old = c.old_kind == 'O' && old.size() == n;
  t.values = Widened(std::move(old), n);
  if (full_old) return t;
  for (uint32_t col = 0; col < n; ++col) {
    if (std::find(key_columns_.begin(), key_columns_.end(), col) == key_columns_.end())
      t.fill_columns.push_back(col);
  }
  t.fill_key = key;
  return t;
}

void Planner::AddHistory(core::Change& c) {
  auto push = [&](Key key, PlannedRow row) {
    last_version_[std::move(key)] = plan_.versions.size();
    plan_.versions.push_back(std::move(row));
  };
  switch (c.op) {
    case core::Op::kTruncate:
      StartTruncate(c);
      return;
    case core::Op::kDelete: {
      Key key = KeyOf(c.old);
      PlannedRow* previous = OpenVersion(key);
      PlannedRow t = Tombstone(key, previous, c, std::move(c.old));
      EndVersion(key, c);
      push(std::move(key), std::move(t));
      return;
    }
    case core::Op::kInsert:
    case core::Op::kSnapshot:
    case core::Op::kUpdate: {
      Key key = KeyOf(c.row);
      Key old_key = (c.op == core::Op::kUpdate && c.has_old) ? KeyOf(c.old) : key;
      PlannedRow row = VersionOf(c, static_cast<char>(c.op));
      row.values = std::move(c.row);
      PlannedRow* previous = OpenVersion(old_key);
      ResolveUnchanged(c, row, previous, old_key);
      if (old_key != key) {
        // A key change: the old key's version ends with a tombstone.
        PlannedRow t = Tombstone(old_key, previous, c, c.old);
        EndVersion(old_key, c);
        push(old_key, std::move(t));
      }
      EndVersion(key, c);
      push(std::move(key), std::move(row));
      return;
    }
  }
}

void Planner::AddAppend(core::Change& c) {
  // The raw change log. An update that changes the key is logged as a D row
  // for the old key then the U row, so replaying the log by (lsn, seq)
  // rebuilds the table. A TRUNCATE is one row of NULLs with op T. Unchanged
  // TOAST columns are taken from the whole old row when it was sent, else
  // left NULL and named in fill_columns.
  const size_t n = schema_.columns.size();
  switch (c.op) {
    case core::Op::kTruncate: {
      PlannedRow row = VersionOf(c, 'T');
      row.values.assign(n, std::nullopt);
      plan_.versions.push_back(std::move(row));
      return;
    }
    case core::Op::kDelete: {
      PlannedRow row = VersionOf(c, 'D');
      row.values = Widened(std::move(c.old), n);
      plan_.versions.push_back(std::move(row));
      return;
    }
    case core::Op::kInsert:
    case core::Op::kSnapshot:
    case core::Op::kUpdate: {
      PlannedRow row = VersionOf(c, static_cast<char>(c.op));
      row.values = std::move(c.row);
      const bool full_old = c.has_old && c.old_kind == 'O' && c.old.size() == row.values.size();
      for (uint32_t col : c.unchanged) {
        if (col >= row.values.size()) {
          Fail(ErrorKind::kStaging,
               "a change to {} names unchanged column {} beyond its {} columns",
               schema_.table.ToString(), col, row.values.size());
        }
        if (full_old)
          row.values[col] = c.old[col];
        else
          row.fill_columns.push_back(col);
      }
      if (c.op == core::Op::kUpdate && c.has_old && !key_columns_.empty() &&
          KeyOf(c.old) != KeyOf(row.values)) {
        PlannedRow del = VersionOf(c, 'D');
        del.values = Widened(std::move(c.old), n);
        plan_.versions.push_back(std::move(del));
      }
      plan_.versions.push_back(std::move(row));
      return;
    }
  }
}

}  // namespace wharf::load
