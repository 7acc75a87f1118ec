#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "load/warehouse.hpp"
#include "validate/validate.hpp"

namespace wharf::cli {

int Validate(const core::Config& config, const std::optional<std::string>& table, bool json) {
  auto warehouse = load::OpenWarehouse(config.target, config.base_dir);
  nlohmann::json out = nlohmann::json::array();
  bool equal = true;
  for (const auto& s : config.sources) {
    auto report = validate::ValidateSource(s, *warehouse, table);
    for (const auto& t : report.tables) {
      equal &= t.diff.Equal();
      if (json) {
        out.push_back({{"source", t.source},
                       {"table", t.source_table.ToString()},
                       {"target", t.target.ToString()},
                       {"equal", t.diff.Equal()},
                       {"source_rows", t.diff.source_rows},
                       {"warehouse_rows", t.diff.warehouse_rows},
                       {"missing", t.diff.missing},
                       {"extra", t.diff.extra},
                       {"different", t.diff.different},
                       {"sample", t.diff.sample}});
        if (!t.diff.skipped.empty()) out.back()["skipped"] = t.diff.skipped;
        continue;
      }
      if (!t.diff.skipped.empty()) {
        fmt::print("{:<8} {:<32} {}\n", "skipped", s.name + ":" + t.source_table.ToString(), t.diff.skipped);
        continue;
      }
      fmt::print("{:<8} {:<32} source {:>10} rows  warehouse {:>10} rows  {}\n",
                 t.diff.Equal() ? "equal" : "DIFFERS", s.name + ":" + t.source_table.ToString(),
                 t.diff.source_rows, t.diff.warehouse_rows,
                 t.diff.Equal() ? ""
                                : fmt::format("missing {}, extra {}, different {}", t.diff.missing,
                                              t.diff.extra, t.diff.different));
      for (const auto& line : t.diff.sample) fmt::print("           {}\n", line);
    }
  }
  if (json) fmt::print("{}\n", out.dump(2));
  else fmt::print("{}\n", equal ? "validate: the warehouse equals the source"
                                : "validate: differences found");
  return equal ? 0 : 1;
}

}  // namespace wharf::cli
