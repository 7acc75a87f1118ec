#include "server/metrics_page.hpp"

#include "server/prometheus.hpp"

namespace wharf::server {

using json = nlohmann::json;

namespace {

// A number, or nothing when the status has null (not known yet): a missing
// sample is honest, a 0 would claim no lag.
void GaugeIf(MetricsText& m, const char* name, const char* help, const Labels& labels, const json& v) {
  if (v.is_number()) m.Gauge(name, help, labels, v.get<double>());
}

void SourceMetrics(MetricsText& m, const json& s) {
  const std::string name = s.value("name", "");
  const Labels src{{"source", name}};
  GaugeIf(m, "wharf_replication_lag_bytes", "WAL bytes between the source's current position and what the warehouse holds.", src, s.value("lag_bytes", json()));
  GaugeIf(m, "wharf_replication_lag_seconds", "Seconds since the source was at the position the warehouse holds.", src, s.value("lag_seconds", json()));
  GaugeIf(m, "wharf_changes_per_second", "Rows changed per second in the batches applied over the last 10 seconds.", src, s.value("changes_per_second", json()));
  GaugeIf(m, "wharf_batches_staged", "Sequence number of the last batch staged.", src, s.value("staged_batches", json()));
  GaugeIf(m, "wharf_batches_applied", "Sequence number of the last batch applied to the warehouse.", src, s.value("applied_batches", json()));
  GaugeIf(m, "wharf_batches_pending", "Batches staged and not yet applied.", src, s.value("pending_batches", json()));
  GaugeIf(m, "wharf_pending_bytes", "Staged bytes the warehouse has not applied.", src, s.value("pending_bytes", json()));
  m.Gauge("wharf_capture_paused", "1 while capture waits for the loader (staging.max_pending_bytes).", src, s.value("capture_paused", false) ? 1 : 0);
  Labels slot{{"source", name}, {"slot", s.value("slot", "")}};
  GaugeIf(m, "wharf_slot_retained_wal_bytes", "WAL the source keeps for the replication slot.", slot, s.value("retained_wal_bytes", json()));
  GaugeIf(m, "wharf_slot_safe_wal_bytes", "WAL that can still be written before max_slot_wal_keep_size invalidates the slot.", slot, s.value("safe_wal_bytes", json()));
  const json by_table = s.value("applied_rows_by_table", json::object());
  for (const auto& [table, ops] : by_table.items()) {
    for (const auto& [op, n] : ops.items()) {
      m.Counter("wharf_rows_applied_total", "Rows applied to the warehouse by this process, by table and operation (I insert, U update, D delete, R full load, T truncate).",
                {{"source", name}, {"table", table}, {"op", op}}, n.get<double>());
    }
  }
  for (const auto& t : s.value("tables", json::array())) {
    Labels tl{{"source", name}, {"table", t.value("table", "")}};
    GaugeIf(m, "wharf_table_rows", "Rows of the table in the warehouse.", tl, t.value("warehouse_rows", json()));
    Labels phase = tl;
    phase.emplace_back("phase", t.value("phase", ""));
    m.Gauge("wharf_table_phase", "1 for the table's current phase (copying, streaming, held, errored...).", phase, 1);
    if (t.value("phase", "") == "copying") {
      GaugeIf(m, "wharf_table_rows_copied", "Rows copied so far by the table's full load.", tl, t.value("rows_copied", json()));
      GaugeIf(m, "wharf_table_rows_estimated", "The source's estimate of the table's rows.", tl, t.value("estimated_rows", json()));
    }
  }
}

void ValidationMetrics(MetricsText& m, const json& v) {
  if (!v.is_object()) return;
  for (const auto& t : v.value("tables", json::array())) {
    Labels tl{{"source", t.value("source", "")}, {"table", t.value("table", "")}};
    m.Gauge("wharf_validation_equal", "1 when the last validation found the warehouse table equal to the source.", tl, t.value("equal", false) ? 1 : 0);
    GaugeIf(m, "wharf_validation_differences", "Rows that differed in the last validation.", tl, t.value("differences", json()));
  }
  GaugeIf(m, "wharf_validation_last_run_timestamp_seconds", "When the last validation finished (Unix time).", {}, v.value("finished_at_unix", json()));
}

}  // namespace

std::string MetricsPage(const json& status) {
  MetricsText m;
  m.Gauge("wharf_up", "1 while wharf runs.", {}, 1);
  m.Gauge("wharf_healthy", "1 when wharf sees no problem (see /status problems).", {}, status.value("healthy", false) ? 1 : 0);
  GaugeIf(m, "wharf_uptime_seconds", "Seconds since this process started.", {}, status.value("uptime_seconds", json()));
  for (const auto& s : status.value("sources", json::array())) SourceMetrics(m, s);
  GaugeIf(m, "wharf_rejects", "Values the warehouse type could not hold, stored as NULL and recorded in _wharf.rejects.", {}, status.value("rejects", json()));
  const json log_counts = status.value("log_counts", json::object());
  for (const auto& [level, n] : log_counts.items())
    m.Counter("wharf_log_messages_total", "Log lines by level since start (errors and warnings).", {{"level", level}}, n.get<double>());
  ValidationMetrics(m, status.value("validation", json()));
  const auto& models = status.value("models", json());
  if (models.is_object() && models.contains("status")) {
    m.Gauge("wharf_models_last_run_success", "1 when the last models build passed.", {}, models.value("status", "") == "success" ? 1 : 0);
    GaugeIf(m, "wharf_models_last_run_errors", "Nodes that failed in the last models build.", {}, models.value("errors", json()));
  }
  return m.Text();
}

}  // namespace wharf::server
