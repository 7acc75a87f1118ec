#include "staging/state_store.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "staging/layout.hpp"

namespace wharf::staging {

std::optional<CaptureState> StateStore::Load() {
  std::string path = StatePath(source_, "capture");
  if (!store_.Exists(path)) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(store_.Read(path));
    CaptureState s;
    s.slot = j.at("slot").get<std::string>();
    s.snapshot_complete = j.at("snapshot_complete").get<bool>();
    s.consistent_point = Lsn(j.at("consistent_point").get<uint64_t>());
    s.tables = j.value("tables", std::vector<std::string>{});
    return s;
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorKind::kStaging, "capture state {}/{} is corrupt ({}); delete it to start over",
         store_.Describe(), path, e.what());
  }
}

void StateStore::Save(const CaptureState& s) {
  nlohmann::json j = {{"slot", s.slot},
                      {"snapshot_complete", s.snapshot_complete},
                      {"consistent_point", s.consistent_point.value()},
                      {"consistent_point_text", s.consistent_point.ToString()},
                      {"tables", s.tables}};
  store_.Put(StatePath(source_, "capture"), j.dump(1) + "\n");
}

void StateStore::Clear() { store_.Remove(StatePath(source_, "capture")); }

}  // namespace wharf::staging
