#pragma once
// Tables copied while the stream runs: the rest of an interrupted first load,
// tables that start matching the selection or are added to the publication by
// hand, partitions attached with rows, and `wharf resync` requests. Owns the
// watermark copier and tracker (snapshot/watermark.hpp) and turns what capture
// staged for them into table sync state once it is durable.
#include <set>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "pg/catalog.hpp"
#include "snapshot/full_load.hpp"
#include "snapshot/watermark.hpp"
#include "staging/state_store.hpp"

namespace wharf::capture {

class TableCopies {
 public:
  // Every reference must outlive this object; `catalog` is only used from the
  // capture thread.
  TableCopies(const core::SourceConfig& source, pg::Connection& catalog, snapshot::SyncBoard& board,
              staging::StateStore& states, std::vector<pg::TableInfo> tables);

  // Picks up new tables, attached partitions, resync requests and copier
  // errors, and queues the copies they need.
  void Discover();
  // Tables copied at any time since the last call (Manifest::copying).
  std::vector<std::string> TakeCopying();
  // Selected tables that cannot be replicated yet: kept in the state (for
  // wharf status and the loader's _wharf.table_errors), each logged once.
  void RecordHeld(const std::vector<staging::HeldTable>& held);
  snapshot::WatermarkTracker& tracker() { return tracker_; }
  snapshot::ChunkBoard& chunks() { return chunks_; }

  // Capture staged a chunk's rows (at H) or a table's op T (at its first L).
  void ChunkStaged(const snapshot::Chunk& chunk);
  void TruncateStaged(const std::string& table) { pending_untruncate_.insert(table); }
  bool HasPendingProgress() const { return !pending_progress_.empty() || !pending_untruncate_.empty(); }
  // What was staged is durable up to `durable_end`: record it in the state.
  void ApplyProgress(Lsn durable_end);
  // Tables of the first load are ready once the stream is past their LSN.
  void MarkCaughtUp(Lsn flushed);
  // No table is queued or being copied.
  bool Idle() const { return copying_.empty(); }

 private:
  struct Progress {
    std::string table;
    size_t range;
    std::vector<std::string> last_key;
    bool range_done;
    uint64_t rows;
  };
  std::optional<pg::TableInfo> TableInfoOf(const std::string& name) const;
  void ScheduleCopies();

  const core::SourceConfig& source_;
  pg::Connection& catalog_;
  snapshot::SyncBoard& board_;
  staging::StateStore& states_;
  std::vector<pg::TableInfo> tables_;
  pg::TypeResolver types_;
  snapshot::ChunkBoard chunks_;
  snapshot::WatermarkTracker tracker_{chunks_};
  std::set<std::string> copying_;             // tables queued or being copied
  std::set<std::string> copied_since_batch_;  // left copying_ since the last TakeCopying
  std::vector<Progress> pending_progress_;    // staged, not yet durable
  std::set<std::string> pending_untruncate_;  // their op T staged, not yet durable
  snapshot::WatermarkCopier copier_;          // last: its thread stops first
};

}  // namespace wharf::capture
