#include "pipeline/board.hpp"

#include "core/clock.hpp"

namespace wharf::pipeline {

using json = nlohmann::json;

namespace {
constexpr size_t kHistoryPoints = 1800;  // per process: an hour at two seconds, all sources
constexpr size_t kLogLines = 50;

json Optional(const auto& v) { return v ? json(*v) : json(nullptr); }

const char* GuardName(GuardLevel g) {
  switch (g) {
    case GuardLevel::kOk: return "ok";
    case GuardLevel::kWarn: return "warn";
    case GuardLevel::kDrop: return "drop";
  }
  return "ok";
}

// Models' last run in the dashboard's terms.
json ModelsSummary(const json& models) {
  if (!models.is_object()) return nullptr;
  json out = models;
  const auto& last = models.contains("last_run") ? models["last_run"] : json(nullptr);
  if (models.contains("error")) {
    out["status"] = "error";
    out["message"] = models["error"];
  } else if (!last.is_object()) {
    out["status"] = "never";
  } else {
    uint64_t nodes = 0, bad = 0;
    const json counts = last.value("counts", json::object());
    for (const auto& [status, n] : counts.items()) {
      nodes += n.get<uint64_t>();
      if (status == "error" || status == "fail") bad += n.get<uint64_t>();
    }
    out["status"] = bad ? "error" : "success";
    out["finished_at"] = last.value("generated_at", "");
    out["nodes"] = nodes;
    out["errors"] = bad;
  }
  return out;
}
}  // namespace

double Board::Now() { return core::NowMicros() / 1e6; }

Board::Board(std::vector<std::string> sources, double started_at) : started_at_(started_at) {
  for (auto& s : sources) live_.emplace(s, Live(started_at));
}

Board::Live& Board::Of(const std::string& source) {
  auto it = live_.find(source);
  if (it == live_.end()) it = live_.emplace(source, Live(started_at_)).first;
  return it->second;
}

void Board::Staged(const staging::Manifest& m, double) {
  std::lock_guard lock(mu_);
  auto& live = Of(m.source);
  live.batches_staged++;
  live.last_staged_seq = std::max(live.last_staged_seq, m.seq);
}

void Board::Applied(const staging::Manifest& m, double t) {
  std::lock_guard lock(mu_);
  auto& live = Of(m.source);
  live.batches_applied++;
  live.last_applied_seq = std::max(live.last_applied_seq, m.seq);
  uint64_t changes = 0;
  for (const auto& f : m.files) {
    auto& ops = live.applied_ops[f.relation.table.ToString()];
    for (auto [op, n] : f.ops) {
      ops[op] += n;
      changes += n;
    }
  }
  live.rate.Add(t, changes);
  auto& end = applied_end_[m.source];
  end = std::max(end, m.end_lsn);
  UpdateApplied(m.source, live);
}

void Board::Sampled(const std::string& source, const SourceSample& sample, double t) {
  std::lock_guard lock(mu_);
  auto& live = Of(source);
  live.sample = sample;
  live.lag.SourceAt(t, sample.current);
  UpdateApplied(source, live);
}

void Board::UpdateApplied(const std::string& source, Live& live) {
  Lsn applied = applied_end_[source];
  uint64_t staged = live.last_staged_seq, done = live.last_applied_seq;
  const json no_sources = json::array();
  const json& sources = report_.is_object() && report_.contains("sources") ? report_["sources"] : no_sources;
  for (const auto& s : sources) {
    if (s.value("name", "") != source) continue;
    if (auto l = Lsn::Parse(s.value("applied_lsn", ""))) applied = std::max(applied, *l);
    staged = std::max<uint64_t>(staged, s.value("staged_batches", uint64_t{0}));
    done = std::max<uint64_t>(done, s.value("applied_batches", uint64_t{0}));
  }
  if (done >= staged && live.sample && live.sample->confirmed) applied = std::max(applied, *live.sample->confirmed);
  live.lag.AppliedThrough(applied);
}

void Board::Report(json report) {
  std::lock_guard lock(mu_);
  report_ = std::move(report);
  for (auto& [name, live] : live_) UpdateApplied(name, live);
}

void Board::Logged(const std::string& level, const std::string& message, double t) {
  std::lock_guard lock(mu_);
  log_counts_[level]++;
  logs_.push_back({t, level, message});
  while (logs_.size() > kLogLines) logs_.pop_front();
}

void Board::Validated(json validation) {
  std::lock_guard lock(mu_);
  validation_ = std::move(validation);
}

void Board::Tick(double t) {
  std::lock_guard lock(mu_);
  for (auto& [name, live] : live_) {
    history_.push_back({t, name, live.lag.LagBytes(), live.lag.LagSeconds(t), live.rate.Rate(t)});
  }
  while (history_.size() > kHistoryPoints) history_.pop_front();
}

uint64_t Board::ChangesApplied(const std::string& source) const {
  std::lock_guard lock(mu_);
  auto it = live_.find(source);
  return it == live_.end() ? 0 : it->second.rate.total();
}

json Board::LiveJson(const std::string&, const Live& live, double now) const {
  json j;
  j["source_lsn"] = live.lag.source() ? json(live.lag.source()->ToString()) : json(nullptr);
  j["lag_bytes"] = Optional(live.lag.LagBytes());
  j["lag_seconds"] = Optional(live.lag.LagSeconds(now));
  j["changes_per_second"] = live.rate.Rate(now);
  j["changes_applied"] = live.rate.total();
  j["batches_staged_here"] = live.batches_staged;
  j["batches_applied_here"] = live.batches_applied;
  const auto* slot = live.sample && live.sample->slot ? &*live.sample->slot : nullptr;
  j["retained_wal_bytes"] = slot ? json(slot->retained_bytes) : json(nullptr);
  j["slot_wal_status"] = slot ? json(slot->wal_status) : json(nullptr);
  j["safe_wal_bytes"] = slot && slot->safe_wal_size ? json(*slot->safe_wal_size) : json(nullptr);
  j["slot_guard"] = live.sample ? GuardName(live.sample->guard) : "ok";
  json ops = json::object();
  for (const auto& [table, by_op] : live.applied_ops) {
    json t = json::object();
    for (auto [op, n] : by_op) t[std::string(1, op)] = n;
    ops[table] = t;
  }
  j["applied_rows_by_table"] = ops;
  return j;
}

json Board::Status(double now) const {
  std::lock_guard lock(mu_);
  json out = report_.is_object() ? report_ : json::object();
  if (!out.contains("sources")) out["sources"] = json::array();
  out["started_at"] = core::FormatIsoMicros(static_cast<int64_t>(started_at_ * 1e6));
  out["uptime_seconds"] = now - started_at_;
  json problems = json::array();
  if (out.contains("warehouse_unavailable")) problems.push_back("warehouse unavailable: " + out["warehouse_unavailable"].get<std::string>());
  for (auto& s : out["sources"]) {
    std::string name = s.value("name", "");
    auto it = live_.find(name);
    if (it != live_.end()) s.update(LiveJson(name, it->second, now));
    if (s.value("capture_paused", false)) problems.push_back(name + ": capture paused (staging.max_pending_bytes reached)");
    if (s.value("slot_guard", "ok") != "ok")
      problems.push_back(name + ": replication slot retains " + FormatBytes(s.value("retained_wal_bytes", uint64_t{0})) + " of WAL");
    for (const auto& t : s.value("tables", json::array())) {
      std::string phase = t.value("phase", "");
      if (phase == "errored" || phase == "held")
        problems.push_back(name + ": table " + t.value("table", "") + " " + phase);
    }
  }
  out["models"] = ModelsSummary(out.value("models", json(nullptr)));
  if (out["models"].is_object() && out["models"].value("status", "") == "error")
    problems.push_back("models: the last build had errors");
  out["validation"] = validation_.is_null() ? json(nullptr) : validation_;
  if (validation_.is_object() && !validation_.value("equal", true))
    problems.push_back("validation: the warehouse differs from the source");
  out["problems"] = problems;
  out["healthy"] = problems.empty();
  json history = json::array();
  for (const auto& p : history_) {
    history.push_back({{"t", p.t},
                       {"source", p.source},
                       {"lag_bytes", Optional(p.lag_bytes)},
                       {"lag_seconds", Optional(p.lag_seconds)},
                       {"changes_per_second", p.changes_per_second}});
  }
  out["history"] = history;
  json errors = json::array();
  for (auto it = logs_.rbegin(); it != logs_.rend(); ++it) {
    errors.push_back({{"at", core::FormatIsoMicros(static_cast<int64_t>(it->t * 1e6))},
                      {"level", it->level},
                      {"message", it->message}});
  }
  out["errors"] = errors;
  out["log_counts"] = log_counts_;
  return out;
}

}  // namespace wharf::pipeline
