#pragma once
// The LSN spine of one capture session (DESIGN.md "The exactly-once spine"),
// as a pure state machine: fed with the decoded stream (Begin, Commit, Stream
// Commit, keepalives), the batch writer's events (a change staged, a batch
// opened or made durable) and ticks at transaction boundaries, it keeps the
// positions and answers what the I/O loop around it must do. No I/O, no
// clock: unit-tested over pgoutput byte buffers like the decoder.
//
// Positions, each only ever moving forward:
//   confirmed  what standby status updates report as flushed: the end LSN of
//              the last durable batch, or (when nothing received is
//              unstaged) the server's WAL end, so an idle slot pins no WAL.
//              Confirming a commit's end LSN means PostgreSQL never sends
//              that transaction again; every transaction at or below it is
//              in a durable batch, or staged nothing.
//   wal_end    the furthest WAL position the server said it has sent.
// Rules:
//   - A transaction whose commit LSN is at or below `skip_through` (the last
//     one a previous session staged) is dropped: it is already staged.
//   - A committed transaction that staged rows joins the open batch (its
//     last commit and end LSN); one that staged nothing, with no batch open
//     and nothing spooled, moves `confirmed` to its end at once.
//   - `confirmed` moves to a batch's end when the batch is durable, never
//     before.
//   - --once is done when no transaction is open, the server's WAL end has
//     reached the target, and nothing else (copies, schema changes) waits.
//   - Back-pressure: over the disk budget at a transaction boundary, the open
//     batch is committed and capture pauses (no Receive; status updates go
//     on); it resumes once under the budget.
#include <cstdint>
#include <optional>

#include "capture/pgoutput_messages.hpp"
#include "core/lsn.hpp"

namespace wharf::capture {

class Spine {
 public:
  struct Start {
    Lsn start;         // where the stream starts
    Lsn staged_end;    // end LSN of the last staged batch
    Lsn skip_through;  // commit LSN of the last staged transaction
  };
  explicit Spine(const Start& start);

  // --- the stream -----------------------------------------------------
  // Begin and Commit move the spine; other messages are ignored.
  // `spool_empty`: no streamed transaction is spooled, waiting for its commit.
  void OnMessage(const Message& msg, bool spool_empty);
  void OnKeepalive(Lsn wal_end);
  // A streamed transaction committed: false when a previous session staged
  // it (drop its spool); else its changes are replayed (OnStaged each), then
  // StreamCommitted.
  bool StageStreamed(Lsn commit_lsn);
  void StreamCommitted(Lsn commit_lsn, Lsn end_lsn, bool spool_empty);

  // --- the batch writer -------------------------------------------------
  void BatchOpened();
  // A change went into the open batch (its transaction's commit LSN).
  void Staged(Lsn commit_lsn);
  // The open batch is durable; its manifest's end LSN.
  void BatchDurable(Lsn end_lsn);

  // --- ticks at a transaction boundary -----------------------------------
  // Nothing received is unstaged (no batch open, spool empty): confirm up to
  // the server's WAL end.
  void Idle(bool spool_empty);
  enum class PauseChange { kNone, kPaused, kResumed };
  PauseChange Budget(bool over_budget);
  // Whether --once has all it was started for.
  bool OnceDone(std::optional<Lsn> target, bool copies_idle, bool schemas_pending) const;

  // --- what the loop reads -------------------------------------------------
  Lsn confirmed() const { return confirmed_; }
  Lsn wal_end() const { return wal_end_; }
  bool in_txn() const { return in_txn_; }
  bool skipping() const { return skipping_; }  // the open transaction is dropped
  bool paused() const { return paused_; }
  bool batch_open() const { return batch_open_; }
  // The open batch's first and last commit LSN, end LSN and transactions,
  // for its manifest (first/last invalid while it holds only schemas).
  Lsn batch_first() const { return batch_first_; }
  Lsn batch_last() const { return batch_last_; }
  Lsn batch_end() const { return batch_end_; }
  uint64_t batch_txns() const { return batch_txns_; }

 private:
  void Committed(Lsn commit_lsn, Lsn end_lsn, bool spool_empty);
  void SeeWal(Lsn lsn);

  const Lsn skip_through_;
  Lsn confirmed_;   // forward only (see above)
  Lsn wal_end_;     // forward only
  bool in_txn_ = false;
  bool skipping_ = false;
  uint64_t txn_rows_ = 0;  // staged by the transaction being received
  bool paused_ = false;
  bool batch_open_ = false;
  Lsn batch_first_, batch_last_, batch_end_;
  uint64_t batch_txns_ = 0;
};

}  // namespace wharf::capture
