#include "models/jinja/environment.hpp"

#include <fmt/format.h>

#include "models/jinja/parser.hpp"
#include "models/jinja/render.hpp"

namespace wharf::models::jinja {

Environment::Environment() {
  RegisterBuiltinFilters(*this);
  RegisterBuiltinTests(*this);
  RegisterBuiltinGlobals(*this);
}

void Environment::AddGlobal(std::string name, Value value) {
  globals_.Set(std::move(name), std::move(value));
}

void Environment::AddFunction(std::string name, Function fn) {
  Value value = Value::MakeFunction(name, std::move(fn));
  globals_.Set(std::move(name), std::move(value));
}

void Environment::AddFilter(std::string name, Filter filter) {
  filters_[std::move(name)] = std::move(filter);
}

void Environment::AddTest(std::string name, Test test) {
  tests_[std::move(name)] = std::move(test);
}

void Environment::AddMacros(const Template& tmpl) { macro_libraries_.push_back({tmpl.root(), ""}); }

void Environment::AddMacros(const Template& tmpl, std::string ns) {
  macro_libraries_.push_back({tmpl.root(), std::move(ns)});
}

std::string Environment::Render(const Template& tmpl, const Dict& context) const {
  return Renderer(*this, *tmpl.root(), context).Run();
}

std::string Environment::RenderString(std::string_view source, std::string name,
                                      const Dict& context) const {
  return Render(Parse(source, std::move(name)), context);
}

Value Environment::ApplyFilter(std::string_view name, const Value& input,
                               const CallArgs& args) const {
  auto it = filters_.find(name);
  if (it == filters_.end()) {
    ThrowValueError(
        fmt::format("unknown filter '{}': check its name or register it with "
                    "Environment::AddFilter",
                    name));
  }
  return it->second(*this, input, args);
}

bool Environment::ApplyTest(std::string_view name, const Value& input, const CallArgs& args) const {
  auto it = tests_.find(name);
  if (it == tests_.end()) {
    ThrowValueError(
        fmt::format("unknown test '{}': check its name or register it with "
                    "Environment::AddTest",
                    name));
  }
  return it->second(*this, input, args);
}

}  // namespace wharf::models::jinja
