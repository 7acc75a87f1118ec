#pragma once
// How a warehouse table reflects its source table (DESIGN.md "Warehouse
// tables"): the table's shape and what a change does to it.
//   mirror       the source's current rows (+ _wharf_lsn, _wharf_synced_at)
//   soft_delete  mirror, but a deleted row stays, flagged _wharf_deleted
//   history      every version of every row (SCD type 2), _wharf_valid_from/_to
//   append       every change as a row: the raw change log, never rewritten
// Chosen per warehouse table by ModeRules (target.mode and target.tables).
#include <cstdint>
#include <optional>
#include <set>
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

// wharf's columns of a table in `mode` beyond _wharf_lsn and _wharf_synced_at
// (which every mode has), in table order. One definition for every target:
// the type names are ones DuckDB and PostgreSQL both know.
struct ModeColumn {
  std::string name;  // lower case
  std::string type;
};
std::vector<ModeColumn> ModeColumns(LoadMode mode);
// The mode a table was created in, from its (lower-cased) column names.
LoadMode ModeOfColumns(const std::set<std::string>& columns);

// Throws kConfig with the fix when warehouse table `target` (loaded from
// `source`), which exists in mode `existing`, is now to be loaded in `wanted`:
// a table cannot change mode in place.
void ExpectSameMode(const core::TableName& target, LoadMode existing, LoadMode wanted,
                    const core::TableName& source);
// append: _wharf_unchanged, the names of the columns a change left out as
// unchanged TOAST, as a JSON array (["body","doc"]).
std::string UnchangedColumnsJson(const core::RelationSchema& schema,
                                 const std::vector<uint32_t>& columns);

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
