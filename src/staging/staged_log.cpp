#include "staging/staged_log.hpp"

#include <spdlog/spdlog.h>

#include "staging/layout.hpp"
#include "staging/ledger.hpp"

namespace wharf::staging {

std::vector<uint64_t> ListManifests(ObjectStore& store, const std::string& source, uint64_t after) {
  std::vector<uint64_t> out;
  // Manifest names sort by seq (20 digits), so the store can skip the applied ones.
  auto paths = after ? store.ListAfter(ManifestPrefix(source), ManifestPath(source, after))
                     : store.List(ManifestPrefix(source));
  for (const auto& path : paths) {
    auto seq = ManifestSeq(path);
    if (seq && *seq > after) out.push_back(*seq);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Manifest ReadManifest(ObjectStore& store, const std::string& source, uint64_t seq) {
  std::string path = ManifestPath(source, seq);
  return Manifest::FromJson(store.Read(path), store.Describe() + "/" + path);
}

StagedTail RecoverStagedLog(ObjectStore& store, const std::string& source) {
  StagedTail tail;
  auto seqs = ListManifests(store, source);
  if (!seqs.empty()) {
    Manifest m = ReadManifest(store, source, seqs.back());
    tail.last_seq = m.seq;
    tail.end_lsn = m.end_lsn;
    // The last staged commit LSN comes from the newest batch that holds
    // transactions (snapshot batches hold none).
    for (auto it = seqs.rbegin(); it != seqs.rend(); ++it) {
      Manifest b = it == seqs.rbegin() ? m : ReadManifest(store, source, *it);
      if (b.last_lsn.IsValid()) {
        tail.last_lsn = b.last_lsn;
        break;
      }
    }
  }
  // Retention may have deleted the newest manifests too (every batch applied):
  // its watermark keeps numbering and the restart position where they were.
  RetentionMark kept = LoadRetentionMark(store, source);
  if (kept.deleted_through >= tail.last_seq && kept.deleted_through > 0) {
    tail.last_seq = kept.deleted_through;
    tail.end_lsn = std::max(tail.end_lsn, kept.end_lsn);
  }
  if (!tail.last_lsn.IsValid()) tail.last_lsn = kept.last_lsn;
  size_t removed = 0;
  for (const auto& path : store.List(DataPrefix(source))) {
    bool temp = path.find(".tmp-") != std::string::npos;
    auto seq = DataFileSeq(path);
    if (temp || !seq || *seq > tail.last_seq) {
      store.Remove(path);
      ++removed;
    }
  }
  for (const auto& path : store.List(ManifestPrefix(source))) {
    if (path.find(".tmp-") != std::string::npos) store.Remove(path);
  }
  if (removed) spdlog::info("staging: removed {} uncommitted file(s) of source {}", removed, source);
  return tail;
}

}  // namespace wharf::staging
