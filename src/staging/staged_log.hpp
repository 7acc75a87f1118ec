#pragma once
// The staged log of one source as capture and the loader see it: the
// committed manifests in seq order, and recovery of a crashed writer.
#include <optional>
#include <string>
#include <vector>

#include "staging/manifest.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

struct StagedTail {
  uint64_t last_seq = 0;  // 0: nothing staged yet
  Lsn last_lsn;           // commit LSN of the last staged transaction
  Lsn end_lsn;            // end LSN of the last staged transaction
};

// Seqs of committed manifests above `after`, ascending.
std::vector<uint64_t> ListManifests(ObjectStore& store, const std::string& source, uint64_t after = 0);

Manifest ReadManifest(ObjectStore& store, const std::string& source, uint64_t seq);

// Capture restart (DESIGN.md): finds the last committed manifest and deletes
// data files and temporary files that no manifest names.
StagedTail RecoverStagedLog(ObjectStore& store, const std::string& source);

}  // namespace wharf::staging
