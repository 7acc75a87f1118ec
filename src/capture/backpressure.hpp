#pragma once
// Capture's disk budget (`staging.max_pending_bytes`): the bytes of staged
// files of batches the warehouse has not applied yet. Capture learns how far
// the warehouse is from the loader's applied mark in the staging store
// (staging/ledger.hpp), so the budget holds whether the loader runs in the
// same `wharf run` or as a separate `wharf load` — or not at all.
#include <cstdint>
#include <deque>
#include <string>
#include <utility>

#include "staging/manifest.hpp"
#include "staging/object_store.hpp"

namespace wharf::capture {

// Pure bookkeeping of pending batches.
class PendingBatches {
 public:
  void Add(uint64_t seq, uint64_t bytes);
  // The warehouse applied every batch up to `seq`.
  void AppliedThrough(uint64_t seq);
  uint64_t bytes() const { return bytes_; }
  size_t count() const { return batches_.size(); }
  uint64_t applied() const { return applied_; }

 private:
  std::deque<std::pair<uint64_t, uint64_t>> batches_;  // (seq, bytes), ascending seq
  uint64_t bytes_ = 0;  // invariant: the sum of batches_' bytes
  uint64_t applied_ = 0;
};

class DiskBudget {
 public:
  // `store` must outlive the budget. max_bytes 0: no limit.
  DiskBudget(staging::ObjectStore& store, std::string source, uint64_t max_bytes)
      : store_(store), source_(std::move(source)), max_bytes_(max_bytes) {}

  // Reads the applied mark and the manifests above it (at each session start).
  void Load();
  // A batch just committed.
  void Staged(const staging::Manifest& m);
  // Re-reads the applied mark.
  void Refresh();
  // `open_bytes`: what the open batch holds so far (capture commits it early
  // when this says over, so it stops near the budget, not a batch past it).
  bool Over(uint64_t open_bytes = 0) const { return max_bytes_ && pending_.bytes() + open_bytes >= max_bytes_; }
  const PendingBatches& pending() const { return pending_; }
  uint64_t max_bytes() const { return max_bytes_; }

 private:
  staging::ObjectStore& store_;
  std::string source_;
  uint64_t max_bytes_;
  PendingBatches pending_;
};

}  // namespace wharf::capture
