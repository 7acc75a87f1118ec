#pragma once
// Capture-side state of one source (DESIGN.md: in the staging store, so
// `wharf capture` needs no warehouse): the slot, and each table's sync state
// in the spirit of PostgreSQL's tablesync: init -> copying -> catchup -> ready,
// or errored with a reason.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/lsn.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

enum class SyncPhase { kInit, kCopying, kCatchup, kReady, kErrored };
const char* SyncPhaseName(SyncPhase p);
std::optional<SyncPhase> ParseSyncPhase(const std::string& s);

// A slice of a table's primary-key space, copied in key order. Invariant:
// every row with a key in (start, after] is staged in a committed batch; the
// range is done when every key up to `upto` is.
struct KeyRange {
  std::vector<std::string> after;  // exclusive lower bound (key texts); empty: from the start
  std::vector<std::string> upto;   // inclusive upper bound; empty: to the end
  bool done = false;
  uint64_t rows = 0;
};

struct TableSync {
  std::string table;  // schema.table on the source
  SyncPhase phase = SyncPhase::kInit;
  std::vector<KeyRange> ranges;
  uint64_t rows_copied = 0;
  uint64_t bytes_copied = 0;
  uint64_t estimated_rows = 0;  // pg_class.reltuples when the copy started
  int64_t started_at = 0;       // unix micros
  int64_t finished_at = 0;
  // Copy mode: "snapshot" (the slot's exported snapshot) or "watermark"
  // (chunks between watermarks in the live stream).
  std::string method = "snapshot";
  // The stream position after which the table's staged data is complete.
  Lsn catchup_lsn;
  // Empty the warehouse table before the first copied rows (added later, resync).
  bool truncate_first = false;
  std::string error;
  // Leaf partitions of a partitioned table, as last seen: a partition attached
  // with rows (which the stream never carries) triggers a copy of the table.
  std::vector<std::string> partitions;
};

// A table the globs select that cannot be replicated yet (no usable replica
// identity): kept out of the publication, so PostgreSQL never refuses the
// application's UPDATEs on it, and picked up with a fresh copy once fixed.
struct HeldTable {
  std::string table;   // schema.table on the source
  std::string reason;  // what is wrong and the fix
  bool operator==(const HeldTable&) const = default;
};

struct CaptureState {
  std::string slot;
  // Invariant: once set, the slot exists (or existed) with this consistent
  // point and streaming starts at or after it.
  Lsn consistent_point;
  std::vector<TableSync> tables;
  std::vector<HeldTable> held;

  TableSync* Find(const std::string& table);
  bool AllReady() const;
};

class StateStore {
 public:
  // `store` must outlive this object.
  StateStore(ObjectStore& store, std::string source) : store_(store), source_(std::move(source)) {}
  std::optional<CaptureState> Load();
  void Save(const CaptureState& state);
  void Clear();

  // Resync requests (`wharf resync --table T`), picked up by a running capture.
  void RequestResync(const std::string& table);
  std::vector<std::string> PendingResyncs();
  void ClearResync(const std::string& table);

 private:
  ObjectStore& store_;
  std::string source_;
};

}  // namespace wharf::staging
