#pragma once
// wharf::models::jinja::Environment: what templates render against. The host
// (later the dbt layer) registers globals, functions (ref, config, var, ...),
// filters, tests and macro libraries here, then renders parsed templates.
//
//   Environment env;
//   env.AddFunction("ref", [](const CallArgs& a) { ... });
//   env.AddMacros(Parse(macros_sql, "macros/utils.sql"));
//   Template t = Parse(model_sql, "models/orders.sql");
//   std::string sql = env.Render(t, {{"target", target_dict}});
//
// Semantics follow Jinja2 with dbt's settings: undefined names render as "",
// no autoescape, no trim_blocks, one trailing newline dropped. `{{ return(x) }}`
// inside a macro makes the macro call evaluate to x instead of its rendered
// text (as in dbt). Known differences from Jinja2, all on the lenient side:
// reading an attribute or item of an undefined value gives undefined (Jinja
// raises); tuples are lists and print as [a, b]; a template's top-level macros
// can be called before their definition.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/jinja/ast.hpp"
#include "models/jinja/value.hpp"

namespace wharf::models::jinja {

class Environment;

// `input | name(args)`. Throw ValueError for bad input or arguments: the
// renderer adds the template location.
using Filter =
    std::function<Value(const Environment& env, const Value& input, const CallArgs& args)>;
// `input is name(args)`; also used by select/reject filters.
using Test = std::function<bool(const Environment& env, const Value& input, const CallArgs& args)>;

class Environment {
 public:
  // Registers the builtin filters, tests and globals (range, dict, namespace, return).
  Environment();

  // Values and functions every template and macro sees. A render's context
  // shadows globals of the same name. Lists and dicts are shared, not copied:
  // a template that mutates a global list mutates it for later renders too.
  void AddGlobal(std::string name, Value value);
  void AddFunction(std::string name, Function fn);
  void AddFilter(std::string name, Filter filter);
  void AddTest(std::string name, Test test);
  // Makes the top-level macros of `tmpl` global (dbt's macros/*.sql). Later
  // registrations of the same macro name win.
  void AddMacros(const Template& tmpl);
  // The same, also reachable as attributes of `ns` (dbt.date_trunc, my_project.macro).
  void AddMacros(const Template& tmpl, std::string ns);

  // Renders `tmpl` with `context` (model-specific names such as `this`).
  // Throws wharf::Error (kConfig) "name:line:column: message" for a runtime
  // error; errors thrown by host functions pass through with added context.
  // Macro values created during a render refer to it: a host function must
  // not keep one and call it after Render returns.
  std::string Render(const Template& tmpl, const Dict& context = {}) const;
  // Parse + Render, for one-off templates.
  std::string RenderString(std::string_view source, std::string name,
                           const Dict& context = {}) const;

  // Throw ValueError naming the filter or test when it is not registered.
  Value ApplyFilter(std::string_view name, const Value& input, const CallArgs& args) const;
  bool ApplyTest(std::string_view name, const Value& input, const CallArgs& args) const;

  const Dict& globals() const { return globals_; }
  struct MacroLibrary {
    std::shared_ptr<const TemplateRoot> root;
    std::string ns;  // "" : global names only
  };
  const std::vector<MacroLibrary>& macro_libraries() const { return macro_libraries_; }

 private:
  Dict globals_;
  std::map<std::string, Filter, std::less<>> filters_;
  std::map<std::string, Test, std::less<>> tests_;
  std::vector<MacroLibrary> macro_libraries_;  // in registration order
};

// Builtins, one file each (filters.cpp, tests.cpp, builtins.cpp).
void RegisterBuiltinFilters(Environment& env);
void RegisterBuiltinTests(Environment& env);
void RegisterBuiltinGlobals(Environment& env);

// Thrown by the `return` global and caught by the macro call it ends. Not a
// std::exception, so host code catching those cannot swallow it by accident.
// What `name` is bound to at the call site of a host function (its locals,
// the template's names, macros, globals), or undefined.
Value LookupName(const CallArgs& args, std::string_view name);

struct ReturnSignal {
  Value value;
};

}  // namespace wharf::models::jinja
