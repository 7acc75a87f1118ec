#pragma once
// Capture of one source: checks, slot and first full load on start, then the
// replication stream staged as batches of whole committed transactions
// (capture/stream_session.hpp), reconnecting with backoff when it breaks.
// The LSN invariants (DESIGN.md "The exactly-once spine") are kept by
// capture/spine.hpp.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "core/config.hpp"
#include "staging/batch_writer.hpp"
#include "snapshot/full_load.hpp"
#include "staging/object_store.hpp"

namespace wharf::capture {

struct CaptureOptions {
  staging::BatchOptions batch;
  uint64_t max_batch_bytes = 64ull << 20;
  std::chrono::milliseconds max_interval{1000};
  // Stop once everything committed before start is staged.
  bool once = false;
  // Local directory for in-progress streamed transactions; empty: a folder in
  // the system's temporary directory.
  std::string spool_dir;
  // Connections copying tables in parallel during the first full load.
  size_t copy_workers = 2;
  uint64_t full_load_batch_bytes = 256ull << 20;  // batches of the first full load
  // Back-pressure: pause while staged-but-unapplied batches take this many
  // bytes (0: no limit). See capture/backpressure.hpp.
  uint64_t max_pending_bytes = 0;
};

struct CaptureProgress {
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> changes{0};
  std::atomic<uint64_t> flushed_lsn{0};
  std::atomic<uint64_t> server_wal_end{0};
  std::atomic<bool> paused{false};          // waiting for the warehouse (disk budget)
  std::atomic<uint64_t> pending_bytes{0};   // staged bytes the warehouse has not applied
};

class Capture {
 public:
  using BatchCallback = std::function<void(const staging::Manifest&)>;
  // `store` must outlive the capture. `on_batch` runs on the capture thread
  // after each manifest is durable.
  Capture(core::SourceConfig source, staging::ObjectStore& store, CaptureOptions options,
          BatchCallback on_batch);
  ~Capture();

  // One connection lifetime: runs until `stop` is set (the open transaction
  // and batch are finished first) or, with options.once, until caught up,
  // and returns true; throws when the connection drops or anything fails.
  // The caller decides what to retry (pipeline::RetryPolicy) and calls it again.
  bool RunConnection(const std::atomic<bool>& stop);

  const CaptureProgress& progress() const { return progress_; }

 private:

  core::SourceConfig source_;
  staging::ObjectStore& store_;
  CaptureOptions options_;
  BatchCallback on_batch_;
  CaptureProgress progress_;
  // --once: the WAL position to reach, fixed at the first start so a reconnect
  // does not move the goal.
  std::optional<Lsn> once_target_;
  // Table sync states of the current session; saved to the staging store.
  std::unique_ptr<snapshot::SyncBoard> board_;
};

}  // namespace wharf::capture
