#include "staging/state_store.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "staging/layout.hpp"

namespace wharf::staging {

using nlohmann::json;

const char* SyncPhaseName(SyncPhase p) {
  switch (p) {
    case SyncPhase::kInit: return "init";
    case SyncPhase::kCopying: return "copying";
    case SyncPhase::kCatchup: return "catchup";
    case SyncPhase::kReady: return "ready";
    case SyncPhase::kErrored: return "errored";
  }
  return "init";
}

std::optional<SyncPhase> ParseSyncPhase(const std::string& s) {
  for (auto p : {SyncPhase::kInit, SyncPhase::kCopying, SyncPhase::kCatchup, SyncPhase::kReady,
                 SyncPhase::kErrored})
    if (s == SyncPhaseName(p)) return p;
  return std::nullopt;
}

TableSync* CaptureState::Find(const std::string& table) {
  for (auto& t : tables)
    if (t.table == table) return &t;
  return nullptr;
}

bool CaptureState::AllReady() const {
  for (const auto& t : tables)
    if (t.phase != SyncPhase::kReady) return false;
  return true;
}

std::optional<CaptureState> StateStore::Load() {
  std::string path = StatePath(source_, "capture");
  if (!store_.Exists(path)) return std::nullopt;
  try {
    auto j = json::parse(store_.Read(path));
    CaptureState s;
    s.slot = j.at("slot").get<std::string>();
    s.consistent_point = Lsn(j.at("consistent_point").get<uint64_t>());
    for (const auto& tj : j.at("tables")) {
      TableSync t;
      t.table = tj.at("table").get<std::string>();
      auto phase = ParseSyncPhase(tj.at("phase").get<std::string>());
      if (!phase) throw json::other_error::create(501, "unknown phase", nullptr);
      t.phase = *phase;
      for (const auto& rj : tj.value("ranges", json::array())) {
        KeyRange r;
        r.after = rj.value("after", std::vector<std::string>{});
        r.upto = rj.value("upto", std::vector<std::string>{});
        r.done = rj.value("done", false);
        r.rows = rj.value("rows", uint64_t{0});
        t.ranges.push_back(std::move(r));
      }
      t.rows_copied = tj.value("rows_copied", uint64_t{0});
      t.bytes_copied = tj.value("bytes_copied", uint64_t{0});
      t.estimated_rows = tj.value("estimated_rows", uint64_t{0});
      t.started_at = tj.value("started_at", int64_t{0});
      t.finished_at = tj.value("finished_at", int64_t{0});
      t.method = tj.value("method", std::string("snapshot"));
      t.catchup_lsn = Lsn(tj.value("catchup_lsn", uint64_t{0}));
      t.truncate_first = tj.value("truncate_first", false);
      t.error = tj.value("error", std::string());
      t.partitions = tj.value("partitions", std::vector<std::string>{});
      s.tables.push_back(std::move(t));
    }
    for (const auto& hj : j.value("held", json::array()))
      s.held.push_back({hj.at("table").get<std::string>(), hj.value("reason", std::string())});
    return s;
  } catch (const std::exception& e) {
    Fail(ErrorKind::kStaging,
         "capture state {}/{} is corrupt ({}); delete it to take a new full load", store_.Describe(),
         path, e.what());
  }
}

void StateStore::Save(const CaptureState& s) {
  json tables = json::array();
  for (const auto& t : s.tables) {
    json ranges = json::array();
    for (const auto& r : t.ranges)
      ranges.push_back({{"after", r.after}, {"upto", r.upto}, {"done", r.done}, {"rows", r.rows}});
    tables.push_back({{"table", t.table},
                      {"phase", SyncPhaseName(t.phase)},
                      {"ranges", ranges},
                      {"rows_copied", t.rows_copied},
                      {"bytes_copied", t.bytes_copied},
                      {"estimated_rows", t.estimated_rows},
                      {"started_at", t.started_at},
                      {"finished_at", t.finished_at},
                      {"method", t.method},
                      {"catchup_lsn", t.catchup_lsn.value()},
                      {"truncate_first", t.truncate_first},
                      {"error", t.error},
                      {"partitions", t.partitions}});
  }
  json held = json::array();
  for (const auto& h : s.held) held.push_back({{"table", h.table}, {"reason", h.reason}});
  json j = {{"slot", s.slot},
            {"consistent_point", s.consistent_point.value()},
            {"consistent_point_text", s.consistent_point.ToString()},
            {"tables", tables},
            {"held", held}};
  store_.Put(StatePath(source_, "capture"), j.dump(1) + "\n");
}

void StateStore::Clear() { store_.Remove(StatePath(source_, "capture")); }

void StateStore::RequestResync(const std::string& table) {
  store_.Put(EncodePathSegment(source_) + "/state/resync/" + EncodePathSegment(table) + ".json",
             json({{"table", table}}).dump() + "\n");
}

std::vector<std::string> StateStore::PendingResyncs() {
  std::vector<std::string> out;
  for (const auto& path : store_.List(EncodePathSegment(source_) + "/state/resync/")) {
    if (path.find(".tmp-") != std::string::npos) continue;
    try {
      out.push_back(json::parse(store_.Read(path)).at("table").get<std::string>());
    } catch (const std::exception&) {
      store_.Remove(path);  // a request file we cannot read is dropped, not fatal
    }
  }
  return out;
}

void StateStore::ClearResync(const std::string& table) {
  store_.Remove(EncodePathSegment(source_) + "/state/resync/" + EncodePathSegment(table) + ".json");
}

}  // namespace wharf::staging
