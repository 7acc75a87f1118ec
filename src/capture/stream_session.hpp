#pragma once
// One streaming session of a source's capture, after start-up (checks, slot,
// first full load, START_REPLICATION): the I/O around the pure parts. Each
// turn it does the housekeeping due at a transaction boundary (close the
// batch, back-pressure, idle confirmation, schema polls, table discovery,
// --once's end), keeps standby status updates flowing, then receives one
// message and routes it: positions to the Spine (capture/spine.hpp), row
// changes through BuildChange into the open batch, streamed transactions to
// the spool, watermarks to the copies' tracker.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "capture/backpressure.hpp"
#include "capture/capture.hpp"
#include "capture/pgoutput_decoder.hpp"
#include "capture/relation_cache.hpp"
#include "capture/schema_watch.hpp"
#include "capture/spine.hpp"
#include "capture/spool.hpp"
#include "capture/table_copies.hpp"
#include "pg/catalog.hpp"
#include "pg/replication.hpp"
#include "staging/batch_writer.hpp"
#include "staging/state_store.hpp"

namespace wharf::capture {

class StreamSession {
 public:
  // What the session uses and does not own; all must outlive it.
  struct Context {
    const core::SourceConfig& source;
    staging::ObjectStore& store;
    const CaptureOptions& options;
    CaptureProgress& progress;
    const Capture::BatchCallback& on_batch;
    pg::Connection& catalog;
    pg::ReplicationConnection& repl;
    snapshot::SyncBoard& board;
    staging::StateStore& states;
    DiskBudget& budget;
    pg::TypeResolver& types;
    std::optional<Lsn> once_target;
  };
  StreamSession(Context ctx, int protocol, std::vector<pg::TableInfo> tables, const Spine::Start& start,
                uint64_t next_seq);

  // Until stopped (the open transaction and batch are finished first) or,
  // for --once, caught up: true. Throws kConnection when the stream breaks.
  bool Run(const std::atomic<bool>& stop);

 private:
  using Clock = std::chrono::steady_clock;
  // Housekeeping at a transaction boundary; true when the session is done.
  bool AtBoundary(const std::atomic<bool>& stop);
  void Budget();
  void StatusIfDue();
  void SendStatus(bool reply);
  void OnData(const Message& msg);
  void OnStreamCommit(const StreamCommitMsg& sc);
  void OnLogicalMessage(const LogicalMessageMsg& lm);
  void OpenBatch();
  void CommitBatch();
  void Stage(const core::RelationSchema& schema, core::Change& c);
  std::vector<uint32_t> WatchedOids() const;

  Context ctx_;
  std::vector<pg::TableInfo> tables_;  // selected at start
  PgOutputDecoder decoder_;
  TransactionSpool spool_;
  RelationCache relations_;
  SchemaWatch schemas_;  // schema changes no row change follows (capture/schema_watch.hpp)
  TableCopies copies_;   // tables copied while the stream runs
  Spine spine_;          // positions, skips, --once and pauses
  uint64_t next_seq_;    // of the next batch

  bool in_stream_ = false;      // between Stream Start and Stream Stop
  uint32_t stream_top_ = 0;     // the streamed transaction's top-level xid
  core::Change change_;         // being built, with its transaction's commit LSN, xid and time
  uint32_t txn_seq_ = 0;        // order of the next change in its transaction
  bool staging_own_truncate_ = false;  // staging a copy's T: not a change inside its window

  std::unique_ptr<staging::BatchWriter> batch_;  // the open batch
  Clock::time_point batch_opened_{};

  Clock::time_point last_status_ = Clock::now();
  Clock::time_point last_data_ = Clock::now();
  Clock::time_point last_reply_request_ = Clock::now();
  bool status_due_ = false;
  Clock::time_point last_schema_poll_ = Clock::now() - std::chrono::hours(1);
  Clock::time_point last_discover_ = Clock::now();
  Clock::time_point last_heartbeat_ = Clock::now();
  Clock::time_point last_budget_refresh_ = Clock::now();
  Clock::time_point paused_since_ = Clock::now();
  Clock::time_point stop_deadline_ = Clock::time_point::max();
  Lsn caught_up_checked_;  // confirmed position MarkCaughtUp last looked at
};

}  // namespace wharf::capture
