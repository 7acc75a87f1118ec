#pragma once
// Whether the warehouse reflects a source up to a WAL position, and whether
// anything is loading it: what decides if a difference may still go away.
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/lsn.hpp"
#include "pg/connection.hpp"
#include "staging/object_store.hpp"
#include "validate/warehouse_reader.hpp"

namespace wharf::validate {

struct Applied {
  Lsn end_lsn;       // end LSN of the last batch the warehouse applied
  uint64_t seq = 0;  // that batch
};
// The warehouse's progress row for `source` (_wharf.state); zero when none.
Applied ReadApplied(WarehouseReader& warehouse, const std::string& source);

class CatchUp {
 public:
  // `config` and `source` must outlive this object.
  CatchUp(const core::Config& config, const core::SourceConfig& source) : config_(config), source_(source) {}

  // A process holds the source's load lease (its record names a live
  // process of this host, or a process on another host).
  bool LoaderRunning();
  // The warehouse holds every change the source committed up to `lsn`: it
  // applied a batch ending there or later, or capture confirmed the slot past
  // `lsn` (everything before is staged) and the warehouse applied every
  // staged batch. `source_conn`: any session on the source.
  bool CaughtUp(pg::Connection& source_conn, WarehouseReader& warehouse, Lsn lsn);

 private:
  staging::ObjectStore& Store();

  const core::Config& config_;
  const core::SourceConfig& source_;
  std::unique_ptr<staging::ObjectStore> store_;  // opened on first use
};

}  // namespace wharf::validate
