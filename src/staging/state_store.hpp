#pragma once
// Capture-side state of one source (DESIGN.md: in the staging store, so
// `wharf capture` needs no warehouse): the slot, and whether the initial full
// load is complete and at which LSN.
#include <optional>
#include <string>
#include <vector>

#include "core/lsn.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

struct CaptureState {
  std::string slot;
  // Invariant: snapshot_complete implies every table in `tables` is staged as
  // of consistent_point and streaming may start right after it.
  bool snapshot_complete = false;
  Lsn consistent_point;
  std::vector<std::string> tables;  // schema.table copied by the initial load
};

class StateStore {
 public:
  // `store` must outlive this object.
  StateStore(ObjectStore& store, std::string source) : store_(store), source_(std::move(source)) {}
  std::optional<CaptureState> Load();
  void Save(const CaptureState& state);
  void Clear();

 private:
  ObjectStore& store_;
  std::string source_;
};

}  // namespace wharf::staging
