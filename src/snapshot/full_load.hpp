#pragma once
// The full load: copies tables inside an exported snapshot and stages their
// rows as op R carrying the snapshot's LSN. Each table's first batch starts
// with an op T, so a table copied again (after a crash mid-load) replaces
// whatever an earlier attempt left in the warehouse.
#include <functional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/relation.hpp"
#include "staging/batch_writer.hpp"

namespace wharf::snapshot {

struct FullLoadOptions {
  staging::BatchOptions batch;
  uint64_t max_batch_bytes = 64ull << 20;
};

struct FullLoadResult {
  uint64_t rows = 0;
  uint64_t last_seq = 0;
};

// Copies `tables` under `snapshot_name` into batches numbered from `next_seq`.
// `on_batch` is called after each manifest is durable.
FullLoadResult CopyTables(const core::SourceConfig& source,
                          const std::vector<core::RelationSchema>& tables,
                          const std::string& snapshot_name, Lsn snapshot_lsn,
                          staging::ObjectStore& store, uint64_t next_seq,
                          const FullLoadOptions& options,
                          const std::function<void(const staging::Manifest&)>& on_batch);

}  // namespace wharf::snapshot
