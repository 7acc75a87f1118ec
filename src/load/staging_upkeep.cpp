#include "load/staging_upkeep.hpp"

#include "core/clock.hpp"
#include "staging/ledger.hpp"

namespace wharf::load {

void StagingUpkeep::AfterCatchUp(const std::string& source, uint64_t applied_seq, bool force_retention) {
  auto written = mark_written_.find(source);
  if (written == mark_written_.end() || written->second != applied_seq) {
    staging::SaveAppliedMark(store_, source, {applied_seq, core::NowMicros()});
    mark_written_[source] = applied_seq;
  }
  auto now = std::chrono::steady_clock::now();
  auto last = last_prune_.find(source);
  if (!force_retention && last != last_prune_.end() && now - last->second < std::chrono::seconds(5)) return;
  last_prune_[source] = now;
  staging::PruneApplied(store_, source, applied_seq, keep_, core::NowMicros());
}

}  // namespace wharf::load
