#include "pipeline/status_report.hpp"

#include "core/clock.hpp"
#include "pg/connection.hpp"
#include "pipeline/models_status.hpp"
#include "pipeline/progress.hpp"
#include "staging/layout.hpp"
#include "staging/ledger.hpp"
#include "staging/staged_log.hpp"
#include "staging/state_store.hpp"

namespace wharf::pipeline {

namespace {

// Rows per second and seconds left for a table being copied.
nlohmann::json CopyFigures(const staging::TableSync& t) {
  nlohmann::json j = nlohmann::json::object();
  int64_t end = t.finished_at ? t.finished_at : core::NowMicros();
  double secs = t.started_at ? (end - t.started_at) / 1e6 : 0;
  double rate = secs > 0 ? t.rows_copied / secs : 0;
  j["rows_per_second"] = static_cast<uint64_t>(rate);
  if (t.phase == staging::SyncPhase::kCopying && rate > 0 && t.estimated_rows > t.rows_copied) {
    j["eta_seconds"] = static_cast<uint64_t>((t.estimated_rows - t.rows_copied) / rate);
  } else {
    j["eta_seconds"] = nullptr;
  }
  return j;
}

}  // namespace

std::optional<uint64_t> RowCounter::Count(load::Warehouse& warehouse, const std::string& type,
                                          const core::TableName& table) {
  if (type == "duckdb") return warehouse.CountRows(table);
  auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = counted_.try_emplace(table.ToString());
  if (fresh || now - it->second.at >= max_age_) it->second = {warehouse.CountRows(table), now};
  return it->second.rows;
}

nlohmann::json BuildStatusReport(const core::Config& config, staging::ObjectStore& store,
                                 load::Warehouse* warehouse, const std::string& warehouse_note,
                                 RowCounter* counter) {
  auto count = [&](const core::TableName& t) {
    return counter ? counter->Count(*warehouse, config.target.type, t) : warehouse->CountRows(t);
  };
  std::map<std::string, load::SourceProgress> progress;
  std::map<std::string, std::string> load_errors;  // tables stopped by a schema change
  if (warehouse) {
    for (auto& p : warehouse->Progress()) progress[p.source] = p;
    load_errors = warehouse->TableErrors();
  }
  nlohmann::json out = {{"sources", nlohmann::json::array()}};
  if (!warehouse_note.empty()) out["warehouse_unavailable"] = warehouse_note;
  for (const auto& s : config.sources) {
    auto seqs = staging::ListManifests(store, s.name);
    auto kept = staging::LoadRetentionMark(store, s.name);
    uint64_t staged = std::max(seqs.empty() ? 0 : seqs.back(), kept.deleted_through);
    auto state = staging::StateStore(store, s.name).Load();
    auto p = progress.count(s.name) ? progress[s.name] : load::SourceProgress{};
    // Capture's disk budget counts from the loader's applied mark (the
    // warehouse's own figure is newer when the warehouse could be opened).
    uint64_t applied = std::max(p.batch_seq, staging::LoadAppliedMark(store, s.name).seq);
    uint64_t pending_bytes = 0;
    for (auto [seq, bytes] : staging::StagedBytesAbove(store, s.name, applied)) pending_bytes += bytes;
    bool paused = pending_bytes >= config.staging.max_pending_bytes;
    nlohmann::json tables = nlohmann::json::array();
    if (state) {
      for (const auto& t : state->tables) {
        auto dot = t.table.find('.');
        core::TableName src{t.table.substr(0, dot), t.table.substr(dot + 1)};
        core::TableName target{config.TargetSchema(s, src.schema), src.name};
        std::optional<uint64_t> rows;
        if (warehouse) rows = count(target);
        auto figures = CopyFigures(t);
        auto load_error = load_errors.find(target.ToString());
        // A table the loader stopped is errored whatever its capture phase.
        std::string phase = load_error != load_errors.end() ? "errored"
                                                              : staging::SyncPhaseName(t.phase);
        tables.push_back({{"table", t.table},
                          {"target", target.ToString()},
                          {"phase", phase},
                          {"copy_method", t.method},
                          {"rows_copied", t.rows_copied},
                          {"estimated_rows", t.estimated_rows},
                          {"rows_per_second", figures["rows_per_second"]},
                          {"eta_seconds", figures["eta_seconds"]},
                          {"catchup_lsn", t.catchup_lsn.ToString()},
                          {"error", t.error},
                          {"load_error", load_error != load_errors.end() ? load_error->second : ""},
                          {"warehouse_rows", rows ? nlohmann::json(*rows) : nlohmann::json(nullptr)}});
      }
      // Selected but not replicated until fixed: no copy, no warehouse rows of wharf's.
      for (const auto& h : state->held) {
        auto dot = h.table.find('.');
        core::TableName target{config.TargetSchema(s, h.table.substr(0, dot)), h.table.substr(dot + 1)};
        tables.push_back({{"table", h.table},
                          {"target", target.ToString()},
                          {"phase", "held"},
                          {"copy_method", ""},
                          {"rows_copied", 0},
                          {"estimated_rows", 0},
                          {"rows_per_second", 0},
                          {"eta_seconds", nullptr},
                          {"catchup_lsn", ""},
                          {"error", h.reason},
                          {"load_error", ""},
                          {"warehouse_rows", nullptr}});
      }
    }
    out["sources"].push_back({{"name", s.name},
                              {"dsn", pg::RedactDsn(s.dsn)},
                              {"slot", s.slot},
                              {"full_load", state && state->AllReady() ? "complete" : "in progress"},
                              {"staged_batches", staged},
                              {"applied_batches", p.batch_seq},
                              {"pending_batches", staged > p.batch_seq ? staged - p.batch_seq : 0},
                              {"applied_lsn", p.end_lsn.ToString()},
                              {"applied_at", p.applied_at},
                              {"pending_bytes", pending_bytes},
                              {"max_pending_bytes", config.staging.max_pending_bytes},
                              {"capture_paused", paused},
                              {"first_kept_batch", kept.first_kept()},
                              {"retention", config.staging.retention
                                                ? FormatDuration(config.staging.retention->count() / 1000.0)
                                                : std::string("forever")},
                              {"tables", tables}});
  }
  if (warehouse) out["rejects"] = count(core::TableName{"_wharf", "rejects"}).value_or(0);
  out["models"] = ModelsStatus(config);
  return out;
}

}  // namespace wharf::pipeline
