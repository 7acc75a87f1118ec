#include "validate/result.hpp"

namespace wharf::validate {

const char* DiffKindName(DiffKind kind) {
  switch (kind) {
    case DiffKind::kMissing:
      return "missing";
    case DiffKind::kExtra:
      return "extra";
    case DiffKind::kDifferent:
      return "different";
  }
  return "different";
}

std::string Describe(const TableResult& table, const Difference& d) {
  std::string names;
  for (const auto& k : table.key_columns) names += (names.empty() ? "" : ",") + k;
  std::string label = d.kind == DiffKind::kMissing ? "missing in warehouse:"
                      : d.kind == DiffKind::kExtra ? (d.duplicate ? "duplicated in warehouse:" : "not in source:")
                                                   : "different values:";
  std::string out = label + " (" + names + ")=(" + d.key + ")";
  if (!d.columns.empty()) {
    out += " columns ";
    for (size_t i = 0; i < d.columns.size(); ++i) out += (i ? ", " : "") + d.columns[i];
  }
  if (d.copies > 1) out += " x" + std::to_string(d.copies);
  return out;
}

nlohmann::json ToJson(const TableResult& t) {
  nlohmann::json sample = nlohmann::json::array();
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& d : t.differences) {
    nlohmann::json j = {{"kind", DiffKindName(d.kind)}, {"key", d.key}};
    if (!d.columns.empty()) j["columns"] = d.columns;
    if (d.copies > 1) j["copies"] = d.copies;
    if (d.duplicate) j["duplicate"] = true;
    sample.push_back(std::move(j));
    lines.push_back(Describe(t, d));
  }
  nlohmann::json out = {{"source", t.source},
                        {"table", t.table.ToString()},
                        {"target", t.target.ToString()},
                        {"equal", t.Equal()},
                        {"key", t.key_columns},
                        {"source_rows", t.source_rows},
                        {"warehouse_rows", t.warehouse_rows},
                        {"chunks", t.chunks},
                        {"chunks_differing", t.chunks_differing},
                        {"chunks_drilled", t.chunks_drilled},
                        {"keys_compared", t.keys_compared},
                        {"rechecks", t.rechecks},
                        {"differences", t.Differences()},
                        {"missing", t.missing},
                        {"extra", t.extra},
                        {"different", t.different},
                        {"sample", std::move(sample)},
                        {"sample_text", std::move(lines)},
                        {"elapsed_seconds", t.elapsed_seconds},
                        {"snapshot_lsn", t.snapshot_lsn.ToString()},
                        {"warehouse_lsn", t.warehouse_lsn.ToString()}};
  if (!t.note.empty()) out["note"] = t.note;
  if (!t.skipped.empty()) out["skipped"] = t.skipped;
  return out;
}

nlohmann::json ToJson(const Report& report) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : report.tables) tables.push_back(ToJson(t));
  return {{"equal", report.Equal()},
          {"finished_at", report.finished_at},
          {"finished_at_unix", report.finished_at_unix},
          {"tables", std::move(tables)}};
}

}  // namespace wharf::validate
