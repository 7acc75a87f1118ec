#include "capture/stream_session.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>
#include <thread>

#include "capture/batch_deadline.hpp"
#include "capture/build_change.hpp"
#include "core/error.hpp"
#include "core/fault.hpp"

namespace wharf::capture {

namespace {
std::filesystem::path SpoolDir(const CaptureOptions& options, const std::string& source) {
  return options.spool_dir.empty() ? std::filesystem::temp_directory_path() / ("wharf-spool-" + source)
                                   : std::filesystem::path(options.spool_dir);
}
}  // namespace

StreamSession::StreamSession(Context ctx, int protocol, std::vector<pg::TableInfo> tables,
                             const Spine::Start& start, uint64_t next_seq)
    : ctx_(ctx),
      tables_(std::move(tables)),
      decoder_(protocol),
      spool_(SpoolDir(ctx.options, ctx.source.name)),
      relations_(ctx.catalog),
      schemas_(ctx.store, ctx.source.name),
      copies_(ctx.source, ctx.catalog, ctx.board, ctx.states, tables_),
      spine_(start),
      next_seq_(next_seq) {
  copies_.Discover();  // also records the held tables
  ctx_.progress.flushed_lsn = spine_.confirmed().value();
}

bool StreamSession::Run(const std::atomic<bool>& stop) {
  for (;;) {
    if (!spine_.in_txn()) {
      if (AtBoundary(stop)) return true;
    } else if (stop) {
      if (stop_deadline_ == Clock::time_point::max()) stop_deadline_ = Clock::now() + std::chrono::seconds(60);
      if (Clock::now() > stop_deadline_) {
        spdlog::warn("capture {}: stopping inside transaction {}; its batch is discarded and will be "
                     "captured again on restart", ctx_.source.name, change_.xid);
        return true;  // batch writer destructor discards the uncommitted files
      }
    }
    StatusIfDue();
    // Back-pressure: while paused nothing is read from the stream (so nothing
    // new is staged or confirmed) but status updates keep flowing, so
    // PostgreSQL keeps the slot's client and holds the WAL.
    if (spine_.paused()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    auto ev = ctx_.repl.Receive(ReceiveWait(
        batch_ && !spine_.in_txn() ? std::optional(Clock::now() - batch_opened_) : std::nullopt,
        ctx_.options.max_interval));
    if (ev.kind == pg::ReplicationEvent::Kind::kNone) continue;
    if (ev.kind == pg::ReplicationEvent::Kind::kEnd) {
      Fail(ErrorKind::kConnection, "the server ended the replication stream");
    }
    if (ev.kind == pg::ReplicationEvent::Kind::kKeepalive) {
      spine_.OnKeepalive(ev.wal_end);
      ctx_.progress.server_wal_end = spine_.wal_end().value();
      if (ev.reply_requested) status_due_ = true;
    } else {
      last_data_ = Clock::now();
      OnData(decoder_.Decode(ev.data));
    }
    // How far the stream has come (keepalives, commit ends): a copy whose
    // marks lie below it and were not seen is retried.
    copies_.chunks().Passed(spine_.wal_end().value());
  }
}

bool StreamSession::AtBoundary(const std::atomic<bool>& stop) {
  const auto& options = ctx_.options;
  if (batch_ && (batch_->raw_bytes() >= options.max_batch_bytes ||
                 Clock::now() - batch_opened_ >= options.max_interval)) {
    CommitBatch();
  }
  Budget();
  if (spine_.confirmed() != caught_up_checked_) {
    caught_up_checked_ = spine_.confirmed();
    copies_.MarkCaughtUp(spine_.confirmed());
  }
  // A chunk that staged no rows (the end of a range) has nothing to wait for.
  if (!batch_ && copies_.HasPendingProgress()) copies_.ApplyProgress(spine_.confirmed());
  spine_.Idle(spool_.empty());
  ctx_.progress.flushed_lsn = spine_.confirmed().value();
  if (!ctx_.once_target && !spine_.paused() && Clock::now() - last_data_ > std::chrono::seconds(60) &&
      Clock::now() - last_heartbeat_ > std::chrono::seconds(60)) {
    // Idle for a minute: write a tiny WAL record in this database, so even
    // a server whose keepalives stall (nothing decodable to pass) lets the
    // slot's position move. Best effort: a refusal only means no heartbeat.
    last_heartbeat_ = Clock::now();
    try {
      ctx_.catalog.Exec("SELECT pg_logical_emit_message(false, 'wharf.heartbeat', '')");
    } catch (const Error& e) {
      spdlog::debug("capture {}: heartbeat refused: {}", ctx_.source.name, e.message());
    }
  }
  if (Clock::now() - last_schema_poll_ >=
      (ctx_.once_target ? std::chrono::milliseconds(200) : std::chrono::seconds(2))) {
    schemas_.Poll(ctx_.catalog, WatchedOids(), ctx_.types);
    last_schema_poll_ = Clock::now();
  }
  // With no batch open, everything recorded as staged is durable.
  if (!batch_) schemas_.Persist();
  // Nothing is open here, so the stream has staged every transaction below its position.
  if (schemas_.HasPending() && spool_.empty()) {
    for (auto& [schema, at] : schemas_.Due(std::max(spine_.wal_end(), spine_.confirmed()))) {
      if (!batch_) OpenBatch();
      batch_->AddSchema(schema);
      schemas_.Staged(schema, at);
    }
  }
  if (Clock::now() - last_discover_ >= (ctx_.once_target ? std::chrono::seconds(1) : std::chrono::seconds(10))) {
    copies_.Discover();
    last_discover_ = Clock::now();
  }
  // --once also waits for tables being copied, so it leaves nothing half copied.
  bool caught_up = spine_.OnceDone(ctx_.once_target, copies_.Idle(), schemas_.HasPending());
  if (!stop && !caught_up) return false;
  CommitBatch();
  SendStatus(false);
  spdlog::info("capture {}: {} at {}", ctx_.source.name, caught_up ? "caught up" : "stopped",
               spine_.confirmed().ToString());
  return true;
}

void StreamSession::Budget() {
  auto& budget = ctx_.budget;
  // Near the budget the open batch is committed early, so its stored
  // (compressed) size counts rather than its raw size.
  if (batch_ && budget.Over(batch_->raw_bytes())) CommitBatch();
  auto since_refresh = Clock::now() - last_budget_refresh_;
  if ((budget.Over() && since_refresh >= std::chrono::milliseconds(spine_.paused() ? 500 : 0)) ||
      since_refresh >= std::chrono::seconds(10)) {
    budget.Refresh();  // how far the loader got (its applied mark)
    last_budget_refresh_ = Clock::now();
    ctx_.progress.pending_bytes = budget.pending().bytes();
  }
  auto pause = spine_.Budget(budget.Over());
  if (pause == Spine::PauseChange::kPaused) {
    paused_since_ = Clock::now();
    ctx_.progress.paused = true;
    spdlog::warn(
        "capture {}: paused: {} staged batch(es) ({} bytes) are not applied to the warehouse, "
        "reaching staging.max_pending_bytes ({} bytes). No further WAL is confirmed; "
        "PostgreSQL keeps it for slot {}. Start or repair the loader (`wharf load`, or the "
        "warehouse `wharf run` loads into), or raise staging.max_pending_bytes; capture "
        "resumes by itself once the warehouse catches up",
        ctx_.source.name, budget.pending().count(), budget.pending().bytes(), budget.max_bytes(), ctx_.source.slot);
  } else if (pause == Spine::PauseChange::kResumed) {
    ctx_.progress.paused = false;
    spdlog::info("capture {}: resumed after {} s paused; {} bytes pending", ctx_.source.name,
                 std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - paused_since_).count(),
                 budget.pending().bytes());
  }
}

void StreamSession::StatusIfDue() {
  if (!status_due_ && Clock::now() - last_status_ < std::chrono::seconds(1)) return;
  // Ask for a keepalive (which reports the server's WAL end) when idle: at
  // once in --once mode, every few seconds otherwise, so an idle slot's
  // confirmed position keeps up with WAL written elsewhere.
  auto idle = Clock::now() - last_data_;
  bool want_reply = ctx_.once_target ? idle > std::chrono::milliseconds(50)
                                     : Clock::now() - last_reply_request_ > std::chrono::seconds(5);
  if (want_reply) last_reply_request_ = Clock::now();
  SendStatus(want_reply);
}

void StreamSession::SendStatus(bool reply) {
  ctx_.repl.SendStatus(spine_.confirmed(), spine_.confirmed(), reply);
  last_status_ = Clock::now();
  status_due_ = false;
}

void StreamSession::OnData(const Message& msg) {
  spine_.OnMessage(msg, spool_.empty());
  const bool skip_txn = spine_.skipping();
  if (auto* b = std::get_if<BeginMsg>(&msg)) {
    change_.lsn = b->final_lsn;
    change_.xid = b->xid;
    change_.ts = b->commit_ts;
    txn_seq_ = 0;
  } else if (auto* r = std::get_if<RelationMsg>(&msg)) {
    const auto& schema = relations_.Update(*r, schemas_.Known(r->oid));
    // A streamed transaction commits later, after any catalog read made now.
    if (!skip_txn) schemas_.Staged(schema, in_stream_ ? Lsn(~uint64_t{0} >> 1) : change_.lsn);
  } else if (auto* ss = std::get_if<StreamStartMsg>(&msg)) {
    in_stream_ = true;
    stream_top_ = ss->xid;
  } else if (std::holds_alternative<StreamStopMsg>(msg)) {
    in_stream_ = false;
  } else if (auto* sc = std::get_if<StreamCommitMsg>(&msg)) {
    OnStreamCommit(*sc);
  } else if (auto* lm = std::get_if<LogicalMessageMsg>(&msg)) {
    if (!skip_txn && !in_stream_) OnLogicalMessage(*lm);  // watermarks are small: never streamed
  } else if (auto* sa = std::get_if<StreamAbortMsg>(&msg)) {
    // An abort of the top-level transaction drops it all; of a
    // subtransaction (ROLLBACK TO SAVEPOINT), only that subtransaction's rows.
    if (sa->subxid == sa->xid) spool_.Abort(sa->xid);
    else spool_.AbortSubtransaction(sa->xid, sa->subxid);
  } else if (in_stream_) {
    // A change of an in-progress streamed transaction: spool it under its
    // top-level xid, tagged with the (sub)transaction that made it.
    BuildChange(msg, relations_, change_, [&](const core::RelationSchema& s, uint32_t subxid) {
      spool_.Append(stream_top_, subxid ? subxid : stream_top_, s, change_);
    });
  } else if (!skip_txn) {
    BuildChange(msg, relations_, change_, [&](const core::RelationSchema& s, uint32_t) { Stage(s, change_); });
  }
}

void StreamSession::OnStreamCommit(const StreamCommitMsg& sc) {
  spine_.OnKeepalive(sc.end_lsn);
  if (!spine_.StageStreamed(sc.commit_lsn)) {
    spool_.Abort(sc.xid);
    return;
  }
  // The whole transaction goes into one batch, in commit order.
  txn_seq_ = 0;
  spool_.Replay(sc.xid, [&](const core::RelationSchema& schema, core::Change& spooled) {
    spooled.lsn = sc.commit_lsn;
    spooled.ts = sc.commit_ts;
    spooled.xid = sc.xid;
    Stage(schema, spooled);
  });
  spine_.StreamCommitted(sc.commit_lsn, sc.end_lsn, spool_.empty());
}

void StreamSession::OnLogicalMessage(const LogicalMessageMsg& lm) {
  auto ev = copies_.tracker().OnMessage(lm.prefix, lm.content);
  if (ev.kind == snapshot::WatermarkTracker::Event::Kind::kLow && ev.chunk->truncate_first) {
    // Empty the warehouse table at L: what follows rebuilds it.
    core::Change t;
    t.op = core::Op::kTruncate;
    t.lsn = change_.lsn;
    t.xid = change_.xid;
    t.ts = change_.ts;
    staging_own_truncate_ = true;
    Stage(ev.chunk->schema, t);
    staging_own_truncate_ = false;
    copies_.TruncateStaged(ev.chunk->table);
  } else if (ev.kind == snapshot::WatermarkTracker::Event::Kind::kHigh) {
    auto& chunk = *ev.chunk;
    if (!chunk.void_chunk) {
      core::Change r;
      r.op = core::Op::kSnapshot;
      r.lsn = change_.lsn;
      r.xid = change_.xid;
      r.ts = change_.ts;
      for (auto& row : chunk.rows) {
        r.row = std::move(row);
        Stage(chunk.schema, r);
      }
      copies_.ChunkStaged(chunk);
    }
    copies_.chunks().Consumed(chunk.id);
  }
}

void StreamSession::OpenBatch() {
  batch_ = std::make_unique<staging::BatchWriter>(ctx_.store, ctx_.source.name, next_seq_++, ctx_.options.batch);
  batch_opened_ = Clock::now();
  spine_.BatchOpened();
}

void StreamSession::CommitBatch() {
  if (!batch_) return;
  batch_->SetCopying(copies_.TakeCopying());
  auto m = batch_->Commit(spine_.batch_first(), spine_.batch_last(), spine_.batch_end(), spine_.batch_txns());
  batch_.reset();
  schemas_.Persist();
  spine_.BatchDurable(m.end_lsn);
  ctx_.progress.flushed_lsn = spine_.confirmed().value();
  ctx_.progress.batches++;
  ctx_.budget.Staged(m);
  ctx_.progress.pending_bytes = ctx_.budget.pending().bytes();
  spdlog::debug("capture {}: batch {} staged ({} txns, end {})", ctx_.source.name, m.seq, m.transactions,
                m.end_lsn.ToString());
  ctx_.on_batch(m);
  SendStatus(false);
  core::FaultPoint("capture.after_confirm");
  copies_.ApplyProgress(m.end_lsn);
  copies_.MarkCaughtUp(spine_.confirmed());
}

void StreamSession::Stage(const core::RelationSchema& schema, core::Change& c) {
  if (!batch_) OpenBatch();
  spine_.Staged(c.lsn);
  c.seq = txn_seq_++;
  batch_->Add(schema, c);
  if (!staging_own_truncate_) copies_.tracker().OnChange(schema, c);
  core::FaultPoint("capture.mid_transaction");
  ctx_.progress.changes++;
}

std::vector<uint32_t> StreamSession::WatchedOids() const {
  // The selected tables, and any relation the stream described (tables added since).
  std::set<uint32_t> oids = schemas_.KnownOids();
  for (const auto& t : tables_) oids.insert(t.oid);
  return {oids.begin(), oids.end()};
}

}  // namespace wharf::capture
