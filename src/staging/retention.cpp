#include "staging/retention.hpp"

#include <spdlog/spdlog.h>

#include "core/fault.hpp"
#include "staging/layout.hpp"
#include "staging/ledger.hpp"
#include "staging/staged_log.hpp"

namespace wharf::staging {

size_t ExpiredPrefix(const std::vector<int64_t>& created_at, int64_t now, RetentionTime keep) {
  if (!keep) return 0;
  const int64_t keep_us = keep->count() * 1000;
  size_t n = 0;
  while (n < created_at.size() && now - created_at[n] >= keep_us) ++n;
  return n;
}

namespace {

// Data files first, the manifest last: while the manifest exists the batch
// can be found again and its remaining files deleted.
void DeleteBatch(ObjectStore& store, const std::string& source, uint64_t seq) {
  std::string manifest = ManifestPath(source, seq);
  if (!store.Exists(manifest)) return;
  Manifest m = ReadManifest(store, source, seq);
  for (const auto& f : m.files) {
    store.Remove(f.path);
    core::FaultPoint("retention.after_data_file");
  }
  store.Remove(manifest);
}

}  // namespace

PruneResult PruneApplied(ObjectStore& store, const std::string& source, uint64_t applied_seq,
                         RetentionTime keep, int64_t now, size_t max_batches) {
  RetentionMark mark = LoadRetentionMark(store, source);
  PruneResult out;
  // Finish what an interrupted pass left behind.
  if (mark.cleanup_from <= mark.deleted_through) {
    for (uint64_t seq = mark.cleanup_from; seq <= mark.deleted_through; ++seq)
      DeleteBatch(store, source, seq);
    mark.cleanup_from = mark.deleted_through + 1;
    SaveRetentionMark(store, source, mark);
  }
  out.first_kept = mark.first_kept();
  if (!keep) return out;

  std::vector<Manifest> candidates;
  std::vector<int64_t> created;
  for (uint64_t seq = mark.first_kept(); seq <= applied_seq && candidates.size() < max_batches; ++seq) {
    if (!store.Exists(ManifestPath(source, seq))) break;  // not staged here: nothing to decide on
    candidates.push_back(ReadManifest(store, source, seq));
    created.push_back(candidates.back().created_at);
    if (ExpiredPrefix({created.back()}, now, keep) == 0) break;  // too young: so are the later ones
  }
  size_t n = ExpiredPrefix(created, now, keep);
  if (n == 0) return out;

  RetentionMark next = mark;
  next.cleanup_from = mark.first_kept();
  next.deleted_through = candidates[n - 1].seq;
  next.end_lsn = candidates[n - 1].end_lsn;
  for (size_t i = 0; i < n; ++i)
    if (candidates[i].last_lsn.IsValid()) next.last_lsn = candidates[i].last_lsn;
  SaveRetentionMark(store, source, next);  // before anything is deleted
  core::FaultPoint("retention.after_mark");
  for (size_t i = 0; i < n; ++i) DeleteBatch(store, source, candidates[i].seq);
  next.cleanup_from = next.deleted_through + 1;
  SaveRetentionMark(store, source, next);
  spdlog::debug("retention {}: deleted batches {}..{}", source, mark.first_kept(), next.deleted_through);
  out.deleted = n;
  out.first_kept = next.first_kept();
  return out;
}

}  // namespace wharf::staging
