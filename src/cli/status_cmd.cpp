#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/local_client.hpp"
#include "cli/models_status.hpp"
#include "core/error.hpp"
#include "load/warehouse.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/slot_guard.hpp"
#include "pipeline/status_report.hpp"

namespace wharf::cli {

namespace {

// Facts only a running `wharf run` knows (lag, throughput, the slot's WAL).
void PrintLive(const nlohmann::json& s) {
  if (!s.contains("lag_bytes")) return;
  auto num = [&](const char* k) { return s[k].is_number() ? s[k].get<double>() : -1.0; };
  std::string lag = num("lag_bytes") < 0 ? "unknown"
                                          : fmt::format("{} bytes, {:.1f} s", static_cast<uint64_t>(num("lag_bytes")),
                                                        std::max(0.0, num("lag_seconds")));
  fmt::print("  lag {}; {:.1f} changes/s; slot retains {}\n", lag, std::max(0.0, num("changes_per_second")),
             num("retained_wal_bytes") < 0 ? std::string("unknown")
                                           : pipeline::FormatBytes(static_cast<uint64_t>(num("retained_wal_bytes"))));
}

void PrintValidation(const nlohmann::json& v) {
  if (!v.is_object()) return;
  fmt::print("last validation ({}): {}\n", v.value("finished_at", ""),
             v.value("equal", false) ? "equal" : "DIFFERENCES");
  for (const auto& t : v.value("tables", nlohmann::json::array())) {
    if (!t.value("equal", true))
      fmt::print("  {}: {} difference(s)\n", t.value("table", ""), t.value("differences", 0));
  }
}

}  // namespace

int Status(const core::Config& config, bool json) {
  nlohmann::json out;
  if (auto live = GetFromRunningWharf(config, "/status")) {
    out = std::move(*live);
  } else {
    auto store = staging::OpenObjectStore(config.staging, config.base_dir);
    std::unique_ptr<load::Warehouse> warehouse;
    std::string warehouse_note;
    try {
      warehouse = load::OpenWarehouse(config.target, config.base_dir);
    } catch (const Error& e) {
      // Another process holds the DuckDB file; staging-side figures still show.
      warehouse_note = e.message();
    }
    out = pipeline::BuildStatusReport(config, *store, warehouse.get(), warehouse_note);
  }
  if (json) {
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  if (out.contains("warehouse_unavailable"))
    fmt::print("warehouse: {}\n", out["warehouse_unavailable"].get<std::string>());
  if (out.contains("healthy")) {
    fmt::print("wharf run: {}\n", out["healthy"].get<bool>() ? "healthy" : "PROBLEMS");
    for (const auto& p : out["problems"]) fmt::print("  {}\n", p.get<std::string>());
  }
  for (const auto& s : out["sources"]) {
    fmt::print("source {} ({})\n", s["name"].get<std::string>(), s["dsn"].get<std::string>());
    fmt::print("  full load {}, batches staged {}, applied {}, pending {}, applied through {} at {}\n",
               s["full_load"].get<std::string>(), s["staged_batches"].get<uint64_t>(),
               s["applied_batches"].get<uint64_t>(), s["pending_batches"].get<uint64_t>(),
               s["applied_lsn"].get<std::string>(), s["applied_at"].get<std::string>());
    fmt::print("  pending {} of {} bytes (staging.max_pending_bytes); batches kept from {} (retention {})\n",
               s["pending_bytes"].get<uint64_t>(), s["max_pending_bytes"].get<uint64_t>(),
               s["first_kept_batch"].get<uint64_t>(), s["retention"].get<std::string>());
    PrintLive(s);
    if (s["capture_paused"].get<bool>()) {
      fmt::print("  capture paused: the batches the warehouse has not applied reached "
                 "staging.max_pending_bytes, so capture confirms no further WAL (PostgreSQL keeps "
                 "it). Start `wharf load` or repair the warehouse and capture resumes by itself; or "
                 "raise staging.max_pending_bytes\n");
    }
    fmt::print("  {:<36} {:<8} {:>12} {:>10} {:>8} {:>14}\n", "table", "phase", "rows copied",
               "rows/s", "eta", "warehouse rows");
    for (const auto& t : s["tables"]) {
      fmt::print("  {:<36} {:<8} {:>12} {:>10} {:>8} {:>14}\n", t["target"].get<std::string>(),
                 t["phase"].get<std::string>(), t["rows_copied"].get<uint64_t>(),
                 t["rows_per_second"].get<uint64_t>(), t["eta_seconds"].is_null() ? std::string("-") : pipeline::FormatDuration(t["eta_seconds"].get<double>()),
                 t["warehouse_rows"].is_null() ? std::string("-")
                                               : std::to_string(t["warehouse_rows"].get<uint64_t>()));
      if (!t["error"].get<std::string>().empty())
        fmt::print("      error: {}\n", t["error"].get<std::string>());
      if (!t["load_error"].get<std::string>().empty())
        fmt::print("      load error: {}\n", t["load_error"].get<std::string>());
    }
  }
  PrintModelsStatus(out["models"]);
  PrintValidation(out.value("validation", nlohmann::json()));
  return 0;
}

}  // namespace wharf::cli
