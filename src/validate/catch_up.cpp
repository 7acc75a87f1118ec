#include "validate/catch_up.hpp"

#include "core/error.hpp"
#include "staging/lease.hpp"
#include "staging/staged_log.hpp"

namespace wharf::validate {

Applied ReadApplied(WarehouseReader& warehouse, const std::string& source) {
  Applied out;
  try {
    auto rows = warehouse.Query("SELECT CAST(end_lsn AS VARCHAR), CAST(batch_seq AS VARCHAR) FROM _wharf.state "
                                "WHERE source = " + warehouse.QuoteLiteral(source));
    if (!rows.empty() && rows[0][0] && rows[0][1]) {
      out.end_lsn = Lsn(std::stoull(*rows[0][0]));
      out.seq = std::stoull(*rows[0][1]);
    }
  } catch (const Error&) {
    // No _wharf.state yet: nothing applied.
  }
  return out;
}

staging::ObjectStore& CatchUp::Store() {
  if (!store_) store_ = staging::OpenObjectStore(config_.staging, config_.base_dir);
  return *store_;
}

bool CatchUp::LoaderRunning() {
  const std::string path = staging::LeasePath(source_.name, staging::LeaseRole::kLoad);
  if (!Store().Exists(path)) return false;
  auto record = staging::LeaseRecord::Parse(Store().Read(path));
  if (!record) return false;
  // A local lease file outlives its holder (the flock goes with the process).
  if (record->host != staging::LeaseRecord::Mine(staging::LeaseRole::kLoad).host) return true;
  return staging::ProcessAlive(record->pid);
}

bool CatchUp::CaughtUp(pg::Connection& source_conn, WarehouseReader& warehouse, Lsn lsn) {
  const Applied applied = ReadApplied(warehouse, source_.name);
  if (applied.end_lsn >= lsn) return true;
  auto r = source_conn.ExecParams(
      "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1", {source_.slot});
  if (r.rows() == 0 || r.IsNull(0, 0)) return false;
  auto confirmed = Lsn::Parse(r.Get(0, 0));
  if (!confirmed || *confirmed < lsn) return false;
  return staging::ListManifests(Store(), source_.name, applied.seq).empty();
}

}  // namespace wharf::validate
