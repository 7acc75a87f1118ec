// Global functions every template sees: range, dict, namespace and dbt's return.
#include "models/jinja/args.hpp"
#include "models/jinja/environment.hpp"

namespace wharf::models::jinja {

namespace {

Value Range(const CallArgs& args) {
  auto number = [&](size_t i) {
    const Value& v = args.positional[i];
    if (!v.IsInt())
      ThrowValueError(fmt::format("range() needs integers, not a '{}'", v.TypeName()));
    return v.AsInt();
  };
  int64_t start = 0, stop = 0, step = 1;
  switch (args.positional.size()) {
    case 1:
      stop = number(0);
      break;
    case 2:
      start = number(0), stop = number(1);
      break;
    case 3:
      start = number(0), stop = number(1), step = number(2);
      break;
    default:
      ThrowValueError("range() takes 1 to 3 integers");
  }
  if (step == 0) ThrowValueError("range() step must not be zero");
  constexpr int64_t kMaxItems = 1'000'000;  // a typo like range(10**12) must not eat memory
  List out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (static_cast<int64_t>(out.size()) >= kMaxItems) ThrowValueError("range() is too large");
    out.emplace_back(i);
  }
  return Value(std::move(out));
}

// dict(a=1) and namespace(a=1) take keywords, and optionally a dict first.
Dict KeywordDict(const CallArgs& args) {
  Dict out;
  if (!args.positional.empty()) {
    if (!args.positional[0].IsDict())
      ThrowValueError("dict() and namespace() take a dict or keywords");
    out = args.positional[0].AsDict();
  }
  for (const auto& [k, v] : args.keyword) out.Set(k, v);
  return out;
}

}  // namespace

void RegisterBuiltinGlobals(Environment& env) {
  env.AddFunction("range", Range);
  env.AddFunction("dict", [](const CallArgs& args) { return Value(KeywordDict(args)); });
  env.AddFunction("namespace",
                  [](const CallArgs& args) { return Value::MakeObject(KeywordDict(args)); });
  // dbt's return(): ends the running macro, which evaluates to the value.
  env.AddFunction("return", [](const CallArgs& args) -> Value {
    throw ReturnSignal{OptionalArg(args, 0, "value")};
  });
}

}  // namespace wharf::models::jinja
