// Builtin tests: `x is defined`, `n is divisibleby 3`, and the names
// select/reject/selectattr/rejectattr accept.
#include "models/jinja/access.hpp"
#include "models/jinja/args.hpp"
#include "models/jinja/environment.hpp"
#include "models/jinja/strings.hpp"

namespace wharf::models::jinja {

namespace {

using Predicate = bool (*)(const Value&);

const std::pair<const char*, Predicate> kTypeTests[] = {
    {"defined", [](const Value& v) { return !v.IsUndefined(); }},
    {"undefined", [](const Value& v) { return v.IsUndefined(); }},
    {"none", [](const Value& v) { return v.IsNone(); }},
    {"boolean", [](const Value& v) { return v.IsBool(); }},
    {"true", [](const Value& v) { return v.IsBool() && v.AsBool(); }},
    {"false", [](const Value& v) { return v.IsBool() && !v.AsBool(); }},
    {"integer", [](const Value& v) { return v.IsInt(); }},
    {"float", [](const Value& v) { return v.IsFloat(); }},
    {"number", [](const Value& v) { return v.IsNumber(); }},
    {"string", [](const Value& v) { return v.IsString(); }},
    {"mapping", [](const Value& v) { return v.IsDict(); }},
    {"iterable", [](const Value& v) { return v.IsList() || v.IsDict() || v.IsString(); }},
    {"sequence", [](const Value& v) { return v.IsList() || v.IsDict() || v.IsString(); }},
    {"callable", [](const Value& v) { return v.IsCallable(); }},
    {"lower", [](const Value& v) { return v.IsString() && Lower(v.AsString()) == v.AsString(); }},
    {"upper", [](const Value& v) { return v.IsString() && Upper(v.AsString()) == v.AsString(); }},
};

int64_t IntInput(const Value& v, std::string_view test) {
  if (!v.IsNumber() || v.IsFloat()) {
    ThrowValueError(fmt::format("'{}' test needs an integer, not a '{}'", test, v.TypeName()));
  }
  return v.AsInt();
}

}  // namespace

void RegisterBuiltinTests(Environment& env) {
  for (const auto& [name, predicate] : kTypeTests) {
    env.AddTest(name, [predicate](const Environment&, const Value& v, const CallArgs&) {
      return predicate(v);
    });
  }
  env.AddTest("odd", [](const Environment&, const Value& v, const CallArgs&) {
    return IntInput(v, "odd") % 2 != 0;
  });
  env.AddTest("even", [](const Environment&, const Value& v, const CallArgs&) {
    return IntInput(v, "even") % 2 == 0;
  });
  env.AddTest("divisibleby", [](const Environment&, const Value& v, const CallArgs& a) {
    int64_t d = IntInput(RequiredArg(a, 0, "num", "divisibleby"), "divisibleby");
    if (d == 0) ThrowValueError("divisibleby 0 is undefined");
    return IntInput(v, "divisibleby") % d == 0;
  });
  // Comparison tests, under Jinja's names and operator aliases.
  const std::pair<std::vector<std::string>, std::string> comparisons[] = {
      {{"eq", "equalto", "=="}, "=="},
      {{"ne", "!="}, "!="},
      {{"lt", "lessthan", "<"}, "<"},
      {{"le", "<="}, "<="},
      {{"gt", "greaterthan", ">"}, ">"},
      {{"ge", ">="}, ">="},
      {{"in"}, "in"}};
  for (const auto& [names, op] : comparisons) {
    for (const auto& name : names) {
      env.AddTest(name, [op, name](const Environment&, const Value& v, const CallArgs& a) {
        return BinaryOp(op, v, RequiredArg(a, 0, "other", name)).Truthy();
      });
    }
  }
  env.AddTest("sameas", [](const Environment&, const Value& v, const CallArgs& a) {
    const Value& other = RequiredArg(a, 0, "other", "sameas");
    if (v.Identity() != nullptr) return v.Identity() == other.Identity();
    // Scalars: None, True and False are singletons in Python.
    return (v.IsNone() && other.IsNone()) ||
           (v.IsBool() && other.IsBool() && v.AsBool() == other.AsBool());
  });
}

}  // namespace wharf::models::jinja
