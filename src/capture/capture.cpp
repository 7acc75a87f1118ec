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
#include "capture/spine.hpp"
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

using Clock = std::chrono::steady_clock;



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

core::Datum ToDatum(const TupleValue& v) {
  if (v.kind == TupleValue::Kind::kNull) return std::nullopt;
  if (v.kind == TupleValue::Kind::kBinary) {
    Fail(ErrorKind::kProtocol, "pgoutput sent a binary value; wharf requests text values");
  }
  return std::string(v.data);
}

// Fills `out` from a tuple; records unchanged-TOAST columns in `unchanged`.
void FillRow(const core::RelationSchema& schema, const Tuple& tuple, std::vector<core::Datum>& out,
             std::vector<uint32_t>* unchanged) {
  if (tuple.size() != schema.columns.size()) {
    Fail(ErrorKind::kProtocol, "pgoutput sent {} columns for {}, its Relation message had {}",
         tuple.size(), schema.table.ToString(), schema.columns.size());
  }
  out.resize(tuple.size());
  for (size_t i = 0; i < tuple.size(); ++i) {
    if (tuple[i].kind == TupleValue::Kind::kUnchanged) {
      out[i].reset();
      if (unchanged) unchanged->push_back(static_cast<uint32_t>(i));
    } else {
      out[i] = ToDatum(tuple[i]);
    }
  }
}

// Turns a row message into `change` (Insert, Update, Delete: one call of
// `sink`; Truncate: one per relation). `sink` gets the schema and the message's
// xid (0 outside a stream). Other messages are ignored.
template <typename Sink>
void BuildChange(const Message& msg, RelationCache& relations, core::Change& change, Sink&& sink) {
  if (auto* ins = std::get_if<InsertMsg>(&msg)) {
    const auto& schema = relations.Get(ins->relation_oid);
    change.op = core::Op::kInsert;
    change.unchanged.clear();
    change.has_old = false;
    change.old.clear();
    FillRow(schema, ins->new_tuple, change.row, &change.unchanged);
    sink(schema, ins->xid.value_or(0));
  } else if (auto* up = std::get_if<UpdateMsg>(&msg)) {
    const auto& schema = relations.Get(up->relation_oid);
    change.op = core::Op::kUpdate;
    change.unchanged.clear();
    FillRow(schema, up->new_tuple, change.row, &change.unchanged);
    change.has_old = up->old_kind != 0;
    change.old_kind = up->old_kind == 'O' ? 'O' : 'K';
    if (change.has_old) FillRow(schema, up->old_tuple, change.old, nullptr);
    else change.old.clear();
    sink(schema, up->xid.value_or(0));
  } else if (auto* del = std::get_if<DeleteMsg>(&msg)) {
    const auto& schema = relations.Get(del->relation_oid);
    change.op = core::Op::kDelete;
    change.unchanged.clear();
    change.row.clear();
    change.has_old = true;
    change.old_kind = del->old_kind == 'O' ? 'O' : 'K';
    FillRow(schema, del->old_tuple, change.old, nullptr);
    sink(schema, del->xid.value_or(0));
  } else if (auto* tr = std::get_if<TruncateMsg>(&msg)) {
    change.op = core::Op::kTruncate;
    change.unchanged.clear();
    change.row.clear();
    change.old.clear();
    change.has_old = false;
    for (uint32_t oid : tr->relation_oids) sink(relations.Get(oid), tr->xid.value_or(0));
  }
  // Origin, Type and logical decoding messages carry nothing to stage.
}

}  // namespace

Capture::Capture(core::SourceConfig source, staging::ObjectStore& store, CaptureOptions options,
                 BatchCallback on_batch)
    : source_(std::move(source)), store_(store), options_(options), on_batch_(std::move(on_batch)) {}

Capture::~Capture() = default;

void Capture::Run(const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(500);
  for (;;) {
    try {
      if (RunSession(stop)) return;
      backoff = std::chrono::milliseconds(500);
    } catch (Error& e) {
      if (e.kind() != ErrorKind::kConnection || stop) {
        throw e.AddContext("capturing source " + source_.name);
      }
      spdlog::warn("capture {}: {}; reconnecting in {} ms", source_.name, e.message(), backoff.count());
      auto until = Clock::now() + backoff;
      while (!stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
      if (stop) return;
    }
  }
}

bool Capture::RunSession(const std::atomic<bool>& stop) {
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

  PgOutputDecoder decoder(protocol);
  TransactionSpool spool(options_.spool_dir.empty()
                             ? std::filesystem::temp_directory_path() / ("wharf-spool-" + source_.name)
                             : std::filesystem::path(options_.spool_dir));
  bool in_stream = false;    // between Stream Start and Stream Stop
  uint32_t stream_top = 0;   // the streamed transaction's top-level xid
  RelationCache relations(conn);
  // Schema changes no row change follows (see capture/schema_watch.hpp).
  SchemaWatch schemas(store_, source_.name);
  auto watched_oids = [&] {
    // The selected tables, and any relation the stream described (tables added since).
    std::set<uint32_t> oids = schemas.KnownOids();
    for (const auto& t : tables) oids.insert(t.oid);
    return std::vector<uint32_t>(oids.begin(), oids.end());
  };
  auto last_schema_poll = Clock::now() - std::chrono::hours(1);

  // Tables copied while the stream runs (added, resynced, or a first load to resume).
  TableCopies copies(source_, conn, *board_, state_store, tables);
  copies.RecordHeld(selection.held);
  bool staging_own_truncate = false;
  copies.Discover();
  auto last_discover = Clock::now();
  auto last_heartbeat = Clock::now();

  // Positions, skips, --once and pauses: capture/spine.hpp.
  Spine spine({start, tail.end_lsn, tail.last_lsn});
  uint64_t next_seq = tail.last_seq + 1;
  progress_.flushed_lsn = spine.confirmed().value();

  // The change being built, with its transaction's commit LSN, xid and time.
  core::Change change;
  uint32_t txn_seq = 0;

  // The open batch.
  std::unique_ptr<staging::BatchWriter> batch;
  Clock::time_point batch_opened{};

  auto last_status = Clock::now();
  auto last_data = Clock::now();
  auto last_reply_request = Clock::now();
  bool status_due = false;

  auto send_status = [&](bool reply) {
    repl->SendStatus(spine.confirmed(), spine.confirmed(), reply);
    last_status = Clock::now();
    status_due = false;
  };
  auto commit_batch = [&]() {
    if (!batch) return;
    batch->SetCopying(copies.TakeCopying());
    auto m = batch->Commit(spine.batch_first(), spine.batch_last(), spine.batch_end(), spine.batch_txns());
    batch.reset();
    schemas.Persist();
    spine.BatchDurable(m.end_lsn);
    progress_.flushed_lsn = spine.confirmed().value();
    progress_.batches++;
    budget.Staged(m);
    progress_.pending_bytes = budget.pending().bytes();
    spdlog::debug("capture {}: batch {} staged ({} txns, end {})", source_.name, m.seq,
                  m.transactions, m.end_lsn.ToString());
    on_batch_(m);
    send_status(false);
    core::FaultPoint("capture.after_confirm");
    copies.ApplyProgress(m.end_lsn);
    copies.MarkCaughtUp(spine.confirmed());
  };
  auto open_batch = [&] {
    batch = std::make_unique<staging::BatchWriter>(store_, source_.name, next_seq++, options_.batch);
    batch_opened = Clock::now();
    spine.BatchOpened();
  };
  auto stage = [&](const core::RelationSchema& schema, core::Change& c) {
    if (!batch) open_batch();
    spine.Staged(c.lsn);
    c.seq = txn_seq++;
    batch->Add(schema, c);
    if (!staging_own_truncate) copies.tracker().OnChange(schema, c);
    core::FaultPoint("capture.mid_transaction");
    progress_.changes++;
  };

  Lsn caught_up_checked;  // flushed position MarkCaughtUp last looked at
  // Back-pressure: while paused nothing is read from the stream (so nothing
  // new is staged or confirmed) but status updates keep flowing, so
  // PostgreSQL keeps the slot's client and holds the WAL.
  auto paused_since = Clock::now();
  auto last_budget_refresh = Clock::now();
  auto stop_deadline = Clock::time_point::max();
  for (;;) {
    if (!spine.in_txn()) {
      if (batch && (batch->raw_bytes() >= options_.max_batch_bytes ||
                    Clock::now() - batch_opened >= options_.max_interval)) {
        commit_batch();
      }
      // Near the budget the open batch is committed early, so its stored
      // (compressed) size counts rather than its raw size.
      if (batch && budget.Over(batch->raw_bytes())) commit_batch();
      auto since_refresh = Clock::now() - last_budget_refresh;
      if ((budget.Over() && since_refresh >= std::chrono::milliseconds(spine.paused() ? 500 : 0)) ||
          since_refresh >= std::chrono::seconds(10)) {
        budget.Refresh();  // how far the loader got (its applied mark)
        last_budget_refresh = Clock::now();
        progress_.pending_bytes = budget.pending().bytes();
      }
      auto pause = spine.Budget(budget.Over());
      if (pause == Spine::PauseChange::kPaused) {
        paused_since = Clock::now();
        progress_.paused = true;
        spdlog::warn(
            "capture {}: paused: {} staged batch(es) ({} bytes) are not applied to the warehouse, "
            "reaching staging.max_pending_bytes ({} bytes). No further WAL is confirmed; "
            "PostgreSQL keeps it for slot {}. Start or repair the loader (`wharf load`, or the "
            "warehouse `wharf run` loads into), or raise staging.max_pending_bytes; capture "
            "resumes by itself once the warehouse catches up",
            source_.name, budget.pending().count(), budget.pending().bytes(), budget.max_bytes(),
            source_.slot);
      } else if (pause == Spine::PauseChange::kResumed) {
        progress_.paused = false;
        spdlog::info("capture {}: resumed after {} s paused; {} bytes pending", source_.name,
                     std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - paused_since).count(),
                     budget.pending().bytes());
      }
      if (spine.confirmed() != caught_up_checked) {
        caught_up_checked = spine.confirmed();
        copies.MarkCaughtUp(spine.confirmed());
      }
      // A chunk that staged no rows (the end of a range) has nothing to wait for.
      if (!batch && copies.HasPendingProgress()) copies.ApplyProgress(spine.confirmed());
      spine.Idle(spool.empty());
      progress_.flushed_lsn = spine.confirmed().value();
      if (!once_target_ && !spine.paused() && Clock::now() - last_data > std::chrono::seconds(60) &&
          Clock::now() - last_heartbeat > std::chrono::seconds(60)) {
        // Idle for a minute: write a tiny WAL record in this database, so even
        // a server whose keepalives stall (nothing decodable to pass) lets the
        // slot's position move. Best effort: a refusal only means no heartbeat.
        last_heartbeat = Clock::now();
        try {
          conn.Exec("SELECT pg_logical_emit_message(false, 'wharf.heartbeat', '')");
        } catch (const Error& e) {
          spdlog::debug("capture {}: heartbeat refused: {}", source_.name, e.message());
        }
      }
      if (Clock::now() - last_schema_poll >= (once_target_ ? std::chrono::milliseconds(200) : std::chrono::seconds(2))) {
        schemas.Poll(conn, watched_oids(), types);
        last_schema_poll = Clock::now();
      }
      // With no batch open, everything recorded as staged is durable.
      if (!batch) schemas.Persist();
      // Nothing is open here, so the stream has staged every transaction below its position.
      if (schemas.HasPending() && spool.empty()) {
        for (auto& [schema, at] : schemas.Due(std::max(spine.wal_end(), spine.confirmed()))) {
          if (!batch) open_batch();
          batch->AddSchema(schema);
          schemas.Staged(schema, at);
        }
      }
      if (Clock::now() - last_discover >= (once_target_ ? std::chrono::seconds(1) : std::chrono::seconds(10))) {
        copies.Discover();
        last_discover = Clock::now();
      }
      // --once also waits for tables being copied, so it leaves nothing half copied.
      bool caught_up = spine.OnceDone(once_target_, copies.Idle(), schemas.HasPending());
      if (stop || caught_up) {
        commit_batch();
        send_status(false);
        spdlog::info("capture {}: {} at {}", source_.name, caught_up ? "caught up" : "stopped",
                     spine.confirmed().ToString());
        return true;
      }
    } else if (stop) {
      if (stop_deadline == Clock::time_point::max()) stop_deadline = Clock::now() + std::chrono::seconds(60);
      if (Clock::now() > stop_deadline) {
        spdlog::warn("capture {}: stopping inside transaction {}; its batch is discarded and will be "
                     "captured again on restart", source_.name, change.xid);
        return true;  // batch writer destructor discards the uncommitted files
      }
    }
    if (status_due || Clock::now() - last_status >= std::chrono::seconds(1)) {
      // Ask for a keepalive (which reports the server's WAL end) when idle: at
      // once in --once mode, every few seconds otherwise, so an idle slot's
      // confirmed position keeps up with WAL written elsewhere.
      auto idle = Clock::now() - last_data;
      bool want_reply = once_target_ ? idle > std::chrono::milliseconds(50)
                                     : Clock::now() - last_reply_request > std::chrono::seconds(5);
      if (want_reply) last_reply_request = Clock::now();
      send_status(want_reply);
    }

    if (spine.paused()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    auto ev = repl->Receive(ReceiveWait(batch && !spine.in_txn() ? std::optional(Clock::now() - batch_opened) : std::nullopt,
                                        options_.max_interval));
    if (ev.kind == pg::ReplicationEvent::Kind::kNone) continue;
    if (ev.kind == pg::ReplicationEvent::Kind::kEnd) {
      Fail(ErrorKind::kConnection, "the server ended the replication stream");
    }
    if (ev.kind == pg::ReplicationEvent::Kind::kKeepalive) {
      spine.OnKeepalive(ev.wal_end);
      copies.chunks().Passed(ev.wal_end.value());
      progress_.server_wal_end = spine.wal_end().value();
      if (ev.reply_requested) status_due = true;
      continue;
    }
    last_data = Clock::now();
    Message msg = decoder.Decode(ev.data);
    spine.OnMessage(msg, spool.empty());
    const bool skip_txn = spine.skipping();
    if (auto* b = std::get_if<BeginMsg>(&msg)) {
      change.lsn = b->final_lsn;
      change.xid = b->xid;
      change.ts = b->commit_ts;
      txn_seq = 0;
    } else if (auto* c = std::get_if<CommitMsg>(&msg)) {
      copies.chunks().Passed(c->end_lsn.value());
    } else if (auto* r = std::get_if<RelationMsg>(&msg)) {
      const auto& schema = relations.Update(*r, schemas.Known(r->oid));
      // A streamed transaction commits later, after any catalog read made now.
      if (!skip_txn) schemas.Staged(schema, in_stream ? Lsn(~uint64_t{0} >> 1) : change.lsn);
    } else if (auto* ss = std::get_if<StreamStartMsg>(&msg)) {
      in_stream = true;
      stream_top = ss->xid;
    } else if (std::holds_alternative<StreamStopMsg>(msg)) {
      in_stream = false;
    } else if (auto* sc = std::get_if<StreamCommitMsg>(&msg)) {
      spine.OnKeepalive(sc->end_lsn);
      if (!spine.StageStreamed(sc->commit_lsn)) {
        spool.Abort(sc->xid);
        continue;
      }
      // The whole transaction goes into one batch, in commit order.
      txn_seq = 0;
      spool.Replay(sc->xid, [&](const core::RelationSchema& schema, core::Change& spooled) {
        spooled.lsn = sc->commit_lsn;
        spooled.ts = sc->commit_ts;
        spooled.xid = sc->xid;
        stage(schema, spooled);
      });
      spine.StreamCommitted(sc->commit_lsn, sc->end_lsn, spool.empty());
      copies.chunks().Passed(sc->end_lsn.value());
    } else if (auto* lm = std::get_if<LogicalMessageMsg>(&msg)) {
      if (skip_txn || in_stream) continue;  // watermarks are small: never streamed
      auto ev = copies.tracker().OnMessage(lm->prefix, lm->content);
      if (ev.kind == snapshot::WatermarkTracker::Event::Kind::kLow && ev.chunk->truncate_first) {
        // Empty the warehouse table at L: what follows rebuilds it.
        core::Change t;
        t.op = core::Op::kTruncate;
        t.lsn = change.lsn;
        t.xid = change.xid;
        t.ts = change.ts;
        staging_own_truncate = true;  // not a change inside the window it opens
        stage(ev.chunk->schema, t);
        staging_own_truncate = false;
        copies.TruncateStaged(ev.chunk->table);
      } else if (ev.kind == snapshot::WatermarkTracker::Event::Kind::kHigh) {
        auto& chunk = *ev.chunk;
        if (!chunk.void_chunk) {
          core::Change r;
          r.op = core::Op::kSnapshot;
          r.lsn = change.lsn;
          r.xid = change.xid;
          r.ts = change.ts;
          for (auto& row : chunk.rows) {
            r.row = std::move(row);
            stage(chunk.schema, r);
          }
          copies.ChunkStaged(chunk);
        }
        copies.chunks().Consumed(chunk.id);
      }
    } else if (auto* sa = std::get_if<StreamAbortMsg>(&msg)) {
      // An abort of the top-level transaction drops it all; of a
      // subtransaction (ROLLBACK TO SAVEPOINT), only that subtransaction's rows.
      if (sa->subxid == sa->xid) spool.Abort(sa->xid);
      else spool.AbortSubtransaction(sa->xid, sa->subxid);
    } else if (in_stream) {
      // A change of an in-progress streamed transaction: spool it under its
      // top-level xid, tagged with the (sub)transaction that made it.
      BuildChange(msg, relations, change, [&](const core::RelationSchema& s, uint32_t subxid) {
        spool.Append(stream_top, subxid ? subxid : stream_top, s, change);
      });
    } else if (skip_txn) {
      continue;
    } else {
      BuildChange(msg, relations, change,
                  [&](const core::RelationSchema& s, uint32_t) { stage(s, change); });
    }
  }
}

}  // namespace wharf::capture
