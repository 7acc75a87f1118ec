// dbt's Jinja context: the functions and objects models, macros and tests
// call. Each reads the node being rendered (Session::current_), so one
// environment serves every node of the invocation.
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "core/error.hpp"
#include "core/text.hpp"
#include "models/dbt/json_value.hpp"
#include "models/dbt/time_values.hpp"
#include "models/dbt/session.hpp"
#include "models/jinja/args.hpp"

namespace wharf::models::dbt {

using jinja::CallArgs;
using jinja::Dict;
using jinja::List;
using jinja::Value;

namespace {

std::string StringArg(const CallArgs& args, size_t index, const char* name, const char* fn) {
  const Value* v = args.Get(index, name);
  if (!v || !v->IsString()) {
    jinja::ThrowValueError(fmt::format("{}() needs '{}' as a string", fn, name));
  }
  return v->AsString();
}

std::string Md5Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_md5(), nullptr);
  return core::HexLower(digest, len);
}

Value Function(std::string name, jinja::Function fn) { return Value::MakeFunction(std::move(name), std::move(fn)); }

// An agate-like table for run_query()/load_result(): .rows (lists), .columns
// (each with .name and .values()), .column_names, and item access by index.
Value TableValue(const QueryResult& r) {
  List rows;
  for (const auto& row : r.rows) {
    List cells;
    for (const auto& cell : row) cells.push_back(cell ? Value(*cell) : Value());
    rows.push_back(Value(std::move(cells)));
  }
  List columns, names;
  for (size_t c = 0; c < r.columns.size(); ++c) {
    List values;
    for (const auto& row : r.rows) values.push_back(row[c] ? Value(*row[c]) : Value());
    Value vals(std::move(values));
    columns.push_back(Value::MakeObject(Dict{
        {"name", Value(r.columns[c])},
        {"values", Function("values", [vals](const CallArgs&) { return vals; })}}));
    names.push_back(Value(r.columns[c]));
  }
  return Value::MakeObject(Dict{{"rows", Value(std::move(rows))},
                                {"columns", Value(std::move(columns))},
                                {"column_names", Value(std::move(names))}});
}

void MergeConfig(Dict& config, const std::string& key, const Value& value) {
  std::string k = key;
  // dbt's canonical hook keys (the project's config tree uses them too).
  if (k == "pre_hook") k = "pre-hook";
  if (k == "post_hook") k = "post-hook";
  Value* existing = config.Find(k);
  bool additive = k == "tags" || k == "pre-hook" || k == "post-hook";
  if (additive) {
    List merged;
    if (existing && existing->IsList()) merged = existing->AsList();
    else if (existing && existing->IsString()) merged.push_back(*existing);
    auto add = [&](const Value& v) {
      for (const auto& m : merged)
        if (k == "tags" && m == v) return;
      merged.push_back(v);
    };
    if (value.IsList()) for (const auto& v : value.AsList()) add(v);
    else if (!value.IsNone()) add(value);
    config.Set(k, Value(std::move(merged)));
    return;
  }
  if (existing && existing->IsDict() && value.IsDict()) {
    Dict merged = existing->AsDict();
    for (const auto& [mk, mv] : value.AsDict()) merged.Set(mk, mv);
    config.Set(k, Value(std::move(merged)));
    return;
  }
  config.Set(k, value);
}

// config(materialized='table', tags=[...]) or config({...}): tags and hooks
// add up, dicts merge, the rest replace (dbt's in-file config rules).
void ApplyConfigCall(Dict& config, const CallArgs& args) {
  for (const auto& p : args.positional) {
    if (!p.IsDict()) jinja::ThrowValueError("config() takes keyword arguments or one dict");
    for (const auto& [k, v] : p.AsDict()) MergeConfig(config, k, v);
  }
  for (const auto& [k, v] : args.keyword) MergeConfig(config, k, v);
}

}  // namespace

void Session::RegisterContext() {
  RegisterNodeFunctions();
  RegisterValues();
  RegisterLogging();
  RegisterQueries();
  RegisterHelpers();
}

Session::Render& Session::Current(const char* fn) {
  if (!current_) jinja::ThrowValueError(fmt::format("{}() can only be used inside a model, test or snapshot", fn));
  return *current_;
}

// ref, source, config and is_incremental: what a node reads and how it is built.
void Session::RegisterNodeFunctions() {
  jinja::Environment& env = *env_;
  auto need = [this](const char* fn) -> Render& { return Current(fn); };
  env.AddFunction("ref", [this, need](const CallArgs& args) { return RefValue(need("ref"), args); });
  env.AddFunction("source", [this, need](const CallArgs& args) {
    Render& r = need("source");
    std::string src = StringArg(args, 0, "source_name", "source");
    std::string table = StringArg(args, 1, "table_name", "source");
    return SourceValue(r, src, table);
  });

  // config(...) while parsing; config.get/require at any time.
  Dict config_attrs;
  config_attrs.Set("__call__", Function("config", [this, need](const CallArgs& args) {
                     Render& r = need("config");
                     if (!r.execute) ApplyConfigCall(r.state->config, args);
                     return Value("");
                   }));
  config_attrs.Set("get", Function("config.get", [this, need](const CallArgs& args) {
                     Render& r = need("config.get");
                     std::string key = StringArg(args, 0, "name", "config.get");
                     const Value* v = r.state->config.Find(key);
                     if (v && !v->IsNone()) return *v;
                     const Value* d = args.Get(1, "default");
                     return d ? *d : Value();
                   }));
  config_attrs.Set("require", Function("config.require", [this, need](const CallArgs& args) {
                     Render& r = need("config.require");
                     std::string key = StringArg(args, 0, "name", "config.require");
                     const Value* v = r.state->config.Find(key);
                     if (!v || v->IsNone()) {
                       jinja::ThrowValueError(fmt::format("the config '{}' is required by {} but not set", key,
                                                          r.state->node->unique_id));
                     }
                     return *v;
                   }));
  config_attrs.Set("set", Function("config.set", [this, need](const CallArgs& args) {
                     Render& r = need("config.set");
                     MergeConfig(r.state->config, StringArg(args, 0, "name", "config.set"),
                                 jinja::OptionalArg(args, 1, "value"));
                     return Value("");
                   }));
  env.AddGlobal("config", Value::MakeObject(std::move(config_attrs)));

  env.AddFunction("is_incremental", [this, need](const CallArgs&) {
    Render& r = need("is_incremental");
    return Value(r.execute && IsIncremental(*r.state));
  });
  // dbt's should_full_refresh(): the node's full_refresh config, else --full-refresh.
  env.AddFunction("should_full_refresh", [this, need](const CallArgs&) {
    const Value* fr = need("should_full_refresh").state->config.Find("full_refresh");
    return Value(fr && fr->IsBool() ? fr->AsBool() : flags_.full_refresh);
  });
  // load_relation(relation): the relation as it exists in the warehouse, or none.
  env.AddFunction("load_relation", [this](const CallArgs& args) -> Value {
    if (!db_ || !current_ || !current_->execute) return Value();
    Relation r = RelationFromValue(jinja::OptionalArg(args, 0, "relation"));
    r.kind = db_->Kind(r.schema, r.identifier);
    return r.kind == RelKind::kNone ? Value() : RelationValue(r);
  });
}

// var, env_var, target and the invocation's globals (flags, run_started_at, adapter, api).
void Session::RegisterValues() {
  jinja::Environment& env = *env_;
  env.AddFunction("var", [this](const CallArgs& args) {
    std::string name = StringArg(args, 0, "name", "var");
    if (const Value* v = flags_.vars.Find(name)) return *v;
    if (const Value* v = loaded_.project.vars.Find(name)) {
      // dbt renders a project var when it is read: "{{ env_var('START') }}".
      if (v->IsString() && v->AsString().find("{{") != std::string::npos)
        return Value(env_->RenderString(v->AsString(), "dbt_project.yml vars." + name));
      return *v;
    }
    if (const Value* d = args.Get(1, "default")) return *d;
    jinja::ThrowValueError(fmt::format("required var '{}' not found: define it under vars: in dbt_project.yml "
                                       "or pass --vars '{{{}: ...}}'",
                                       name, name));
  });
  env.AddFunction("env_var", [](const CallArgs& args) {
    std::string name = StringArg(args, 0, "var", "env_var");
    if (const char* v = std::getenv(name.c_str())) return Value(std::string(v));
    if (const Value* d = args.Get(1, "default")) return Value(d->Str());
    jinja::ThrowValueError(fmt::format("env var required but not provided: '{}'", name));
  });
  env.AddGlobal("target", Value(loaded_.profile.target));
  env.AddGlobal("invocation_id", Value(invocation_id_));
  env.AddGlobal("dbt_version", Value("1.8.0"));
  env.AddGlobal("flags", Value::MakeObject(Dict{{"FULL_REFRESH", Value(flags_.full_refresh)},
                                                  {"WHICH", Value(flags_.which)}}));
  env.AddGlobal("run_started_at", NowValue(/*date_only=*/false));
  env.AddGlobal("modules", ModulesValue());
  env.AddGlobal("adapter", AdapterValue());
  env.AddGlobal("api", Value::MakeObject(Dict{
                           {"Relation", Value::MakeObject(Dict{{"create", Function("create", [](const CallArgs& args) {
                                                                  Relation r;
                                                                  auto s = [&](const char* k) {
                                                                    const Value* v = args.Keyword(k);
                                                                    return v && v->IsString() ? v->AsString() : std::string();
                                                                  };
                                                                  r.database = s("database");
                                                                  r.schema = s("schema");
                                                                  r.identifier = s("identifier");
                                                                  return RelationValue(r);
                                                                })}})}}));
  env.AddGlobal("graph", Value(Dict{{"nodes", Value(Dict{})}, {"sources", Value(Dict{})}}));
}

// log, print and exceptions.
void Session::RegisterLogging() {
  jinja::Environment& env = *env_;
  env.AddFunction("log", [this](const CallArgs& args) {
    const Value* info = args.Get(1, "info");
    std::string msg = jinja::OptionalArg(args, 0, "msg").Str();
    if (info && info->Truthy()) logs_.push_back(msg);
    else spdlog::debug("models: {}", msg);
    return Value("");
  });
  env.AddFunction("print", [this](const CallArgs& args) {
    logs_.push_back(jinja::OptionalArg(args, 0, "msg").Str());
    return Value("");
  });
  env.AddGlobal("exceptions",
                Value::MakeObject(Dict{
                    {"raise_compiler_error", Function("raise_compiler_error", [](const CallArgs& args) -> Value {
                       throw Error(ErrorKind::kConfig, "Compilation Error: " + jinja::OptionalArg(args, 0, "msg").Str());
                     })},
                    {"raise_not_implemented", Function("raise_not_implemented", [](const CallArgs& args) -> Value {
                       throw Error(ErrorKind::kUnsupported, jinja::OptionalArg(args, 0, "msg").Str());
                     })},
                    {"warn", Function("warn", [this](const CallArgs& args) {
                       logs_.push_back("Warning: " + jinja::OptionalArg(args, 0, "msg").Str());
                       return Value("");
                     })},
                }));
}

// run_query, statement and load_result: SQL a template runs while executing.
void Session::RegisterQueries() {
  jinja::Environment& env = *env_;
  auto need = [this](const char* fn) -> Render& { return Current(fn); };
  env.AddFunction("run_query", [this, need](const CallArgs& args) -> Value {
    Render& r = need("run_query");
    if (!r.execute || !db_) return Value();
    return TableValue(db_->Query(jinja::OptionalArg(args, 0, "sql").Str()));
  });
  // {% call statement('name', fetch_result=True) %}sql{% endcall %}, then load_result('name').
  env.AddFunction("statement", [this, need](const CallArgs& args) -> Value {
    Render& r = need("statement");
    std::string name = jinja::OptionalArg(args, 0, "name").Str();
    const Value* caller = args.Keyword("caller");
    if (!r.execute || !db_ || !caller || !caller->IsCallable()) return Value("");
    std::string sql = caller->AsCallable().fn(CallArgs{}).Str();
    const Value* fetch = args.Get(1, "fetch_result");
    QueryResult result = db_->Query(sql);
    Dict out{{"response", Value("OK")}};
    if (fetch && fetch->Truthy()) {
      Value table = TableValue(result);
      out.Set("data", *table.AsObject().attributes.Find("rows"));  // TableValue always has rows
      out.Set("table", table);
    }
    statement_results_[name] = Value(std::move(out));
    return Value("");
  });
  env.AddFunction("load_result", [this](const CallArgs& args) -> Value {
    auto it = statement_results_.find(jinja::OptionalArg(args, 0, "name").Str());
    return it == statement_results_.end() ? Value() : it->second;
  });
}

// doc, tojson, fromjson, local_md5, zip and set.
void Session::RegisterHelpers() {
  jinja::Environment& env = *env_;
  env.AddFunction("doc", [this](const CallArgs& args) -> Value {
    std::string name = StringArg(args, 0, "name", "doc");
    for (const auto& d : loaded_.manifest.docs)
      if (d.name == name) return Value(d.text);
    jinja::ThrowValueError(fmt::format("documentation for '{}' not found: add {{% docs {} %}}...{{% enddocs %}} "
                                       "to a .md file in the project",
                                       name, name));
  });
  env.AddFunction("tojson", [](const CallArgs& args) { return Value(ToJson(jinja::OptionalArg(args, 0, "value")).dump()); });
  env.AddFunction("fromjson", [](const CallArgs& args) -> Value {
    try {
      return FromJson(nlohmann::json::parse(jinja::OptionalArg(args, 0, "string").Str()));
    } catch (const nlohmann::json::exception& e) {
      jinja::ThrowValueError(std::string("fromjson(): ") + e.what());
    }
  });
  env.AddFunction("local_md5", [](const CallArgs& args) { return Value(Md5Hex(jinja::OptionalArg(args, 0, "value").Str())); });
  env.AddFunction("zip", [](const CallArgs& args) {
    List out;
    size_t n = SIZE_MAX;
    for (const auto& a : args.positional) n = std::min(n, a.IsList() ? a.AsList().size() : 0);
    for (size_t i = 0; n != SIZE_MAX && i < n; ++i) {
      List tuple;
      for (const auto& a : args.positional) tuple.push_back(a.AsList()[i]);
      out.push_back(Value(std::move(tuple)));
    }
    return Value(std::move(out));
  });
  env.AddFunction("set", [](const CallArgs& args) {
    List out;
    const Value& in = jinja::OptionalArg(args, 0, "value");
    if (in.IsList())
      for (const auto& v : in.AsList())
        if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    return Value(std::move(out));
  });
}


Value Session::AdapterValue() {
  Dict a;
  a.Set("dispatch", Function("adapter.dispatch", [this](const CallArgs& args) -> Value {
          std::string name = StringArg(args, 0, "macro_name", "adapter.dispatch");
          const Value* ns = args.Get(1, "macro_namespace");
          std::string space = ns && ns->IsString() ? ns->AsString() : "";
          for (const std::string& prefix : {loaded_.profile.type + "__", std::string("default__")}) {
            std::string candidate = prefix + name;
            Value found = jinja::LookupName(args, candidate);
            if (found.IsCallable()) return found;
            if (!space.empty()) {
              Value scope = jinja::LookupName(args, space);
              if (scope.IsObject())
                if (const Value* m = scope.AsObject().attributes.Find(candidate); m && m->IsCallable()) return *m;
            }
          }
          jinja::ThrowValueError(fmt::format("no macro named '{}' found for adapter.dispatch{}: define {}__{} or "
                                             "default__{}",
                                             name, space.empty() ? "" : " within namespace '" + space + "'",
                                             loaded_.profile.type, name, name));
        }));
  a.Set("type", Function("adapter.type", [this](const CallArgs&) { return Value(loaded_.profile.type); }));
  a.Set("quote", Function("adapter.quote", [](const CallArgs& args) {
          return Value(QuoteIdent(jinja::OptionalArg(args, 0, "identifier").Str()));
        }));
  a.Set("get_relation", Function("adapter.get_relation", [this](const CallArgs& args) -> Value {
          if (!db_ || !current_ || !current_->execute) return Value();
          std::string schema = jinja::OptionalArg(args, 1, "schema").Str();
          std::string identifier = jinja::OptionalArg(args, 2, "identifier").Str();
          RelKind kind = db_->Kind(schema, identifier);
          if (kind == RelKind::kNone) return Value();
          const Value& database = jinja::OptionalArg(args, 0, "database");
          return RelationValue({database.IsString() ? database.AsString() : db_->database(), schema, identifier, kind});
        }));
  a.Set("get_columns_in_relation", Function("adapter.get_columns_in_relation", [this](const CallArgs& args) -> Value {
          List out;
          if (!db_ || !current_ || !current_->execute) return Value(std::move(out));
          Relation r = RelationFromValue(jinja::OptionalArg(args, 0, "relation"));
          for (const auto& c : db_->Columns(r.schema, r.identifier)) {
            Value col = Value::MakeObject(Dict{{"name", Value(c.name)},
                                               {"column", Value(c.name)},
                                               {"data_type", Value(c.data_type)},
                                               {"dtype", Value(c.data_type)},
                                               {"quoted", Value(QuoteIdent(c.name))}});
            col.AsObject().str = [name = c.name] { return name; };
            out.push_back(col);
          }
          return Value(std::move(out));
        }));
  a.Set("already_exists", Function("adapter.already_exists", [this](const CallArgs& args) {
          if (!db_) return Value(false);
          return Value(db_->Kind(jinja::OptionalArg(args, 0, "schema").Str(),
                                 jinja::OptionalArg(args, 1, "table").Str()) != RelKind::kNone);
        }));
  return Value::MakeObject(std::move(a));
}

}  // namespace wharf::models::dbt
