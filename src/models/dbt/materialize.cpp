#include "models/dbt/materialize.hpp"


#include "core/error.hpp"
#include "models/dbt/materialize_sql.hpp"
#include "models/dbt/snapshot.hpp"
#include "models/seeds/seed_csv.hpp"

namespace wharf::models::dbt {

using jinja::Value;

namespace {

// Runs the node's hooks of one kind ("pre-hook"/"post-hook"), rendered in its context.
void RunHooks(Session& s, NodeState& state, const char* kind) {
  std::vector<std::string> hooks;
  const Value* v = state.config.Find(kind);
  // A hook is SQL, or {sql: ..., transaction: ...} (every hook runs inside the node's transaction here).
  for (const Value& h : v && v->IsList() ? v->AsList() : jinja::List{v ? *v : Value()}) {
    if (h.IsDict() && h.AsDict().Find("sql")) hooks.push_back(h.AsDict().Find("sql")->Str());
    else if (h.IsString()) hooks.push_back(h.AsString());
  }
  for (const auto& hook : hooks) {
    std::string sql = s.RenderInNode(state.node->unique_id, hook, state.node->original_file_path + " " + kind);
    if (!sql.empty()) s.db()->Execute(sql);
  }
}

// One transaction around `body`, with the node's hooks inside it.
template <typename Body>
Outcome InTransaction(Session& s, NodeState& state, Body body) {
  Db& db = *s.db();
  db.Begin();
  try {
    RunHooks(s, state, "pre-hook");
    Outcome out = body();
    RunHooks(s, state, "post-hook");
    db.Commit();
    return out;
  } catch (...) {
    db.Rollback();
    throw;
  }
}

std::vector<std::string> ColumnNames(const std::vector<ColumnInfo>& cols) {
  std::vector<std::string> out;
  for (const auto& c : cols) out.push_back(c.name);
  return out;
}

// Creates `rel` from `select` as a view or table through a __dbt_tmp twin,
// then swaps it in, so readers see the old relation until the commit.
void CreateBySwap(Db& db, const Relation& rel, const std::string& select, RelKind kind) {
  Relation tmp = sql::Twin(rel, "__dbt_tmp");
  Relation backup = sql::Twin(rel, "__dbt_backup");
  for (const Relation* r : {&tmp, &backup}) {
    RelKind k = db.Kind(r->schema, r->identifier);
    if (k != RelKind::kNone) db.Execute(sql::Drop(*r, k));
  }
  db.Execute(kind == RelKind::kView ? sql::CreateView(tmp, select) : sql::CreateTableAs(tmp, select));
  RelKind existing = db.Kind(rel.schema, rel.identifier);
  if (existing != RelKind::kNone) db.Execute(sql::Rename(rel, existing, backup));
  db.Execute(sql::Rename(tmp, kind, rel));
  if (existing != RelKind::kNone) db.Execute(sql::Drop(backup, existing));
}

Outcome BuildViewOrTable(Session& s, NodeState& state, RelKind kind) {
  const std::string& select = s.Compile(state.node->unique_id);
  return InTransaction(s, state, [&] {
    CreateBySwap(*s.db(), state.relation, select, kind);
    return Outcome{"success", kind == RelKind::kView ? "CREATE VIEW" : "SELECT", std::nullopt, -1};
  });
}

// on_schema_change: what to do when the model's columns differ from the table's.
void SyncColumns(Db& db, const NodeState& state, const std::string& policy, const std::vector<ColumnInfo>& source,
                 std::vector<ColumnInfo>& target) {
  if (policy.empty() || policy == "ignore") return;
  auto has = [](const std::vector<ColumnInfo>& cols, const std::string& name) {
    for (const auto& c : cols)
      if (c.name == name) return true;
    return false;
  };
  std::vector<ColumnInfo> added, removed;
  for (const auto& c : source)
    if (!has(target, c.name)) added.push_back(c);
  for (const auto& c : target)
    if (!has(source, c.name)) removed.push_back(c);
  if (added.empty() && removed.empty()) return;
  if (policy == "fail") {
    Fail(ErrorKind::kConfig,
         "the columns of incremental model {} changed and on_schema_change is 'fail': run with --full-refresh, "
         "or set on_schema_change to append_new_columns or sync_all_columns",
         state.node->name);
  }
  if (policy != "append_new_columns" && policy != "sync_all_columns") {
    Fail(ErrorKind::kConfig, "on_schema_change '{}' is not one of ignore, fail, append_new_columns, sync_all_columns",
         policy);
  }
  for (const auto& c : added) {
    db.Execute("alter table " + state.relation.Render() + " add column " + QuoteIdent(c.name) + " " + c.data_type);
    target.push_back(c);
  }
  if (policy == "sync_all_columns") {
    for (const auto& c : removed) {
      db.Execute("alter table " + state.relation.Render() + " drop column " + QuoteIdent(c.name));
      std::erase_if(target, [&](const ColumnInfo& t) { return t.name == c.name; });
    }
  }
}

Outcome BuildIncremental(Session& s, NodeState& state) {
  bool incremental = s.IsIncremental(state);
  const std::string& select = s.Compile(state.node->unique_id);
  if (!incremental) {
    return InTransaction(s, state, [&] {
      CreateBySwap(*s.db(), state.relation, select, RelKind::kTable);
      return Outcome{"success", "SELECT", std::nullopt, -1};
    });
  }
  std::string strategy = state.ConfigString("incremental_strategy");
  std::vector<std::string> keys = state.ConfigList("unique_key");
  if (strategy.empty()) strategy = keys.empty() ? "append" : "delete+insert";
  if (strategy != "append" && strategy != "delete+insert" && strategy != "merge") {
    Fail(ErrorKind::kUnsupported,
         "incremental_strategy '{}' of model {} is not supported: use append, delete+insert or merge", strategy,
         state.node->name);
  }
  if (strategy != "append" && keys.empty()) {
    Fail(ErrorKind::kConfig, "incremental_strategy '{}' of model {} needs a unique_key", strategy, state.node->name);
  }
  return InTransaction(s, state, [&] {
    Db& db = *s.db();
    Relation tmp = sql::Twin(state.relation, "__dbt_tmp");
    std::string tmp_name = QuoteIdent(tmp.identifier);
    db.Execute("drop table if exists " + tmp_name);
    db.Execute(sql::CreateTableAs(tmp, select, /*temporary=*/true));
    std::vector<ColumnInfo> source;
    {
      QueryResult probe = db.Query("select * from " + tmp_name + " limit 0");
      for (const auto& c : probe.columns) source.push_back({c, ""});
    }
    std::vector<ColumnInfo> target = db.Columns(state.relation.schema, state.relation.identifier);
    std::string policy = state.ConfigString("on_schema_change");
    if (!policy.empty() && policy != "ignore") {
      source = db.TempColumns(tmp.identifier);  // with the types new columns get
      SyncColumns(db, state, policy, source, target);
    }
    // With on_schema_change ignore (dbt's default), the table's columns that
    // the model also has are written; a dropped model column is left NULL.
    std::vector<std::string> columns;
    for (const auto& t : target)
      for (const auto& c : source)
        if (c.name == t.name) columns.push_back(t.name);
    if (strategy == "delete+insert") db.Execute(sql::DeleteMatching(state.relation, tmp_name, keys));
    if (strategy == "merge") {
      std::vector<std::string> update = state.ConfigList("merge_update_columns");
      std::vector<std::string> exclude = state.ConfigList("merge_exclude_columns");
      if (update.empty()) update = columns;
      std::erase_if(update, [&](const std::string& c) { return std::count(exclude.begin(), exclude.end(), c) > 0; });
      if (!update.empty()) db.Execute(sql::MergeUpdate(state.relation, tmp_name, keys, update));
      db.Execute(sql::MergeInsert(state.relation, tmp_name, keys, columns));
    } else {
      db.Execute(sql::InsertFrom(state.relation, tmp_name, columns));
    }
    db.Execute("drop table if exists " + tmp_name);
    return Outcome{"success", strategy == "append" ? "INSERT" : strategy == "merge" ? "MERGE" : "DELETE+INSERT",
                   std::nullopt, -1};
  });
}

// A seed column keeps its name when it is a plain lower-case identifier (as
// dbt leaves it unquoted); quote_columns: true keeps every name as written.
std::string SeedColumnName(const std::string& name, bool quote_columns) {
  if (quote_columns) return name;
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool plain = !lower.empty() && !std::isdigit(static_cast<unsigned char>(lower[0]));
  for (char c : lower) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return plain ? lower : name;
}

Outcome BuildSeed(Session& s, NodeState& state) {
  std::string text = project::ReadTextFile(state.node->seed_file, state.node->original_file_path);
  std::map<std::string, std::string> column_types;
  if (const Value* ct = state.config.Find("column_types"); ct && ct->IsDict())
    for (const auto& [k, v] : ct->AsDict()) column_types[k] = v.Str();
  std::string delimiter = state.ConfigString("delimiter");
  auto table = seeds::ParseSeed(text, state.node->original_file_path, column_types,
                                delimiter.empty() ? ',' : delimiter[0]);
  const Value* qc = state.config.Find("quote_columns");
  std::vector<std::string> columns, types;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    columns.push_back(SeedColumnName(table.columns[i], qc && qc->Truthy()));
    auto it = column_types.find(table.columns[i]);
    types.push_back(it != column_types.end() ? it->second : seeds::SqlType(table, i, s.loaded().profile.type));
  }
  return InTransaction(s, state, [&] {
    Db& db = *s.db();
    const Relation& rel = state.relation;
    db.Execute(sql::CreateSchema(db.type(), rel));
    RelKind existing = db.Kind(rel.schema, rel.identifier);
    bool same_columns = existing == RelKind::kTable && ColumnNames(db.Columns(rel.schema, rel.identifier)) == columns;
    if (existing != RelKind::kNone && (s.flags().full_refresh || !same_columns)) {
      db.Execute(sql::Drop(rel, existing));
      existing = RelKind::kNone;
    }
    if (existing == RelKind::kNone) db.Execute(sql::CreateTable(rel, columns, types));
    else db.Execute("delete from " + rel.Render());
    constexpr size_t kRowsPerInsert = 1000;
    for (size_t b = 0; b < table.rows.size(); b += kRowsPerInsert)
      db.Execute(sql::InsertValues(rel, columns, table.rows, b, std::min(table.rows.size(), b + kRowsPerInsert)));
    return Outcome{"success", "INSERT " + std::to_string(table.rows.size()), std::nullopt,
                   static_cast<int64_t>(table.rows.size())};
  });
}

}  // namespace

Outcome BuildNode(Session& s, NodeState& state) {
  if (!state.parse_error.empty()) throw Error(ErrorKind::kConfig, state.parse_error);
  switch (state.node->kind) {
    case project::NodeKind::kSeed: return BuildSeed(s, state);
    case project::NodeKind::kSnapshot: return BuildSnapshot(s, state);
    default: break;
  }
  std::string m = state.materialized();
  if (m == "ephemeral") {
    s.Compile(state.node->unique_id);
    return Outcome{"success", "OK", std::nullopt, -1};
  }
  if (m != "view" && m != "table" && m != "incremental") {
    Fail(ErrorKind::kUnsupported,
         "materialization '{}' of {} is not supported: use view, table, incremental or ephemeral", m,
         state.node->name);
  }
  s.db()->Execute(sql::CreateSchema(s.db()->type(), state.relation));
  if (m == "incremental") return BuildIncremental(s, state);
  return BuildViewOrTable(s, state, m == "view" ? RelKind::kView : RelKind::kTable);
}

Outcome RunTestNode(Session& s, NodeState& state) {
  const std::string& select = s.Compile(state.node->unique_id);
  auto conf = [&](const char* key, const char* fallback) {
    std::string v = state.ConfigString(key);
    return v.empty() ? std::string(fallback) : v;
  };
  std::string limit;
  if (const Value* l = state.config.Find("limit"); l && l->IsInt()) limit = std::to_string(l->AsInt());
  // store_failures: the failing rows kept in <schema>_dbt_test__audit.<test>, and counted from there.
  const Value* store = state.config.Find("store_failures");
  std::string source = select;
  if ((store && store->IsBool()) ? store->AsBool() : s.flags().store_failures) {
    const auto& target = s.loaded().profile;
    std::string suffix = state.ConfigString("schema");
    Relation audit{target.database, target.schema + "_" + (suffix.empty() ? "dbt_test__audit" : suffix),
                   state.ConfigString("alias").empty() ? state.node->name : state.ConfigString("alias"), RelKind::kTable};
    InTransaction(s, state, [&] {
      s.db()->Execute(sql::CreateSchema(s.db()->type(), audit));
      CreateBySwap(*s.db(), audit, select, RelKind::kTable);
      return Outcome{};
    });
    source = "select * from " + audit.Render();
  }
  QueryResult r = s.db()->Query(
      sql::TestQuery(source, conf("fail_calc", "count(*)"), conf("warn_if", "!= 0"), conf("error_if", "!= 0"), limit));
  if (r.rows.empty()) Fail(ErrorKind::kWarehouse, "test {} returned no row", state.node->name);
  auto truthy = [](const std::optional<std::string>& v) {
    return v && (*v == "true" || *v == "t" || *v == "1" || *v == "True");
  };
  int64_t failures = r.rows[0][0] ? std::stoll(*r.rows[0][0]) : 0;
  bool warn = truthy(r.rows[0][1]), error = truthy(r.rows[0][2]);
  std::string severity = conf("severity", "error");
  for (auto& c : severity) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string got = fmt::format("Got {} result{}, configured to ", failures, failures == 1 ? "" : "s");
  if (severity == "error" && error) return Outcome{"fail", got + "fail if " + conf("error_if", "!= 0"), failures, -1};
  if (warn) return Outcome{"warn", got + "warn if " + conf("warn_if", "!= 0"), failures, -1};
  return Outcome{"pass", "PASS", failures, -1};
}

}  // namespace wharf::models::dbt
