#include "capture/backpressure.hpp"
#include <algorithm>

#include "staging/ledger.hpp"

namespace wharf::capture {

void PendingBatches::Add(uint64_t seq, uint64_t bytes) {
  if (seq <= applied_) return;  // applied before capture heard of it (a fast loader)
  batches_.emplace_back(seq, bytes);
  bytes_ += bytes;
}

void PendingBatches::AppliedThrough(uint64_t seq) {
  applied_ = std::max(applied_, seq);
  while (!batches_.empty() && batches_.front().first <= applied_) {
    bytes_ -= batches_.front().second;
    batches_.pop_front();
  }
}

void DiskBudget::Load() {
  pending_ = PendingBatches();
  uint64_t applied = staging::LoadAppliedMark(store_, source_).seq;
  pending_.AppliedThrough(applied);
  for (auto [seq, bytes] : staging::StagedBytesAbove(store_, source_, applied)) pending_.Add(seq, bytes);
}

void DiskBudget::Staged(const staging::Manifest& m) {
  uint64_t bytes = 0;
  for (const auto& f : m.files) bytes += f.bytes;
  pending_.Add(m.seq, bytes);
}

void DiskBudget::Refresh() { pending_.AppliedThrough(staging::LoadAppliedMark(store_, source_).seq); }

}  // namespace wharf::capture
