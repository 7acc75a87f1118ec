#pragma once
// One consistent view of a source: `sessions` connections in one REPEATABLE
// READ READ ONLY transaction each, all on the first one's exported snapshot,
// so they can read parts of a table at the same time and see the same rows.
#include <cstddef>
#include <vector>

#include "core/config.hpp"
#include "core/lsn.hpp"
#include "pg/connection.hpp"

namespace wharf::validate {

class SourceSnapshot {
 public:
  static SourceSnapshot Open(const core::SourceConfig& source, size_t sessions);
  SourceSnapshot(SourceSnapshot&&) = default;
  ~SourceSnapshot();

  pg::Connection& main() { return sessions_.front(); }
  std::vector<pg::Connection>& sessions() { return sessions_; }
  // The source's WAL position read inside the snapshot's transaction: every
  // change the snapshot shows was committed at or before it.
  Lsn lsn() const { return lsn_; }

 private:
  SourceSnapshot() = default;
  std::vector<pg::Connection> sessions_;
  Lsn lsn_;
};

}  // namespace wharf::validate
