#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "load/warehouse.hpp"
#include "pg/connection.hpp"
#include "staging/layout.hpp"
#include "staging/staged_log.hpp"
#include "staging/state_store.hpp"

namespace wharf::cli {

int Status(const core::Config& config, bool json) {
  auto store = staging::OpenObjectStore(config.staging.url, config.base_dir);
  auto warehouse = load::OpenWarehouse(config.target, config.base_dir);
  std::map<std::string, load::SourceProgress> progress;
  for (auto& p : warehouse->Progress()) progress[p.source] = p;
  nlohmann::json out = {{"sources", nlohmann::json::array()}};
  for (const auto& s : config.sources) {
    auto seqs = staging::ListManifests(*store, s.name);
    uint64_t staged = seqs.empty() ? 0 : seqs.back();
    auto state = staging::StateStore(*store, s.name).Load();
    auto p = progress.count(s.name) ? progress[s.name] : load::SourceProgress{};
    nlohmann::json tables = nlohmann::json::array();
    if (state) {
      for (const auto& full : state->tables) {
        auto dot = full.find('.');
        core::TableName src{full.substr(0, dot), full.substr(dot + 1)};
        core::TableName target{config.TargetSchema(s, src.schema), src.name};
        auto rows = warehouse->CountRows(target);
        tables.push_back({{"table", full},
                          {"target", target.ToString()},
                          {"rows", rows ? nlohmann::json(*rows) : nlohmann::json(nullptr)}});
      }
    }
    out["sources"].push_back({{"name", s.name},
                              {"dsn", pg::RedactDsn(s.dsn)},
                              {"slot", s.slot},
                              {"full_load", state && state->snapshot_complete ? "complete" : "pending"},
                              {"staged_batches", staged},
                              {"applied_batches", p.batch_seq},
                              {"pending_batches", staged > p.batch_seq ? staged - p.batch_seq : 0},
                              {"applied_lsn", p.end_lsn.ToString()},
                              {"applied_at", p.applied_at},
                              {"tables", tables}});
  }
  if (json) {
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  for (const auto& s : out["sources"]) {
    fmt::print("source {} ({})\n", s["name"].get<std::string>(), s["dsn"].get<std::string>());
    fmt::print("  full load {}, batches staged {}, applied {}, pending {}, applied through {} at {}\n",
               s["full_load"].get<std::string>(), s["staged_batches"].get<uint64_t>(),
               s["applied_batches"].get<uint64_t>(), s["pending_batches"].get<uint64_t>(),
               s["applied_lsn"].get<std::string>(), s["applied_at"].get<std::string>());
    for (const auto& t : s["tables"]) {
      fmt::print("  {:<40} {:>12} rows\n", t["target"].get<std::string>(),
                 t["rows"].is_null() ? std::string("-") : std::to_string(t["rows"].get<uint64_t>()));
    }
  }
  return 0;
}

}  // namespace wharf::cli
