// `wharf replay`: rebuilds a warehouse from the kept staged batches, applying
// every batch of every source from seq 1 in order into an empty warehouse.
// It refuses when retention has deleted early batches (the result would miss
// their changes) and when the target already holds applied batches. It writes
// no applied mark and deletes nothing: the configured pipeline's warehouse and
// capture's disk budget are not this warehouse's business.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "load/loader.hpp"
#include "load/warehouse.hpp"
#include "staging/ledger.hpp"
#include "staging/staged_log.hpp"

namespace wharf::cli {

int Replay(const core::Config& config, const std::optional<std::string>& target_path) {
  auto store = staging::OpenObjectStore(config.staging.url, config.base_dir);
  for (const auto& s : config.sources) {
    auto kept = staging::LoadRetentionMark(*store, s.name);
    if (kept.deleted_through > 0) {
      Fail(ErrorKind::kConfig,
           "cannot replay source {}: batches 1..{} were deleted by retention (staging.retention), "
           "the first kept batch is {}, so a warehouse rebuilt from {} would miss their changes.\n  "
           "Set `staging.retention: forever` to keep every batch for replay; to rebuild a "
           "warehouse now, run wharf with a new staging.url and target (a new full load)",
           s.name, kept.deleted_through, kept.first_kept(), store->Describe());
    }
    auto seqs = staging::ListManifests(*store, s.name);
    if (!seqs.empty() && seqs.front() != 1) {
      Fail(ErrorKind::kStaging,
           "cannot replay source {}: batch 1 is missing from {} (the first staged batch is {}); "
           "restore the missing batches",
           s.name, store->Describe(), seqs.front());
    }
  }

  core::TargetConfig target = config.target;
  if (target_path) {
    // A path given on the command line is relative to where wharf runs, not the config file.
    target.path = target.type == "duckdb" ? std::filesystem::absolute(*target_path).string() : *target_path;
  }
  auto warehouse = load::OpenWarehouse(target, config.base_dir);
  for (const auto& s : config.sources) {
    if (uint64_t applied = warehouse->AppliedSeq(s.name)) {
      Fail(ErrorKind::kConfig,
           "the replay target already holds batches 1..{} of source {}: replay builds a new "
           "warehouse; give --target-path a new file (or another database)",
           applied, s.name);
    }
  }
  load::Loader loader(*store, *warehouse, load::LoaderOptions::FromEnvironment(),
                      load::ModeRules(config.target));
  for (const auto& s : config.sources) {
    size_t n = loader.CatchUp(s);
    fmt::print("source {}: replayed {} batch(es), through batch {}\n", s.name, n, warehouse->AppliedSeq(s.name));
  }
  return 0;
}

}  // namespace wharf::cli
