#pragma once
// How a warehouse table reflects its source table (DESIGN.md "Warehouse
// tables"): the table's shape and what a change does to it.
//   mirror       the source's current rows (+ _wharf_lsn, _wharf_synced_at)
//   soft_delete  mirror, but a deleted row stays, flagged _wharf_deleted
//   history      every version of every row (SCD type 2), _wharf_valid_from/_to
//   append       every change as a row: the raw change log, never rewritten
// Chosen per warehouse table by ModeRules (target.mode and target.tables).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/relation.hpp"

namespace wharf::load {

enum class LoadMode { kMirror, kSoftDelete, kHistory, kAppend };

std::string_view ModeName(LoadMode mode);
std::optional<LoadMode> ParseLoadMode(std::string_view name);
// "mirror, soft_delete, history or append", for messages.
std::string ModeNames();

// target.mode plus the target.tables overrides, in file order: the first
// entry whose glob matches the source table or the warehouse table wins.
class ModeRules {
 public:
  ModeRules() = default;  // mirror everywhere
  // Throws kConfig for a mode name it does not know.
  explicit ModeRules(const core::TargetConfig& target);

  LoadMode For(const core::TableName& source_table, const core::TableName& target) const;

  struct Table {
    core::TableName source_table;
    core::TableName target;
  };
  // Throws kConfig for an override that matches none of `tables` (every
  // table of every source), naming the nearest table so a misspelt entry
  // does not silently leave a table in the default mode.
  void CheckAllMatch(const std::vector<Table>& tables) const;

 private:
  struct Rule {
    core::TableModeRule config;
    LoadMode mode;
  };
  LoadMode default_ = LoadMode::kMirror;
  std::vector<Rule> rules_;
};

}  // namespace wharf::load
