#pragma once
// Retention of applied batches (`staging.retention`): a batch is deleted once
// the warehouse has durably applied it and it is older than the retention
// time; `forever` keeps everything (what `wharf replay` needs).
//
// Order, so that a crash at any point leaves a store restart recovery and the
// loader accept: the watermark (ledger's retained.json) is written first,
// naming the batches about to go; then each batch's data files, then its
// manifest. A crash mid-way leaves, at worst, manifests at or below the
// watermark whose files are partly gone: nothing reads them (the loader is
// past them, replay refuses below the watermark) and the next pass finishes
// deleting them. Batches are deleted only from the front, so what is kept is
// always one unbroken run of seqs.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "staging/object_store.hpp"

namespace wharf::staging {

// nullopt: keep forever.
using RetentionTime = std::optional<std::chrono::milliseconds>;

// Pure: how many of the batches created at `created_at` (consecutive seqs,
// oldest first, all applied) retention deletes at `now` (unix micros): the
// longest prefix of batches at least `keep` old.
size_t ExpiredPrefix(const std::vector<int64_t>& created_at, int64_t now, RetentionTime keep);

struct PruneResult {
  size_t deleted = 0;       // batches deleted by this pass
  uint64_t first_kept = 1;  // the oldest batch still staged
};

// Deletes the batches of `source` at or below `applied_seq` whose retention
// has passed (at most `max_batches` per call, so one pass stays short), and
// finishes a pass a crash interrupted.
PruneResult PruneApplied(ObjectStore& store, const std::string& source, uint64_t applied_seq,
                         RetentionTime keep, int64_t now, size_t max_batches = 1000);

}  // namespace wharf::staging
