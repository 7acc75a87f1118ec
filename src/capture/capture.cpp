#include "capture/capture.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <thread>

#include "capture/backpressure.hpp"
#include "capture/batch_deadline.hpp"
#include "capture/pgoutput_decoder.hpp"
#include "capture/spool.hpp"
#include "capture/table_copies.hpp"
#include "capture/relation_cache.hpp"
#include "capture/schema_watch.hpp"
#include "capture/stream_session.hpp"
#include "capture/source_setup.hpp"
#include "core/error.hpp"
#include "core/fault.hpp"
#include "pg/catalog.hpp"
#include "pg/replication.hpp"
#include "snapshot/full_load.hpp"
#include "snapshot/watermark.hpp"
#include "staging/staged_log.hpp"
#include "staging/state_store.hpp"

namespace wharf::capture {

namespace {




struct SlotInfo {
  bool exists = false;
  bool active = false;
  Lsn confirmed_flush;
  std::string wal_status;
};

SlotInfo QuerySlot(pg::Connection& conn, const std::string& slot) {
  auto r = conn.ExecParams(
      "SELECT active, confirmed_flush_lsn::text, wal_status, plugin, database = current_database() "
      "FROM pg_replication_slots WHERE slot_name = $1",
      {slot});
  SlotInfo info;
  if (r.rows() == 0) return info;
  info.exists = true;
  info.active = r.Get(0, 0) == "t";
  if (!r.IsNull(0, 1)) info.confirmed_flush = Lsn::Parse(r.Get(0, 1)).value_or(Lsn());
  info.wal_status = r.IsNull(0, 2) ? "" : std::string(r.Get(0, 2));
  if (r.Get(0, 3) != "pgoutput" || r.Get(0, 4) != "t") {
    Fail(ErrorKind::kConfig,
         "replication slot {} exists but is not a pgoutput slot of this database; choose another "
         "slot name for the source in wharf.yaml (slot: ...)",
         slot);
  }
  return info;
}

// The LSN `--once` must reach: a WAL record written now, so that decoding
// passes it even on an idle server.
Lsn OnceTarget(pg::Connection& conn) {
  try {
    auto r = conn.Exec("SELECT pg_logical_emit_message(false, 'wharf', 'once')::text");
    if (auto l = Lsn::Parse(r.Get(0, 0))) return *l;
  } catch (const Error&) {
    // Not permitted for this role: the current WAL position is as good, only less exact.
  }
  auto r = conn.Exec("SELECT pg_current_wal_lsn()::text");
  return Lsn::Parse(r.Get(0, 0)).value_or(Lsn());
}

}  // namespace

Capture::Capture(core::SourceConfig source, staging::ObjectStore& store, CaptureOptions options,
                 BatchCallback on_batch)
    : source_(std::move(source)), store_(store), options_(options), on_batch_(std::move(on_batch)) {}

Capture::~Capture() = default;

bool Capture::RunConnection(const std::atomic<bool>& stop) {
  auto conn = pg::Connection::Open(source_.dsn, false, "wharf catalog " + source_.name);
  CheckServer(conn, source_);
  auto selection = SelectTables(conn, source_);
  auto& tables = selection.tables;

  staging::StateStore state_store(store_, source_.name);
  auto state = state_store.Load();
  staging::StagedTail tail = staging::RecoverStagedLog(store_, source_.name);
  DiskBudget budget(store_, source_.name, options_.max_pending_bytes);
  budget.Load();
  SlotInfo slot = QuerySlot(conn, source_.slot);
  if (slot.exists && slot.wal_status == "lost") {
    Fail(ErrorKind::kSource,
         "replication slot {} of source {} is invalidated (wal_status = lost): PostgreSQL removed "
         "WAL it still needed, so changes were lost.\n  Resynchronise: stop wharf, drop the slot "
         "(SELECT pg_drop_replication_slot('{}')), delete {}/{}/state and start again to take a "
         "new full load",
         source_.slot, source_.name, source_.slot, store_.Describe(), source_.name);
  }
  if (slot.exists && slot.active) {
    // Usually the walsender of our own dropped connection, not yet gone: retried
    // with backoff. If it stays, another wharf is running for this source.
    Fail(ErrorKind::kConnection,
         "replication slot {} is in use by another process (is another wharf running for source "
         "{}?)",
         source_.slot, source_.name);
  }

  std::optional<pg::ReplicationConnection> repl;
  Lsn start;
  pg::TypeResolver types;
  if (!state) {
    // First start: a slot with an exported snapshot, and every table copied in it.
    if (slot.exists) {
      spdlog::warn("capture {}: dropping slot {} left without capture state", source_.name, source_.slot);
      conn.ExecParams("SELECT pg_drop_replication_slot($1)", {source_.slot});
    }
    EnsurePublication(conn, source_, tables);
    repl.emplace(pg::Connection::Open(source_.dsn, true, "wharf " + source_.name));
    auto created = repl->CreateLogicalSlot(source_.slot, true);
    spdlog::info("capture {}: created slot {} at {}", source_.name, source_.slot,
                 created.consistent_point.ToString());
    std::vector<core::RelationSchema> schemas;
    staging::CaptureState fresh;
    fresh.slot = source_.slot;
    fresh.consistent_point = created.consistent_point;
    for (const auto& t : tables) {
      schemas.push_back(pg::DescribeTable(conn, t, types));
      staging::TableSync ts;
      ts.table = t.name.ToString();
      fresh.tables.push_back(std::move(ts));
    }
    state_store.Save(fresh);
    board_ = std::make_unique<snapshot::SyncBoard>(fresh, state_store);
    snapshot::FullLoadOptions fl;
    fl.batch = options_.batch;
    fl.max_batch_bytes = options_.full_load_batch_bytes;
    fl.workers = options_.copy_workers;
    auto loaded = snapshot::CopyUnderSnapshot(source_, schemas, created.snapshot_name,
                                              created.consistent_point, store_, tail.last_seq + 1,
                                              fl, *board_, stop, [&](const staging::Manifest& m) {
                                                budget.Staged(m);
                                                progress_.batches++;
                                                on_batch_(m);
                                              });
    spdlog::info("capture {}: full load staged: {} rows of {} table(s)", source_.name, loaded.rows,
                 tables.size());
    tail.last_seq = loaded.last_seq;
    tail.last_lsn = Lsn();  // the stream starts at the consistent point: nothing to skip
    tail.end_lsn = created.consistent_point;
    start = created.consistent_point;
    if (stop) return true;  // interrupted: the next start resumes the copy
  } else {
    if (!slot.exists) {
      Fail(ErrorKind::kSource,
           "replication slot {} of source {} is gone, so changes since {} cannot be captured.\n  "
           "Resynchronise: delete {}/{}/state and start again to take a new full load",
           source_.slot, source_.name, tail.end_lsn.ToString(), store_.Describe(), source_.name);
    }
    board_ = std::make_unique<snapshot::SyncBoard>(*state, state_store);
    std::vector<pg::TableInfo> known;
    for (auto& t : tables)
      if (state->Find(t.name.ToString())) known.push_back(t);
    EnsurePublication(conn, source_, known);
    repl.emplace(pg::Connection::Open(source_.dsn, true, "wharf " + source_.name));
    start = std::max(slot.confirmed_flush, tail.end_lsn);
  }

  if (options_.once && !once_target_) once_target_ = OnceTarget(conn);

  // No negotiation in pgoutput: 2 streams in-progress transactions on
  // PostgreSQL 14 and 15 (which reject 4); 4 on 16 and later. two_phase stays off.
  const int protocol = conn.ServerVersion() >= 160000 ? 4 : 2;
  std::string opts = "proto_version '" + std::to_string(protocol) + "', streaming 'on', " +
                     "messages 'true', publication_names " +
                     pg::QuoteLiteral(pg::QuoteIdent(source_.publication));
  repl->StartLogical(source_.slot, start, opts);
  spdlog::info("capture {}: streaming from {}{}", source_.name, start.ToString(),
               once_target_ ? " until " + once_target_->ToString() : "");

  StreamSession session({source_, store_, options_, progress_, on_batch_, conn, *repl, *board_, state_store, budget,
                         types, once_target_},
                        protocol, tables, {start, tail.end_lsn, tail.last_lsn}, tail.last_seq + 1);
  return session.Run(stop);
}

}  // namespace wharf::capture
