#include "models/dbt/session.hpp"

#include <random>

#include "core/error.hpp"
#include "models/dbt/builtin_macros.hpp"
#include "models/dbt/cte.hpp"
#include "models/jinja/parser.hpp"

namespace wharf::models::dbt {

using jinja::CallArgs;
using jinja::Dict;
using jinja::List;
using jinja::Value;
using project::NodeKind;

std::string NodeState::ConfigString(std::string_view key) const {
  const Value* v = config.Find(key);
  return v && v->IsString() ? v->AsString() : std::string();
}

std::vector<std::string> NodeState::ConfigList(std::string_view key) const {
  std::vector<std::string> out;
  const Value* v = config.Find(key);
  if (!v || v->IsNone()) return out;
  if (v->IsList()) {
    for (const auto& item : v->AsList()) out.push_back(item.Str());
  } else if (!v->Str().empty()) {
    out.push_back(v->Str());
  }
  return out;
}

std::string NodeState::materialized() const {
  std::string m = ConfigString("materialized");
  if (!m.empty()) return m;
  switch (node->kind) {
    case NodeKind::kSeed: return "seed";
    case NodeKind::kSnapshot: return "snapshot";
    case NodeKind::kTest: return "test";
    default: return "view";
  }
}

namespace {

std::string NewInvocationId() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  std::uniform_int_distribution<uint64_t> dist;
  auto hex = [](uint64_t v, int digits) {
    std::string s(static_cast<size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = "0123456789abcdef"[v & 15];
    return s;
  };
  uint64_t a = dist(gen), b = dist(gen);
  return hex(a >> 32, 8) + "-" + hex(a >> 16, 4) + "-4" + hex(a, 3) + "-" + hex(8 | (b >> 62), 1) +
         hex(b >> 48, 3) + "-" + hex(b, 12);
}

// Points Session::current_ at a render for a scope, and back when the
// render ends, however it ends.
template <typename T>
struct Restore {
  Restore(T*& slot, T* now) : slot_(slot), saved_(slot) { slot_ = now; }
  ~Restore() { slot_ = saved_; }
  Restore(const Restore&) = delete;
  Restore& operator=(const Restore&) = delete;

 private:
  T*& slot_;
  T* saved_;
};

RelKind KindOf(const std::string& materialized) {
  return materialized == "view" ? RelKind::kView : RelKind::kTable;
}

}  // namespace

Session::Session(Loaded loaded, Db* db, Flags flags)
    : loaded_(std::move(loaded)), db_(db), flags_(std::move(flags)), env_(std::make_unique<jinja::Environment>()),
      invocation_id_(NewInvocationId()) {
  RegisterContext();
  project::AddNativeFilters(*env_);
  LoadMacros();
  for (const auto& node : loaded_.manifest.nodes) {
    NodeState state;
    state.node = &node;
    state.config = node.config;
    nodes_.emplace(node.unique_id, std::move(state));
    if (node.kind == NodeKind::kModel || node.kind == NodeKind::kSeed || node.kind == NodeKind::kSnapshot) {
      by_name_.emplace(node.name, node.unique_id);
    }
  }
  for (const auto& s : loaded_.manifest.sources) sources_[s.unique_id] = &s;
}

Session::~Session() = default;

void Session::LoadMacros() {
  env_->AddMacros(jinja::Parse(BuiltinMacros(), "dbt/include/global_project/macros"), "dbt");
  for (const auto& file : loaded_.manifest.macros) {
    // A broken macro file breaks every node that could call it, as in dbt:
    // the error names the file, line and column.
    env_->AddMacros(jinja::Parse(file.text, file.path), loaded_.project.name);
  }
}

NodeState& Session::node(const std::string& unique_id) {
  auto it = nodes_.find(unique_id);
  if (it == nodes_.end()) Fail(ErrorKind::kInternal, "unknown node {}", unique_id);
  return it->second;
}

const project::SourceTable* Session::source(const std::string& unique_id) const {
  auto it = sources_.find(unique_id);
  return it == sources_.end() ? nullptr : it->second;
}

std::vector<std::string> Session::TakeLogs() { return std::exchange(logs_, {}); }

Relation Session::SourceRelation(const project::SourceTable& t) const {
  return Relation{t.database.empty() ? loaded_.profile.database : t.database, t.schema, t.identifier, RelKind::kTable};
}

// ---- ref() and source() -----------------------------------------------------

Value Session::RefValue(Render& r, const CallArgs& args) {
  if (args.positional.empty() || args.positional.size() > 2) {
    jinja::ThrowValueError("ref() takes a model name, or a package name and a model name");
  }
  std::string name = args.positional.back().Str();
  if (args.positional.size() == 2) {
    std::string package = args.positional[0].Str();
    if (package != loaded_.project.name) {
      jinja::ThrowValueError(fmt::format("ref('{}', '{}'): package '{}' is not installed (wharf runs one project "
                                         "and no packages from dbt Hub)",
                                         package, name, package));
    }
  }
  auto it = by_name_.find(name);
  if (!r.execute) {
    r.state->refs.push_back(name);
    if (it != by_name_.end()) r.state->depends_on.push_back(it->second);
    // While parsing, dbt hands out a placeholder; the name is enough.
    return RelationValue(Relation{loaded_.profile.database, loaded_.profile.schema, name});
  }
  if (it == by_name_.end()) {
    jinja::ThrowValueError(fmt::format("ref('{}'): no model, seed or snapshot named '{}'", name, name));
  }
  NodeState& target = node(it->second);
  return RelationValue(target.relation);
}

Value Session::SourceValue(Render& r, const std::string& source_name, const std::string& table) {
  std::string id = "source." + loaded_.project.name + "." + source_name + "." + table;
  const project::SourceTable* t = source(id);
  if (!r.execute && t) r.state->depends_on.push_back(id);
  if (!t) {
    jinja::ThrowValueError(fmt::format("source('{}', '{}') is not declared: add it under sources: in a .yml file "
                                       "of the project",
                                       source_name, table));
  }
  return RelationValue(SourceRelation(*t));
}

// ---- rendering ----------------------------------------------------------------

namespace {

// A YAML argument of a generic test as Jinja source: ref('x')/source(...)
// strings are expressions (dbt renders them), everything else a literal.
std::string ArgumentSource(const Value& v) {
  if (v.IsString()) {
    const std::string& s = v.AsString();
    if (s.rfind("ref(", 0) == 0 || s.rfind("source(", 0) == 0) return s;
    if (s.size() > 4 && s.rfind("{{", 0) == 0 && s.substr(s.size() - 2) == "}}") return s.substr(2, s.size() - 4);
  }
  return v.Repr();
}

std::string StripBraces(const std::string& s) {
  auto b = s.find("{{"), e = s.rfind("}}");
  if (b == std::string::npos || e == std::string::npos || e < b) return s;
  return s.substr(b + 2, e - b - 2);
}

}  // namespace

std::string Session::NodeTemplateText(const NodeState& state) const {
  const project::Node& n = *state.node;
  if (!n.test) return n.raw_code;
  const project::GenericTest& t = *n.test;
  std::string macro = (t.namespace_.empty() ? "" : t.namespace_ + ".") + "test_" + t.test_name;
  std::string call = "{{ " + macro + "(model=" + StripBraces(t.model_arg);
  for (const auto& [k, v] : t.kwargs) {
    if (k == "model") continue;
    call += ", " + k + "=" + ArgumentSource(v);
  }
  return call + ") }}";
}

namespace {

// `model` (and `node` in naming macros) as templates see it.
Value NodeValue(const NodeState& s, const std::string& schema, const std::string& database) {
  const project::Node& n = *s.node;
  List fqn;
  for (const auto& f : n.fqn) fqn.emplace_back(f);
  Dict columns;
  for (const auto& c : n.columns) {
    columns.Set(c.name, Value(Dict{{"name", Value(c.name)},
                                   {"description", Value(c.description)},
                                   {"data_type", c.data_type.empty() ? Value() : Value(c.data_type)}}));
  }
  const Value* tags = s.config.Find("tags");
  return Value(Dict{{"name", Value(n.name)},
                    {"unique_id", Value(n.unique_id)},
                    {"resource_type", Value(project::NodeKindName(n.kind))},
                    {"package_name", Value(n.package_name)},
                    {"path", Value(n.path)},
                    {"original_file_path", Value(n.original_file_path)},
                    {"fqn", Value(std::move(fqn))},
                    {"config", Value(s.config)},
                    {"tags", tags ? *tags : Value(List{})},
                    {"alias", Value(s.relation.identifier.empty() ? n.name : s.relation.identifier)},
                    {"schema", Value(schema)},
                    {"database", Value(database)},
                    {"description", Value(s.description)},
                    {"columns", Value(std::move(columns))},
                    {"raw_code", Value(n.raw_code)},
                    {"raw_sql", Value(n.raw_code)},
                    {"version", Value()}});
}

}  // namespace

Dict Session::NodeContext(NodeState& state) {
  Dict ctx;
  ctx.Set("this", RelationValue(state.relation));
  ctx.Set("model", NodeValue(state, state.relation.schema, state.relation.database));
  ctx.Set("execute", Value(current_ && current_->execute));
  return ctx;
}

std::string Session::RenderNode(NodeState& state, bool execute) {
  Render render{&state, execute};
  Restore<Render> restore(current_, &render);
  auto it = templates_.find(state.node->unique_id);
  if (it == templates_.end()) {
    std::string name = state.node->original_file_path;
    if (state.node->test) name = state.node->patch_path.empty() ? state.node->unique_id : state.node->patch_path;
    it = templates_.emplace(state.node->unique_id, jinja::Parse(NodeTemplateText(state), name)).first;
  }
  return env_->Render(it->second, NodeContext(state));
}

std::string Session::RenderInline(const std::string& text, const Dict& extra) {
  static const project::Node kInline = [] {
    project::Node n;
    n.unique_id = "sql_operation.inline";
    n.name = "inline";
    return n;
  }();
  NodeState state;
  state.node = &kInline;
  Render render{&state, false};
  Restore<Render> restore(current_, &render);
  Dict ctx = NodeContext(state);
  for (const auto& [k, v] : extra) ctx.Set(k, v);
  env_->RenderString(text, "inline query", ctx);  // learns the refs, as parsing does
  render.execute = true;
  ctx.Set("execute", Value(true));
  std::string sql = env_->RenderString(text, "inline query", ctx);
  return InjectCtes(state.depends_on, sql);
}

std::string Session::RenderInNode(const std::string& unique_id, const std::string& text, const std::string& name) {
  NodeState& state = node(unique_id);
  Render render{&state, true};
  Restore<Render> restore(current_, &render);
  return env_->RenderString(text, name, NodeContext(state));
}

// ---- parse --------------------------------------------------------------------

void Session::Parse() {
  for (auto& [id, state] : nodes_) {
    // dbt renders descriptions too: "{{ doc('orders') }}" becomes the docs block.
    state.description = state.node->description;
    if (state.description.find("{{") != std::string::npos) {
      try {
        state.description = env_->RenderString(state.description, state.node->patch_path + " description");
      } catch (const Error& e) {
        state.parse_error = e.message();
      }
    }
    if (state.node->kind == NodeKind::kSeed) continue;
    try {
      RenderNode(state, /*execute=*/false);
    } catch (const Error& e) {
      state.parse_error = e.message();
    }
  }
  for (auto& [id, state] : nodes_) {
    for (const auto& name : state.refs) {
      if (!by_name_.count(name) && state.parse_error.empty()) {
        state.parse_error = fmt::format("{} ({}) depends on a node named '{}' which was not found",
                                        state.node->unique_id, state.node->original_file_path, name);
      }
    }
    if (state.node->test) state.depends_on.push_back(state.node->test->attached_to);
    std::sort(state.depends_on.begin(), state.depends_on.end());
    state.depends_on.erase(std::unique(state.depends_on.begin(), state.depends_on.end()), state.depends_on.end());
    try {
      NameRelation(state);
    } catch (const Error& e) {
      if (state.parse_error.empty()) state.parse_error = e.message();
    }
  }
  BuildGraph();
}

void Session::NameRelation(NodeState& state) {
  const project::Node& n = *state.node;
  if (n.kind == NodeKind::kTest || n.kind == NodeKind::kAnalysis) return;
  if (state.materialized() == "ephemeral") {
    state.relation = Relation{"", "", "__dbt__cte__" + n.name, RelKind::kNone, true};
    return;
  }
  static const char* kNaming =
      "{{ generate_database_name(custom_database, node) | trim }}\x1f"
      "{{ generate_schema_name(custom_schema, node) | trim }}\x1f"
      "{{ generate_alias_name(custom_alias, node) | trim }}";
  static const jinja::Template naming = jinja::Parse(kNaming, "generate_schema_name");
  auto custom = [&](const char* key) {
    const Value* v = state.config.Find(key);
    return v && v->IsString() && !v->AsString().empty() ? *v : Value();
  };
  Dict ctx{{"custom_database", custom("database")},
           {"custom_schema", custom("schema")},
           {"custom_alias", custom("alias")},
           {"node", NodeValue(state, loaded_.profile.schema, loaded_.profile.database)}};
  Render render{&state, false};
  Restore<Render> restore(current_, &render);
  std::string out = env_->Render(naming, ctx);
  auto a = out.find('\x1f'), b = out.find('\x1f', a + 1);
  Relation r{out.substr(0, a), out.substr(a + 1, b - a - 1), out.substr(b + 1), KindOf(state.materialized())};
  // Snapshots of dbt before 1.9 name their schema outright.
  if (n.kind == NodeKind::kSnapshot) {
    if (auto ts = state.ConfigString("target_schema"); !ts.empty()) r.schema = ts;
    if (auto td = state.ConfigString("target_database"); !td.empty()) r.database = td;
  }
  if (r.database.empty()) r.database = loaded_.profile.database;
  state.relation = r;
}

// ---- compile ----------------------------------------------------------------------

bool Session::IsIncremental(const NodeState& state) {
  if (state.materialized() != "incremental" || !db_) return false;
  bool full_refresh = flags_.full_refresh;
  if (const Value* fr = state.config.Find("full_refresh"); fr && fr->IsBool()) full_refresh = fr->AsBool();
  if (full_refresh) return false;
  return db_->Kind(state.relation.schema, state.relation.identifier) == RelKind::kTable;
}

const std::string& Session::Compile(const std::string& unique_id) {
  NodeState& state = node(unique_id);
  if (state.compiled) return state.compiled_sql;
  if (!state.parse_error.empty()) throw Error(ErrorKind::kConfig, state.parse_error);
  state.rendered_sql = RenderNode(state, /*execute=*/true);
  state.compiled_sql = InjectCtes(state.depends_on, state.rendered_sql);
  state.compiled = true;
  return state.compiled_sql;
}

// dbt's CTE injection: the ephemeral models a node reads (and those they
// read, deepest first) become `__dbt__cte__<name> as (...)` ahead of its SQL,
// merged into its own WITH when it has one.
std::string Session::InjectCtes(const std::vector<std::string>& depends_on, const std::string& sql) {
  std::vector<std::string> order;
  std::set<std::string> seen;
  std::function<void(const std::vector<std::string>&)> collect = [&](const std::vector<std::string>& deps) {
    for (const auto& dep : deps) {
      auto it = nodes_.find(dep);
      if (it == nodes_.end() || it->second.materialized() != "ephemeral" || seen.count(dep)) continue;
      seen.insert(dep);
      collect(it->second.depends_on);
      order.push_back(dep);
    }
  };
  collect(depends_on);
  if (order.empty()) return sql;
  std::vector<std::pair<std::string, std::string>> ctes;
  for (const auto& id : order) {
    NodeState& e = node(id);
    if (!e.parse_error.empty()) throw Error(ErrorKind::kConfig, e.parse_error);
    if (e.rendered_sql.empty()) e.rendered_sql = RenderNode(e, true);
    ctes.emplace_back(e.relation.identifier, e.rendered_sql);
  }
  return WithCtes(sql, ctes);
}

}  // namespace wharf::models::dbt
