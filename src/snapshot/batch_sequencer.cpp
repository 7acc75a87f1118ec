#include "snapshot/batch_sequencer.hpp"

#include "core/error.hpp"

namespace wharf::snapshot {

uint64_t BatchSequencer::Reserve() {
  std::lock_guard lock(mu_);
  return next_++;
}

void BatchSequencer::CommitInOrder(uint64_t seq, const std::function<void()>& commit) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return failed_ || committed_ + 1 == seq; });
  if (failed_) wharf::Fail(ErrorKind::kInternal, "batch {} abandoned: another copy worker failed", seq);
  // Manifests are written under the lock: the next seq waits for this one.
  commit();
  committed_ = seq;
  cv_.notify_all();
}

void BatchSequencer::Fail() {
  std::lock_guard lock(mu_);
  failed_ = true;
  cv_.notify_all();
}

uint64_t BatchSequencer::last_committed() {
  std::lock_guard lock(mu_);
  return committed_;
}

}  // namespace wharf::snapshot
