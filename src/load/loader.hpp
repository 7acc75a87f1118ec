#pragma once
// Applies a source's staged batches to the warehouse in seq order, each as
// one warehouse transaction. Verifies each file against its manifest first:
// a corrupt or truncated file stops the load with nothing of its batch applied.
#include <string>

#include "core/config.hpp"
#include "load/warehouse.hpp"
#include "staging/object_store.hpp"

namespace wharf::load {

class Loader {
 public:
  // `store` and `warehouse` must outlive the loader.
  Loader(staging::ObjectStore& store, Warehouse& warehouse) : store_(store), warehouse_(warehouse) {}

  // Applies every committed batch of `source` above the warehouse's progress.
  // Returns how many batches were applied.
  size_t CatchUp(const core::SourceConfig& source);

  // Reads, verifies and plans one batch.
  BatchApply Prepare(const core::SourceConfig& source, uint64_t seq);

 private:
  staging::ObjectStore& store_;
  Warehouse& warehouse_;
};

}  // namespace wharf::load
