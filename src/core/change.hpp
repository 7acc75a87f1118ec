#pragma once
// A change event as staged: one row operation of one committed transaction.
// Values are PostgreSQL's text form under wharf's fixed session settings;
// std::nullopt is SQL NULL.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/lsn.hpp"

namespace wharf::core {

enum class Op : char {
  kInsert = 'I',
  kUpdate = 'U',
  kDelete = 'D',
  kTruncate = 'T',
  kSnapshot = 'R',  // a row copied by the full load; lsn is its snapshot LSN
};

using Datum = std::optional<std::string>;
// A value as a view of text owned elsewhere (bulk appends that spare a copy).
using DatumView = std::optional<std::string_view>;

// `row` as views of its values, into `views` (valid while `row` is unchanged).
inline void ViewRow(const std::vector<Datum>& row, std::vector<DatumView>& views) {
  views.resize(row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i]) views[i].emplace(*row[i]);
    else views[i].reset();
  }
}

// Copies of `views` into `row`, reusing its strings' storage.
inline void CopyRow(const std::vector<DatumView>& views, std::vector<Datum>& row) {
  row.resize(views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    if (!views[i]) row[i].reset();
    else if (row[i]) row[i]->assign(*views[i]);
    else row[i].emplace(*views[i]);
  }
}

struct Change {
  Op op = Op::kInsert;
  Lsn lsn;          // commit LSN of the transaction (snapshot LSN for op R)
  Lsn end_lsn;      // end LSN of the transaction
  uint32_t seq = 0; // order of this change in its transaction
  uint32_t xid = 0;
  int64_t ts = 0;   // commit time, microseconds since the Unix epoch, UTC
  // New values by column position (insert, update, snapshot). Empty for delete/truncate.
  std::vector<Datum> row;
  // Old key or old row by column position (update with changed key or FULL identity, delete).
  // Empty when not sent. Non-key columns are nullopt when only the key was sent.
  std::vector<Datum> old;
  bool has_old = false;
  // 'K': `old` holds the replica identity key only; 'O': the whole old row
  // (REPLICA IDENTITY FULL), whose values can stand in for unchanged TOAST columns.
  char old_kind = 'K';
  // Column positions whose value is an unchanged TOAST value, absent from `row`.
  std::vector<uint32_t> unchanged;
};

}  // namespace wharf::core
