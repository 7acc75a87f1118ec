#include "models/dbt/snapshot.hpp"

#include "core/error.hpp"
#include "models/dbt/materialize_sql.hpp"

namespace wharf::models::dbt {

using jinja::Value;

namespace {

struct Strategy {
  std::vector<std::string> keys;  // unique_key expressions over the source's columns
  std::string updated_at;         // timestamp: the column; check: empty
  std::vector<std::string> check_cols;  // check: the columns compared; empty with "all"
  bool check_all = false;
  bool invalidate_deletes = false;
};

Strategy ReadStrategy(const NodeState& state) {
  Strategy s;
  const std::string& name = state.node->name;
  s.keys = state.ConfigList("unique_key");
  if (s.keys.empty()) Fail(ErrorKind::kConfig, "snapshot {} needs a unique_key in its config", name);
  std::string strategy = state.ConfigString("strategy");
  if (strategy == "timestamp") {
    s.updated_at = state.ConfigString("updated_at");
    if (s.updated_at.empty()) Fail(ErrorKind::kConfig, "snapshot {}: the timestamp strategy needs updated_at", name);
  } else if (strategy == "check") {
    const Value* cols = state.config.Find("check_cols");
    s.check_all = cols && cols->IsString() && cols->AsString() == "all";
    if (!s.check_all) s.check_cols = state.ConfigList("check_cols");
    if (!s.check_all && s.check_cols.empty())
      Fail(ErrorKind::kConfig, "snapshot {}: the check strategy needs check_cols (a list, or 'all')", name);
  } else {
    Fail(ErrorKind::kConfig, "snapshot {}: strategy must be 'timestamp' or 'check', not '{}'", name, strategy);
  }
  const Value* inv = state.config.Find("invalidate_hard_deletes");
  s.invalidate_deletes = (inv && inv->Truthy()) || state.ConfigString("hard_deletes") == "invalidate";
  return s;
}

std::string KeyMatch(const Strategy& s, const std::string& a, const std::string& b) {
  std::string out;
  for (const auto& k : s.keys) out += (out.empty() ? "" : " and ") + a + "." + k + " = " + b + "." + k;
  return "(" + out + ")";
}

std::string ScdId(const Strategy& s, const std::string& alias, const std::string& updated) {
  std::string parts;
  for (const auto& k : s.keys) parts += "coalesce(cast(" + alias + "." + k + " as varchar), '') || '|' || ";
  return "md5(" + parts + "coalesce(cast(" + updated + " as varchar), ''))";
}

// What changed a current row: its updated_at grew, or a checked column differs.
std::string Changed(const Strategy& s, const std::vector<std::string>& columns) {
  if (!s.updated_at.empty()) return "src." + s.updated_at + " > snap.dbt_updated_at";
  std::string out;
  for (const auto& c : s.check_all ? columns : s.check_cols) {
    std::string col = s.check_all ? QuoteIdent(c) : c;
    out += (out.empty() ? "" : " or ") + std::string("snap.") + col + " is distinct from src." + col;
  }
  return "(" + out + ")";
}

}  // namespace

Outcome BuildSnapshot(Session& session, NodeState& state) {
  Strategy strategy = ReadStrategy(state);
  const std::string& select = session.Compile(state.node->unique_id);
  Db& db = *session.db();
  const Relation& rel = state.relation;
  db.Execute(sql::CreateSchema(db.type(), rel));
  // The snapshot's clock: one instant for every row this run writes.
  std::string now = "cast('" + db.Query("select cast(now() as timestamp)").rows[0][0].value_or("") + "' as timestamp)";
  std::string updated = strategy.updated_at.empty() ? now : "src." + strategy.updated_at;
  db.Begin();
  try {
    if (db.Kind(rel.schema, rel.identifier) == RelKind::kNone) {
      std::string valid_to = strategy.updated_at.empty() ? "cast(null as timestamp)" : "nullif(" + updated + ", " + updated + ")";
      db.Execute(sql::CreateTableAs(rel, "select src.*, " + ScdId(strategy, "src", updated) + " as dbt_scd_id, " +
                                             updated + " as dbt_updated_at, " + updated + " as dbt_valid_from, " +
                                             valid_to + " as dbt_valid_to from (\n" + select + "\n) src"));
      db.Commit();
      return Outcome{"success", "SELECT", std::nullopt, -1};
    }
    std::string staged = QuoteIdent(rel.identifier + "__dbt_tmp");
    db.Execute("drop table if exists " + staged);
    db.Execute("create temporary table " + staged + " as (\n" + select + "\n)");
    std::vector<std::string> columns = db.Query("select * from " + staged + " limit 0").columns;
    std::string current = " snap.dbt_valid_to is null ";
    // Close the current version of every changed row, and of deleted ones.
    db.Execute("update " + rel.Render() + " as snap set dbt_valid_to = " + updated + " from " + staged +
               " as src where " + KeyMatch(strategy, "snap", "src") + " and" + current + "and " +
               Changed(strategy, columns));
    if (strategy.invalidate_deletes) {
      db.Execute("update " + rel.Render() + " as snap set dbt_valid_to = " + now + " where" + current +
                 "and not exists (select 1 from " + staged + " as src where " + KeyMatch(strategy, "snap", "src") + ")");
    }
    // A new version for every row with no current version: new keys, changed rows.
    std::string cols;
    for (const auto& c : columns) cols += QuoteIdent(c) + ", ";
    std::string src_cols;
    for (const auto& c : columns) src_cols += "src." + QuoteIdent(c) + ", ";
    db.Execute("insert into " + rel.Render() + " (" + cols + "dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to) "
               "select " + src_cols + ScdId(strategy, "src", updated) + ", " + updated + ", " + updated +
               ", null from " + staged + " as src where not exists (select 1 from " + rel.Render() +
               " as snap where " + KeyMatch(strategy, "snap", "src") + " and" + current + ")");
    db.Execute("drop table if exists " + staged);
    db.Commit();
  } catch (...) {
    db.Rollback();
    throw;
  }
  return Outcome{"success", "MERGE", std::nullopt, -1};
}

}  // namespace wharf::models::dbt
