// `wharf validate`: source vs warehouse by chunk hashes (validate/validate.hpp).
// Exit 0 when every table is equal, 1 when one differs; errors exit 2 (main).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/local_client.hpp"
#include "validate/validate.hpp"

namespace wharf::cli {
namespace {

using json = nlohmann::json;

std::string Rows(const json& t) {
  return fmt::format("rows {} source / {} warehouse", t.value("source_rows", uint64_t{0}),
                     t.value("warehouse_rows", uint64_t{0}));
}

void PrintTable(const json& t) {
  const std::string name = t.value("source", "") + ":" + t.value("table", "");
  if (t.contains("skipped")) {
    fmt::print("{:<8} {:<32} {}\n", "skipped", name, t.value("skipped", ""));
    return;
  }
  const bool equal = t.value("equal", false);
  std::string chunks = fmt::format("chunks {}", t.value("chunks", uint64_t{0}));
  if (t.value("chunks_differing", uint64_t{0}) > 0)
    chunks += fmt::format(" ({} differing)", t.value("chunks_differing", uint64_t{0}));
  std::string counts = equal ? "" : fmt::format("  missing {}, extra {}, different {}", t.value("missing", uint64_t{0}),
                                                t.value("extra", uint64_t{0}), t.value("different", uint64_t{0}));
  fmt::print("{:<8} {:<32} {}  {}{}  {:.2f} s\n", equal ? "equal" : "DIFFERS", name, Rows(t), chunks, counts,
             t.value("elapsed_seconds", 0.0));
  for (const auto& line : t.value("sample_text", json::array())) fmt::print("           {}\n", line.get<std::string>());
  if (!equal && t.value("differences", uint64_t{0}) > t.value("sample_text", json::array()).size())
    fmt::print("           ... {} in all\n", t.value("differences", uint64_t{0}));
  if (t.contains("note")) fmt::print("           note: {}\n", t.value("note", ""));
}

}  // namespace

int Validate(const core::Config& config, const std::optional<std::string>& table, bool as_json) {
  // While `wharf run` holds the warehouse (one process opens a DuckDB file),
  // the running process validates with its own handle on it.
  json report;
  json request = {{"table", table ? json(*table) : json(nullptr)}};
  if (auto live = CallRunningWharf(config, "/api/validate", request.dump())) {
    report = std::move(*live);
    if (report.contains("error")) {
      fmt::print(stderr, "error: {}\n", report["error"].get<std::string>());
      return 2;
    }
  } else {
    auto options = validate::Options::FromEnvironment();
    options.only_table = table;
    report = validate::ToJson(validate::Validate(config, options));
  }
  const bool equal = report.value("equal", false);
  if (as_json) {
    fmt::print("{}\n", report.dump(2));
  } else {
    for (const auto& t : report.value("tables", json::array())) PrintTable(t);
    fmt::print("{}\n", equal ? "validate: the warehouse equals the source" : "validate: differences found");
  }
  return equal ? 0 : 1;
}

}  // namespace wharf::cli
