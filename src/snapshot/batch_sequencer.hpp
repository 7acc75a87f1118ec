#pragma once
// Hands out batch seqs to parallel writers and makes their manifests appear
// strictly in seq order, so the staged log never has a gap (a loader applies
// batches in seq order and a gap would stall it).
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace wharf::snapshot {

class BatchSequencer {
 public:
  explicit BatchSequencer(uint64_t next_seq) : next_(next_seq), committed_(next_seq - 1) {}

  uint64_t Reserve();
  // Waits until every lower seq is committed, runs `commit` (which writes the
  // manifest), then marks `seq` committed. Throws if the sequencer was failed.
  void CommitInOrder(uint64_t seq, const std::function<void()>& commit);
  // A writer died holding a reserved seq: every waiter gives up.
  void Fail();
  uint64_t last_committed();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_;
  uint64_t committed_;
  bool failed_ = false;
};

}  // namespace wharf::snapshot
