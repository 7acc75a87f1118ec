#pragma once
// What the loading side owes the staging store after applying batches:
//  - the applied mark (staging/ledger.hpp), which capture's disk budget reads,
//    written only after the warehouse committed, so it never leads;
//  - retention (staging/retention.hpp): deleting applied batches it no longer
//    keeps, at most every few seconds (and whenever forced, e.g. at exit).
// Only the process that loads the configured warehouse does this; `wharf
// replay` (another warehouse) must not.
#include <chrono>
#include <map>
#include <string>

#include "staging/object_store.hpp"
#include "staging/retention.hpp"

namespace wharf::load {

class StagingUpkeep {
 public:
  // `store` must outlive this object.
  StagingUpkeep(staging::ObjectStore& store, staging::RetentionTime keep) : store_(store), keep_(keep) {}

  // `applied_seq`: the warehouse's applied batch of `source`.
  void AfterCatchUp(const std::string& source, uint64_t applied_seq, bool force_retention = false);

 private:
  staging::ObjectStore& store_;
  staging::RetentionTime keep_;
  std::map<std::string, uint64_t> mark_written_;  // source -> applied seq last written
  std::map<std::string, std::chrono::steady_clock::time_point> last_prune_;
};

}  // namespace wharf::load
