#include "validate/source_snapshot.hpp"

#include "core/error.hpp"

namespace wharf::validate {

namespace {

pg::Connection Session(const core::SourceConfig& source) {
  auto c = pg::Connection::Open(source.dsn, false, "wharf validate " + source.name);
  // validate splits a table's pages over its own sessions; parallel workers
  // on top would only compete for the same cores. Chunk sums group a few
  // hundred chunks: a hash aggregate, never a sort of the whole table (which
  // the planner picks when it cannot tell how many chunks there are).
  c.Exec("SET max_parallel_workers_per_gather = 0");
  c.Exec("SET enable_sort = off");
  c.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  return c;
}

}  // namespace

SourceSnapshot SourceSnapshot::Open(const core::SourceConfig& source, size_t sessions) {
  SourceSnapshot out;
  out.sessions_.push_back(Session(source));
  auto& main = out.sessions_.front();
  // The first query takes the snapshot; the WAL position is read after it.
  auto r = main.Exec(
      "SELECT pg_export_snapshot(), CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
      "ELSE pg_current_wal_lsn() END::text");
  const std::string snapshot(r.Get(0, 0));
  auto lsn = Lsn::Parse(r.Get(0, 1));
  if (!lsn) Fail(ErrorKind::kSource, "source {} reported WAL position '{}', not an LSN", source.name, r.Get(0, 1));
  out.lsn_ = *lsn;
  for (size_t i = 1; i < sessions; ++i) {
    auto& c = out.sessions_.emplace_back(Session(source));
    c.Exec("SET TRANSACTION SNAPSHOT " + pg::QuoteLiteral(snapshot));
  }
  return out;
}

SourceSnapshot::~SourceSnapshot() {
  for (auto& c : sessions_) {
    try {
      if (c.raw()) c.Exec("COMMIT");
    } catch (...) {
      // Read-only: nothing to lose when the session is already gone.
    }
  }
}

}  // namespace wharf::validate
