// Jinja inside YAML values: dbt_project.yml, profiles.yml, schema files.
// dbt renders these with env_var(), var() and (for project configs and schema
// files) `target`, in its "native" mode: see YamlRenderer in internal.hpp.
#include <fmt/format.h>

#include <cstdlib>

#include "core/error.hpp"
#include "models/jinja/args.hpp"
#include "models/project/internal.hpp"

namespace wharf::models::project {

namespace {

using jinja::CallArgs;
using jinja::Value;

constexpr const char* kTemplateName = "<yaml value>";
constexpr const char* kCapture = "__wharf_yaml_value";

bool HasJinja(std::string_view s) {
  return s.find("{{") != s.npos || s.find("{%") != s.npos || s.find("{#") != s.npos;
}

// The expression of a string that is exactly one `{{ expr }}` (no text, tag
// or comment around it), or nullopt. dbt's native renderer returns such an
// expression's value with its type; any other mix renders to a string.
std::optional<std::string> SingleExpression(const std::string& s) {
  if (s.size() < 4 || s.compare(0, 2, "{{") != 0 || s.compare(s.size() - 2, 2, "}}") != 0)
    return std::nullopt;
  if (s.find("{{", 2) != s.npos || s.find("}}") != s.size() - 2) return std::nullopt;
  if (s.find("{%") != s.npos || s.find("{#") != s.npos) return std::nullopt;
  std::string inner = s.substr(2, s.size() - 4);
  if (!inner.empty() && inner.front() == '-') inner.erase(0, 1);  // {{- x -}}
  if (!inner.empty() && inner.back() == '-') inner.pop_back();
  return inner;
}

// env_var('X'[, default]): dbt raises when X is unset and no default is given.
Value EnvVar(const CallArgs& args) {
  std::string name = jinja::StringArg(args, 0, "var", "env_var");
  if (const char* value = std::getenv(name.c_str())) return Value(std::string(value));
  const Value* fallback = args.Get(1, "default");
  if (fallback != nullptr && !fallback->IsNone()) return *fallback;
  jinja::ThrowValueError(fmt::format(
      "env_var('{0}'): the environment variable {0} is not set and no default was given; "
      "set {0}, or write env_var('{0}', 'default')",
      name));
}

Value Var(const jinja::Dict& cli, const jinja::Dict& project, const CallArgs& args) {
  std::string name = jinja::StringArg(args, 0, "name", "var");
  if (const Value* v = cli.Find(name)) return *v;
  if (const Value* v = project.Find(name)) return *v;
  if (const Value* fallback = args.Get(1, "default")) return *fallback;
  jinja::ThrowValueError(
      fmt::format("var('{0}'): no var named '{0}'; define it under vars: in dbt_project.yml, pass "
                  "--vars '{{{0}: ...}}', or give a default: var('{0}', ...)",
                  name));
}

// Python's literal_eval for what YAML values hold: numbers, booleans, None.
std::optional<Value> Literal(const std::string& s) {
  if (s == "True") return Value(true);
  if (s == "False") return Value(false);
  if (s == "None") return Value();
  YAML::Node node(s);
  int64_t i;
  if (YAML::convert<int64_t>::decode(node, i)) return Value(i);
  double d;
  if (YAML::convert<double>::decode(node, d)) return Value(d);
  return std::nullopt;
}

}  // namespace

void AddNativeFilters(jinja::Environment& env) {
  env.AddFilter("as_text", [](const jinja::Environment&, const Value& in, const CallArgs&) { return Value(in.Str()); });
  env.AddFilter("as_native", [](const jinja::Environment&, const Value& in, const CallArgs&) {
    return Literal(in.Str()).value_or(in);
  });
  env.AddFilter("as_number", [](const jinja::Environment&, const Value& in, const CallArgs&) {
    auto v = Literal(in.Str());
    if (!v || !(v->IsInt() || v->IsFloat()))
      jinja::ThrowValueError(
          fmt::format("could not convert value '{}' into type 'number'", in.Str()));
    return *v;
  });
  // dbt accepts only True/False; true/false are accepted too (lenient).
  env.AddFilter("as_bool", [](const jinja::Environment&, const Value& in, const CallArgs&) {
    std::string s = in.Str();
    if (s == "True" || s == "true") return Value(true);
    if (s == "False" || s == "false") return Value(false);
    jinja::ThrowValueError(fmt::format("could not convert value '{}' into type 'bool'", s));
  });
}

// "<yaml value>:1:7: message" -> "message": the caller names the YAML location.
std::string WithoutTemplateLocation(const std::string& message) {
  std::string prefix = std::string(kTemplateName) + ":";
  if (message.rfind(prefix, 0) != 0) return message;
  size_t pos = prefix.size();
  for (int colons = 0; colons < 2 && pos < message.size(); ++pos)
    if (message[pos] == ':') ++colons;
  return message.substr(message[pos] == ' ' ? pos + 1 : pos);
}


bool IsHookKey(std::string_view key) {
  while (!key.empty() && (key.front() == '+' || key.front() == ' ')) key.remove_prefix(1);
  return key == "pre-hook" || key == "post-hook" || key == "pre_hook" || key == "post_hook";
}

YamlRenderer::YamlRenderer(jinja::Dict cli_vars, jinja::Dict project_vars,
                           std::optional<jinja::Dict> target)
    : captured_(std::make_shared<Value>()) {
  env_.AddFunction("env_var", EnvVar);
  env_.AddFunction("var", [cli = std::move(cli_vars), project = std::move(project_vars)](
                              const CallArgs& args) { return Var(cli, project, args); });
  env_.AddFunction(kCapture, [slot = captured_](const CallArgs& args) {
    *slot = args.positional.empty() ? Value() : args.positional[0];
    return Value(std::string());
  });
  AddNativeFilters(env_);
  if (target) context_.Set("target", Value(std::move(*target)));
}

Value YamlRenderer::RenderText(const std::string& text, const std::string& where) const {
  if (!HasJinja(text)) return Value(text);
  try {
    if (auto expr = SingleExpression(text)) {
      *captured_ = Value();
      env_.RenderString(fmt::format("{{{{ {}({}) }}}}", kCapture, *expr), kTemplateName, context_);
      // An undefined name prints as "" in Jinja; keep that rather than a value
      // no config consumer expects.
      return captured_->IsUndefined() ? Value(std::string()) : *captured_;
    }
    return Value(env_.RenderString(text, kTemplateName, context_));
  } catch (const Error& e) {
    Fail(ErrorKind::kConfig, "{}: could not render '{}': {}", where, text,
         WithoutTemplateLocation(e.message()));
  }
}

Value YamlRenderer::Render(const YAML::Node& node, const std::string& file,
                           const SkipKey& skip) const {
  std::vector<std::string> keypath;
  return RenderAt(node, file, skip, keypath);
}

std::string YamlRenderer::RenderScalar(const YAML::Node& node, const std::string& file) const {
  Value v = Render(node, file);
  return v.IsNone() || v.IsUndefined() ? std::string() : v.Str();
}

Value YamlRenderer::RenderAt(const YAML::Node& node, const std::string& file, const SkipKey& skip,
                             std::vector<std::string>& keypath) const {
  if (skip && !keypath.empty() && skip(keypath)) return ToValue(node);
  if (!node.IsDefined()) return Value();
  if (node.IsMap()) {
    jinja::Dict dict;
    for (const auto& kv : node) {
      keypath.push_back(ScalarText(kv.first));
      dict.Set(keypath.back(), RenderAt(kv.second, file, skip, keypath));
      keypath.pop_back();
    }
    return Value(std::move(dict));
  }
  if (node.IsSequence()) {
    jinja::List list;
    for (size_t i = 0; i < node.size(); ++i) list.push_back(RenderAt(node[i], file, skip, keypath));
    return Value(std::move(list));
  }
  Value v = ToValue(node);
  return v.IsString() ? RenderText(v.AsString(), Where(file, node)) : v;
}

}  // namespace wharf::models::project
