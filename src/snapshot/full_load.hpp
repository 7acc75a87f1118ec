#pragma once
// The first full load: every selected table copied inside the snapshot the
// slot exported, by several connections at once (tables in parallel, large
// tables split into key ranges), in key order and in pages so that progress
// is saved after every staged batch and a crash resumes after the last
// staged key. Rows are staged as op R with the slot's consistent point.
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/relation.hpp"
#include "snapshot/batch_sequencer.hpp"
#include "staging/batch_writer.hpp"
#include "staging/state_store.hpp"

namespace wharf::snapshot {

struct FullLoadOptions {
  staging::BatchOptions batch;
  uint64_t max_batch_bytes = 64ull << 20;
  size_t workers = 2;
  uint64_t page_rows = 100000;           // rows per keyset page
  uint64_t min_rows_per_range = 250000;  // split tables larger than this into ranges
};

// Shared, thread-safe view of the capture state while tables copy: the
// workers record progress, the owner saves it after each manifest.
class SyncBoard {
 public:
  SyncBoard(staging::CaptureState state, staging::StateStore& store)
      : state_(std::move(state)), store_(store) {}
  // Runs `fn` on the state under the lock, then saves it.
  void Update(const std::function<void(staging::CaptureState&)>& fn);
  staging::CaptureState Snapshot();

 private:
  std::mutex mu_;
  staging::CaptureState state_;
  staging::StateStore& store_;
};

struct FullLoadResult {
  uint64_t rows = 0;
  uint64_t last_seq = 0;
};

// Copies every table of `board` not yet ready under `snapshot_name`.
// `on_batch` runs after each manifest is durable. Throws on the first failure
// after stopping the other workers; what was staged stays staged.
FullLoadResult CopyUnderSnapshot(const core::SourceConfig& source,
                                 const std::vector<core::RelationSchema>& tables,
                                 const std::string& snapshot_name, Lsn snapshot_lsn,
                                 staging::ObjectStore& store, uint64_t next_seq,
                                 const FullLoadOptions& options, SyncBoard& board,
                                 const std::atomic<bool>& stop,
                                 const std::function<void(const staging::Manifest&)>& on_batch);

}  // namespace wharf::snapshot
