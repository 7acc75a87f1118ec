// Builtin filters on sequences: join, map, list, first, last, sort, unique,
// reverse, sum, min, max, select, reject, selectattr, rejectattr.
#include <fmt/format.h>

#include <algorithm>

#include "models/jinja/access.hpp"
#include "models/jinja/args.hpp"
#include "models/jinja/environment.hpp"
#include "models/jinja/strings.hpp"

namespace wharf::models::jinja {

namespace {

// Jinja's attribute paths: "user.name" or "items.0" (an integer part indexes).
Value GetPath(const Value& v, const std::string& path) {
  Value current = v;
  for (const std::string& part : Split(path, std::string("."))) {
    bool is_index = !part.empty() && std::all_of(part.begin(), part.end(),
                                                 [](char c) { return c >= '0' && c <= '9'; });
    current = is_index ? GetItem(current, Value(std::stoll(part))) : GetItem(current, Value(part));
  }
  return current;
}

// The value items are compared by: the attribute if asked, lowercased unless case-sensitive.
Value SortKey(const Value& item, const Value& attribute, bool case_sensitive) {
  Value key = attribute.IsNone() ? item : GetPath(item, attribute.Str());
  if (!case_sensitive && key.IsString()) return Value(Lower(key.AsString()));
  return key;
}

Value Join(const Value& v, const CallArgs& a) {
  std::string separator = OptionalArg(a, 0, "d", Value("")).Str();
  Value attribute = OptionalArg(a, 1, "attribute");
  std::string out;
  bool first = true;
  for (const Value& item : Iterate(v)) {
    if (!first) out += separator;
    out += (attribute.IsNone() ? item : GetPath(item, attribute.Str())).Str();
    first = false;
  }
  return Value(out);
}

Value Map(const Environment& env, const Value& v, const CallArgs& a) {
  List out;
  if (const Value* attribute = a.Keyword("attribute")) {
    const Value* fallback = a.Keyword("default");
    for (const Value& item : Iterate(v)) {
      Value got = GetPath(item, attribute->Str());
      out.push_back(got.IsUndefined() && fallback ? *fallback : got);
    }
    return Value(out);
  }
  std::string filter = StringArg(a, 0, "filter", "map");
  CallArgs rest = DropPositional(a, 1);
  for (const Value& item : Iterate(v)) out.push_back(env.ApplyFilter(filter, item, rest));
  return Value(out);
}

Value Sort(const Value& v, const CallArgs& a) {
  bool reverse = OptionalArg(a, 0, "reverse", Value(false)).Truthy();
  bool case_sensitive = OptionalArg(a, 1, "case_sensitive", Value(false)).Truthy();
  Value attribute = OptionalArg(a, 2, "attribute");
  List items = Iterate(v);
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    int c = Compare(SortKey(x, attribute, case_sensitive), SortKey(y, attribute, case_sensitive));
    return reverse ? c > 0 : c < 0;
  });
  return Value(items);
}

Value Unique(const Value& v, const CallArgs& a) {
  bool case_sensitive = OptionalArg(a, 0, "case_sensitive", Value(false)).Truthy();
  Value attribute = OptionalArg(a, 1, "attribute");
  List out, seen;
  for (const Value& item : Iterate(v)) {
    Value key = SortKey(item, attribute, case_sensitive);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    out.push_back(item);
  }
  return Value(out);
}

// min/max: the item with the smallest/largest key.
Value Extreme(const Value& v, const CallArgs& a, bool want_max) {
  bool case_sensitive = OptionalArg(a, 0, "case_sensitive", Value(false)).Truthy();
  Value attribute = OptionalArg(a, 1, "attribute");
  List items = Iterate(v);
  if (items.empty()) return Value::MakeUndefined(want_max ? "max" : "min");
  const Value* best = &items[0];
  for (const Value& item : items) {
    int c = Compare(SortKey(item, attribute, case_sensitive),
                    SortKey(*best, attribute, case_sensitive));
    if (want_max ? c > 0 : c < 0) best = &item;
  }
  return *best;
}

Value Sum(const Value& v, const CallArgs& a) {
  Value attribute = OptionalArg(a, 0, "attribute");
  Value total = OptionalArg(a, 1, "start", Value(0));
  for (const Value& item : Iterate(v)) {
    total = BinaryOp("+", total, attribute.IsNone() ? item : GetPath(item, attribute.Str()));
  }
  return total;
}

// select/reject(test, args...) and selectattr/rejectattr(attribute, test, args...).
// Without a test, the item (or attribute) is tested for truthiness.
Value SelectOrReject(const Environment& env, const Value& v, const CallArgs& a, bool select,
                     bool by_attribute) {
  size_t first_arg = 0;
  std::string attribute;
  if (by_attribute)
    attribute = StringArg(a, first_arg++, "attribute", select ? "selectattr" : "rejectattr");
  const Value* test = first_arg < a.positional.size() ? &a.positional[first_arg] : nullptr;
  CallArgs test_args = DropPositional(a, first_arg + 1);
  List out;
  for (const Value& item : Iterate(v)) {
    Value subject = by_attribute ? GetPath(item, attribute) : item;
    bool passed = test ? env.ApplyTest(test->Str(), subject, test_args) : subject.Truthy();
    if (passed == select) out.push_back(item);
  }
  return Value(out);
}

using SimpleFilter = Value (*)(const Value&, const CallArgs&);

void Add(Environment& env, const char* name, SimpleFilter fn) {
  env.AddFilter(name,
                [fn](const Environment&, const Value& v, const CallArgs& a) { return fn(v, a); });
}

}  // namespace

void RegisterSequenceFilters(Environment& env) {
  Add(env, "join", Join);
  Add(env, "sort", Sort);
  Add(env, "unique", Unique);
  Add(env, "sum", Sum);
  Add(env, "list", [](const Value& v, const CallArgs&) { return Value(Iterate(v)); });
  Add(env, "first", [](const Value& v, const CallArgs&) {
    List items = Iterate(v);
    return items.empty() ? Value::MakeUndefined("first") : items.front();
  });
  Add(env, "last", [](const Value& v, const CallArgs&) {
    List items = Iterate(v);
    return items.empty() ? Value::MakeUndefined("last") : items.back();
  });
  Add(env, "reverse", [](const Value& v, const CallArgs&) {
    if (v.IsString()) return Value(std::string(v.AsString().rbegin(), v.AsString().rend()));
    List items = Iterate(v);
    std::reverse(items.begin(), items.end());
    return Value(items);
  });
  Add(env, "min", [](const Value& v, const CallArgs& a) { return Extreme(v, a, false); });
  Add(env, "max", [](const Value& v, const CallArgs& a) { return Extreme(v, a, true); });
  env.AddFilter("map", Map);
  for (bool select : {true, false}) {
    for (bool by_attribute : {false, true}) {
      std::string name = std::string(select ? "select" : "reject") + (by_attribute ? "attr" : "");
      env.AddFilter(
          name, [select, by_attribute](const Environment& e, const Value& v, const CallArgs& a) {
            return SelectOrReject(e, v, a, select, by_attribute);
          });
    }
  }
}

}  // namespace wharf::models::jinja
