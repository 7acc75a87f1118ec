#pragma once
// Two small marks, `<source>/applied.json` and `<source>/retained.json`, through which capture, the loader and
// retention coordinate using the staging store alone, so they work the same
// inside one `wharf run` and as separate `wharf capture` + `wharf load`
// processes (capture needs no warehouse):
//
// They sit beside state/, not in it: resynchronising a source deletes
// <source>/state, and that must not reset batch numbering.
//
//   applied.json   the last batch seq the warehouse has durably applied.
//                  Written by the loader after the warehouse commit, so it may
//                  lag the warehouse but never leads it. Capture's disk budget
//                  counts the batches above it as pending.
//   retained.json  retention's watermark: every batch at or below
//                  `deleted_through` is deleted (or being deleted: batches from
//                  `cleanup_from` up may still have files). Written before
//                  anything is deleted, and it keeps the last deleted batch's
//                  LSNs, so deleting every manifest neither resets batch
//                  numbering nor loses the restart position.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/lsn.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

struct AppliedMark {
  uint64_t seq = 0;         // 0: nothing applied (or no loader has run yet)
  int64_t applied_at = 0;   // unix micros of the write
};

struct RetentionMark {
  uint64_t deleted_through = 0;  // 0: nothing deleted; else batches 1..this are gone
  uint64_t cleanup_from = 1;     // batches from here to deleted_through may still have files
  Lsn last_lsn;                  // newest commit LSN among the deleted batches
  Lsn end_lsn;                   // end LSN of batch deleted_through
  // First batch that still exists (replay must start at batch 1).
  uint64_t first_kept() const { return deleted_through + 1; }
};

AppliedMark LoadAppliedMark(ObjectStore& store, const std::string& source);
void SaveAppliedMark(ObjectStore& store, const std::string& source, const AppliedMark& mark);

RetentionMark LoadRetentionMark(ObjectStore& store, const std::string& source);
void SaveRetentionMark(ObjectStore& store, const std::string& source, const RetentionMark& mark);

// Staged batches above `after_seq`, oldest first, with the bytes their files
// take in the store: what the disk budget counts as pending.
std::vector<std::pair<uint64_t, uint64_t>> StagedBytesAbove(ObjectStore& store, const std::string& source,
                                                            uint64_t after_seq);

}  // namespace wharf::staging
