#include "load/schema_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <set>

namespace wharf::load {

namespace {

using K = core::LogicalKind;

// Decimal digits before the point every value of an integer kind needs.
int IntegerDigits(K k) { return k == K::kInt16 ? 5 : k == K::kInt32 ? 10 : 19; }
bool IsInteger(K k) { return k == K::kInt16 || k == K::kInt32 || k == K::kInt64; }
int Rank(K k) { return k == K::kInt16 ? 0 : k == K::kInt32 ? 1 : 2; }

bool ScalarWidening(const core::LogicalType& from, const core::LogicalType& to) {
  if (from.kind == to.kind && from.precision == to.precision && from.scale == to.scale) return true;
  if (IsInteger(from.kind) && IsInteger(to.kind)) return Rank(from.kind) <= Rank(to.kind);
  if (IsInteger(from.kind) && to.kind == K::kDecimal)
    return to.precision - to.scale >= IntegerDigits(from.kind);
  if (from.kind == K::kFloat32 && to.kind == K::kFloat64) return true;  // exact in both systems
  if (from.kind == K::kDecimal && to.kind == K::kDecimal)
    return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
  // The warehouse's text of an integer or a decimal is PostgreSQL's: 42, -7, 1.50.
  if ((IsInteger(from.kind) || from.kind == K::kDecimal) && to.kind == K::kText) return true;
  return false;
}

}  // namespace

core::Column RecordedSource(core::Column c) {
  c.is_key = false;
  c.missing.reset();
  c.name.clear();
  c.attnum = 0;
  return c;
}

bool IsWharfColumn(const std::string& name) { return FoldCase(name).rfind("_wharf_", 0) == 0; }

std::vector<WarehouseColumn> ColumnsByName(const std::vector<std::string>& physical,
                                           const core::RelationSchema& schema,
                                           const core::TypeOptions& options, bool fold_case) {
  std::vector<WarehouseColumn> out;
  for (const auto& name : physical) {
    if (IsWharfColumn(name)) continue;
    WarehouseColumn w;
    w.name = name;
    const core::Column* match = nullptr;
    for (const auto& c : schema.columns)
      if (fold_case ? FoldCase(c.name) == FoldCase(name) : c.name == name) match = &c;
    if (match) {
      w.source = RecordedSource(*match);
    } else {
      w.source.type_oid = core::oid::kText;
      w.dropped = true;
    }
    w.type = core::MapColumnType(w.source, options);
    out.push_back(std::move(w));
  }
  return out;
}

std::string StopReason(const std::string& error, uint64_t seq, const core::TableName& source_table) {
  return error + ". Its changes are not loaded from batch " + std::to_string(seq) +
         " on; copy it again with `wharf resync --table " + source_table.ToString() +
         "` (it loads again from that copy on)";
}

std::string DescribeStep(const SchemaStep& s, const std::string& type_name) {
  switch (s.kind) {
    case SchemaStep::Kind::kAdd:
      return "added column " + s.column + " " + type_name + (s.fill ? " (existing rows: " + *s.fill + ")" : "");
    case SchemaStep::Kind::kRename:
      return "renamed column " + s.column + " to " + s.new_name;
    case SchemaStep::Kind::kDrop:
      return "dropped column " + s.column;
    case SchemaStep::Kind::kAlterType:
      return "column " + s.column + " widened to " + type_name;
  }
  return "";
}

std::string FoldCase(std::string name) {
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

bool IsWidening(const core::LogicalType& from, const core::LogicalType& to) {
  if (from.kind == K::kList || to.kind == K::kList) {
    return from.kind == K::kList && to.kind == K::kList && from.dims == to.dims &&
           from.delimiter == to.delimiter && to.Element().kind != K::kText &&
           ScalarWidening(from.Element(), to.Element());
  }
  return ScalarWidening(from, to);
}

SchemaPlan DiffSchema(const std::vector<WarehouseColumn>& current, const core::RelationSchema& source,
                      const std::vector<core::LogicalType>& types, DroppedColumns policy) {
  SchemaPlan plan;
  const size_t n = source.columns.size();
  // Which current column each source column continues (-1: a new column).
  std::vector<int> match(n, -1);
  std::vector<bool> taken(current.size(), false);
  for (size_t i = 0; i < n; ++i) {
    const auto& s = source.columns[i];
    auto pick = [&](auto&& pred) {
      for (size_t k = 0; k < current.size(); ++k)
        if (!taken[k] && pred(current[k])) return static_cast<int>(k);
      return -1;
    };
    if (s.attnum != 0) match[i] = pick([&](const WarehouseColumn& w) { return w.attnum == s.attnum; });
    // Unknown attnums on either side: the same name is the same column.
    if (match[i] < 0) {
      match[i] = pick([&](const WarehouseColumn& w) {
        return (w.attnum == 0 || s.attnum == 0) && !w.dropped && FoldCase(w.name) == FoldCase(s.name);
      });
    }
    if (match[i] >= 0) taken[match[i]] = true;
  }

  // Columns the source no longer has.
  std::vector<WarehouseColumn> kept;
  for (size_t k = 0; k < current.size(); ++k) {
    if (taken[k]) continue;
    if (current[k].dropped || policy == DroppedColumns::kKeep) {
      kept.push_back(current[k]);
      kept.back().dropped = true;
    } else {
      plan.steps.push_back({SchemaStep::Kind::kDrop, current[k].name, "", {}, std::nullopt, 0});
    }
  }

  // Renames. Names are compared as DuckDB does (case-insensitively); a rename onto a name still
  // held by another column, or one changing only the case, goes through a temporary name first.
  std::set<std::string> final_names;
  for (const auto& c : source.columns) final_names.insert(FoldCase(c.name));
  std::set<std::string> held;  // names in use after the drops
  for (size_t k = 0; k < current.size(); ++k) {
    bool dropped_now = !taken[k] && !current[k].dropped && policy == DroppedColumns::kDrop;
    if (!dropped_now) held.insert(FoldCase(current[k].name));
  }
  // A kept dropped column standing on a name a live column takes moves aside.
  for (auto& w : kept) {
    if (!final_names.count(FoldCase(w.name))) continue;
    std::string aside = w.name + "_dropped" + (w.attnum ? "_" + std::to_string(w.attnum) : "");
    plan.steps.push_back({SchemaStep::Kind::kRename, w.name, aside, {}, std::nullopt, 0});
    held.erase(FoldCase(w.name));
    held.insert(FoldCase(aside));
    w.name = aside;
  }
  std::vector<std::pair<size_t, std::string>> second;  // source index, temporary name
  for (size_t i = 0; i < n; ++i) {
    if (match[i] < 0) continue;
    const std::string& from = current[match[i]].name;
    const std::string& to = source.columns[i].name;
    if (from == to) continue;
    if (held.count(FoldCase(to)) || FoldCase(from) == FoldCase(to)) {
      std::string tmp = "_wharf_rename_" + std::to_string(i);
      plan.steps.push_back({SchemaStep::Kind::kRename, from, tmp, {}, std::nullopt, i});
      second.emplace_back(i, tmp);
    } else {
      plan.steps.push_back({SchemaStep::Kind::kRename, from, to, {}, std::nullopt, i});
      held.insert(FoldCase(to));
    }
    held.erase(FoldCase(from));
  }
  for (const auto& [i, tmp] : second)
    plan.steps.push_back({SchemaStep::Kind::kRename, tmp, source.columns[i].name, {}, std::nullopt, i});

  // Types, then new columns.
  for (size_t i = 0; i < n; ++i) {
    if (match[i] < 0) continue;
    const auto& w = current[match[i]];
    if (w.type == types[i]) continue;
    if (!IsWidening(w.type, types[i])) {
      plan.error = fmt::format(
          "column {} changed type from {} to {} on the source, which the warehouse cannot take "
          "without losing or guessing values (only widening changes are applied)",
          source.columns[i].name, core::LogicalTypeName(w.type), core::LogicalTypeName(types[i]));
      return plan;
    }
    plan.steps.push_back({SchemaStep::Kind::kAlterType, source.columns[i].name, "", types[i],
                          std::nullopt, i});
  }
  for (size_t i = 0; i < n; ++i) {
    if (match[i] >= 0) continue;
    plan.steps.push_back({SchemaStep::Kind::kAdd, source.columns[i].name, "", types[i],
                          source.columns[i].missing, i});
  }

  for (size_t i = 0; i < n; ++i) {
    WarehouseColumn w;
    w.name = source.columns[i].name;
    w.attnum = source.columns[i].attnum ? source.columns[i].attnum
                                        : (match[i] >= 0 ? current[match[i]].attnum : 0);
    w.source = RecordedSource(source.columns[i]);
    w.type = types[i];
    plan.after.push_back(std::move(w));
  }
  for (auto& w : kept) plan.after.push_back(std::move(w));
  // Compared in attnum order: kept columns move to the end of `after` without anything changing.
  auto sorted = [](std::vector<WarehouseColumn> v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return std::tie(a.attnum, a.name) < std::tie(b.attnum, b.name);
    });
    return v;
  };
  plan.metadata_changed = sorted(plan.after) != sorted(current);
  return plan;
}

}  // namespace wharf::load
