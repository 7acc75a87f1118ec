#include "models/dbt/relation.hpp"

#include "core/error.hpp"

namespace wharf::models::dbt {

using jinja::CallArgs;
using jinja::Dict;
using jinja::Value;

std::string Relation::Render() const {
  if (cte) return identifier;
  std::string out;
  if (!database.empty()) out += QuoteIdent(database) + ".";
  if (!schema.empty()) out += QuoteIdent(schema) + ".";
  return out + QuoteIdent(identifier);
}

namespace {

Value KindValue(RelKind kind) {
  switch (kind) {
    case RelKind::kTable: return Value("table");
    case RelKind::kView: return Value("view");
    case RelKind::kNone: break;
  }
  return Value();
}

RelKind KindFrom(const Value& v) {
  if (!v.IsString()) return RelKind::kNone;
  if (v.AsString() == "view") return RelKind::kView;
  if (v.AsString() == "table" || v.AsString() == "materialized_view") return RelKind::kTable;
  return RelKind::kNone;
}

void TakeString(const Value* v, std::string& field) {
  if (v && v->IsString()) field = v->AsString();
  if (v && v->IsNone()) field.clear();
}

// include(database=False): a part left out of the printed name.
Relation Include(Relation r, const CallArgs& args) {
  auto keep = [&](const char* name) {
    const Value* v = args.Keyword(name);
    return !v || v->Truthy();
  };
  if (!keep("database")) r.database.clear();
  if (!keep("schema")) r.schema.clear();
  if (!keep("identifier")) r.identifier.clear();
  return r;
}

// incorporate(path={...}, type=...) and replace_path(...): parts replaced.
Relation Replace(Relation r, const CallArgs& args) {
  const Value* path = args.Keyword("path");
  const Dict* parts = path && path->IsDict() ? &path->AsDict() : nullptr;
  for (const char* name : {"database", "schema", "identifier"}) {
    std::string& field = name[0] == 'd' ? r.database : name[0] == 's' ? r.schema : r.identifier;
    if (parts) TakeString(parts->Find(name), field);
    TakeString(args.Keyword(name), field);
  }
  if (const Value* t = args.Keyword("type")) r.kind = KindFrom(*t);
  return r;
}

}  // namespace

Value RelationValue(const Relation& relation) {
  Dict attrs;
  attrs.Set("database", relation.database.empty() ? Value() : Value(relation.database));
  attrs.Set("schema", relation.schema);
  attrs.Set("identifier", relation.identifier);
  attrs.Set("name", relation.identifier);
  attrs.Set("table", relation.identifier);
  attrs.Set("type", KindValue(relation.kind));
  attrs.Set("is_table", relation.kind == RelKind::kTable);
  attrs.Set("is_view", relation.kind == RelKind::kView);
  attrs.Set("is_cte", relation.cte);
  attrs.Set("render", Value::MakeFunction("render", [relation](const CallArgs&) { return Value(relation.Render()); }));
  attrs.Set("include", Value::MakeFunction("include", [relation](const CallArgs& a) {
              return RelationValue(Include(relation, a));
            }));
  auto replace = [relation](const CallArgs& a) { return RelationValue(Replace(relation, a)); };
  attrs.Set("incorporate", Value::MakeFunction("incorporate", replace));
  attrs.Set("replace_path", Value::MakeFunction("replace_path", replace));
  attrs.Set("quote", Value::MakeFunction("quote", [relation](const CallArgs&) { return RelationValue(relation); }));
  Value v = Value::MakeObject(std::move(attrs));
  v.AsObject().str = [relation] { return relation.Render(); };
  v.AsObject().type_name = "Relation";
  return v;
}

Relation RelationFromValue(const Value& value) {
  Relation r;
  if (value.IsObject()) {
    const Dict& a = value.AsObject().attributes;
    TakeString(a.Find("database"), r.database);
    TakeString(a.Find("schema"), r.schema);
    TakeString(a.Find("identifier"), r.identifier);
    if (const Value* t = a.Find("type")) r.kind = KindFrom(*t);
    if (const Value* c = a.Find("is_cte")) r.cte = c->Truthy();
    return r;
  }
  if (value.IsString()) {
    const std::string& s = value.AsString();
    auto dot = s.rfind('.');
    if (dot == std::string::npos) {
      r.identifier = s;
    } else {
      r.schema = s.substr(0, dot);
      r.identifier = s.substr(dot + 1);
    }
    return r;
  }
  throw jinja::ValueError("expected a relation, got a '" + std::string(value.TypeName()) + "'");
}

}  // namespace wharf::models::dbt
