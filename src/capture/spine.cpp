#include "capture/spine.hpp"

#include <algorithm>
#include <type_traits>

namespace wharf::capture {

Spine::Spine(const Start& start)
    : skip_through_(start.skip_through), confirmed_(std::max(start.start, start.staged_end)) {}

void Spine::SeeWal(Lsn lsn) { wal_end_ = std::max(wal_end_, lsn); }

void Spine::OnMessage(const Message& msg, bool spool_empty) {
  if (const auto* b = std::get_if<BeginMsg>(&msg)) {
    in_txn_ = true;
    skipping_ = b->final_lsn <= skip_through_;
    txn_rows_ = 0;
  } else if (const auto* c = std::get_if<CommitMsg>(&msg)) {
    in_txn_ = false;
    SeeWal(c->end_lsn);
    if (!skipping_) Committed(c->commit_lsn, c->end_lsn, spool_empty);
    skipping_ = false;
  }
}

void Spine::OnKeepalive(Lsn wal_end) { SeeWal(wal_end); }

bool Spine::StageStreamed(Lsn commit_lsn) {
  if (commit_lsn <= skip_through_) return false;
  txn_rows_ = 0;
  return true;
}

void Spine::StreamCommitted(Lsn commit_lsn, Lsn end_lsn, bool spool_empty) {
  SeeWal(end_lsn);
  Committed(commit_lsn, end_lsn, spool_empty);
}

void Spine::Committed(Lsn commit_lsn, Lsn end_lsn, bool spool_empty) {
  if (batch_open_ && txn_rows_ > 0) {
    batch_last_ = commit_lsn;
    batch_end_ = end_lsn;
    ++batch_txns_;
  } else if (!batch_open_ && spool_empty) {
    // Nothing of it to stage and nothing before it unstaged.
    confirmed_ = std::max(confirmed_, end_lsn);
  }
  txn_rows_ = 0;
}

void Spine::BatchOpened() {
  batch_open_ = true;
  // A batch holding only schemas holds no transaction: no commit LSNs, and it
  // ends at the position already confirmed (like a snapshot batch).
  batch_first_ = batch_last_ = Lsn();
  batch_end_ = confirmed_;
  batch_txns_ = 0;
}

void Spine::Staged(Lsn commit_lsn) {
  if (!batch_first_.IsValid()) batch_first_ = commit_lsn;
  ++txn_rows_;
}

void Spine::BatchDurable(Lsn end_lsn) {
  batch_open_ = false;
  confirmed_ = std::max(confirmed_, end_lsn);
}

void Spine::Idle(bool spool_empty) {
  if (!in_txn_ && !batch_open_ && spool_empty) confirmed_ = std::max(confirmed_, wal_end_);
}

Spine::PauseChange Spine::Budget(bool over_budget) {
  if (over_budget && !paused_) {
    paused_ = true;
    return PauseChange::kPaused;
  }
  if (paused_ && !over_budget) {
    paused_ = false;
    return PauseChange::kResumed;
  }
  return PauseChange::kNone;
}

bool Spine::OnceDone(std::optional<Lsn> target, bool copies_idle, bool schemas_pending) const {
  return target && !in_txn_ && wal_end_ >= *target && copies_idle && !schemas_pending;
}

}  // namespace wharf::capture
