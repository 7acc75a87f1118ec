// Python methods on template values that dbt code calls: list.append,
// dict.items/get/update, str.lower/split/replace, ... A method is returned as a
// callable bound to its receiver; lists and dicts are shared, so a mutating
// method changes the value every name bound to it sees.
#include <fmt/format.h>

#include <algorithm>

#include "models/jinja/access.hpp"
#include "models/jinja/args.hpp"
#include "models/jinja/strings.hpp"

namespace wharf::models::jinja {

namespace {

Value Bind(const Value& self, std::string_view name,
           std::function<Value(const Value& self, const CallArgs& args)> fn) {
  return Value::MakeFunction(std::string(name), [self, fn = std::move(fn)](const CallArgs& args) {
    return fn(self, args);
  });
}

std::optional<std::string> OptionalString(const CallArgs& args, size_t i, std::string_view name) {
  Value v = OptionalArg(args, i, name);
  if (v.IsNone()) return std::nullopt;
  return v.Str();
}

Value ListMethod(const Value& self, std::string_view name) {
  if (name == "append") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      s.AsList().push_back(RequiredArg(a, 0, "item", "append"));
      return Value();
    });
  }
  if (name == "extend") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      List more = Iterate(RequiredArg(a, 0, "items", "extend"));
      s.AsList().insert(s.AsList().end(), more.begin(), more.end());
      return Value();
    });
  }
  if (name == "pop") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      List& list = s.AsList();
      if (list.empty()) ThrowValueError("pop() from an empty list");
      int64_t i = OptionalArg(a, 0, "index", Value(-1)).AsInt();
      if (i < 0) i += static_cast<int64_t>(list.size());
      if (i < 0 || i >= static_cast<int64_t>(list.size()))
        ThrowValueError("pop() index out of range");
      Value item = list[static_cast<size_t>(i)];
      list.erase(list.begin() + i);
      return item;
    });
  }
  if (name == "index" || name == "count") {
    return Bind(self, name, [name = std::string(name)](const Value& s, const CallArgs& a) {
      const Value& item = RequiredArg(a, 0, "item", name);
      const List& list = s.AsList();
      if (name == "count") return Value(std::count(list.begin(), list.end(), item));
      auto it = std::find(list.begin(), list.end(), item);
      if (it == list.end()) ThrowValueError(fmt::format("{} is not in the list", item.Repr()));
      return Value(it - list.begin());
    });
  }
  return Value::MakeUndefined(std::string(name));
}

Value DictMethod(const Value& self, std::string_view name) {
  if (name == "items" || name == "keys" || name == "values") {
    return Bind(self, name, [name = std::string(name)](const Value& s, const CallArgs&) {
      List out;
      for (const auto& [k, v] : s.AsDict()) {
        if (name == "items") out.emplace_back(List{Value(k), v});
        if (name == "keys") out.emplace_back(k);
        if (name == "values") out.push_back(v);
      }
      return Value(out);
    });
  }
  if (name == "get") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      const Value* v = s.AsDict().Find(KeyString(RequiredArg(a, 0, "key", "get")));
      return v ? *v : OptionalArg(a, 1, "default");
    });
  }
  if (name == "pop") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      std::string key = KeyString(RequiredArg(a, 0, "key", "pop"));
      const Value* v = s.AsDict().Find(key);
      if (v == nullptr) {
        if (const Value* fallback = a.Get(1, "default")) return *fallback;
        ThrowValueError(fmt::format("pop(): key '{}' is not in the dict", key));
      }
      Value out = *v;
      s.AsDict().Erase(key);
      return out;
    });
  }
  if (name == "update") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      if (!a.positional.empty()) {
        if (!a.positional[0].IsDict()) ThrowValueError("update() needs a dict");
        for (const auto& [k, v] : a.positional[0].AsDict()) s.AsDict().Set(k, v);
      }
      for (const auto& [k, v] : a.keyword) s.AsDict().Set(k, v);
      return Value();
    });
  }
  if (name == "setdefault") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      std::string key = KeyString(RequiredArg(a, 0, "key", "setdefault"));
      if (const Value* v = s.AsDict().Find(key)) return *v;
      Value fallback = OptionalArg(a, 1, "default");
      s.AsDict().Set(key, fallback);
      return fallback;
    });
  }
  if (name == "copy") {
    return Bind(self, name,
                [](const Value& s, const CallArgs&) { return Value(Dict(s.AsDict())); });
  }
  return Value::MakeUndefined(std::string(name));
}

// str.format with "{}", "{0}" and "{name}" fields (no format specs).
std::string Format(const std::string& pattern, const CallArgs& a) {
  std::string out;
  size_t next_auto = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    size_t close = pattern.find('}', i);
    if (close == std::string::npos) ThrowValueError("format(): '{' without a closing '}'");
    std::string field = pattern.substr(i + 1, close - i - 1);
    const Value* v = nullptr;
    if (field.empty()) {
      v = a.Get(next_auto++, "");
    } else if (std::all_of(field.begin(), field.end(),
                           [](char ch) { return ch >= '0' && ch <= '9'; })) {
      v = a.Get(std::stoul(field), "");
    } else {
      v = a.Keyword(field);
    }
    if (v == nullptr) ThrowValueError(fmt::format("format(): no argument for '{{{}}}'", field));
    out += v->Str();
    i = close;
  }
  return out;
}

Value StringMethod(const Value& self, std::string_view name) {
  using Fn = std::string (*)(std::string_view);
  for (auto [method, fn] : {std::pair<std::string_view, Fn>{"lower", Lower},
                            {"upper", Upper},
                            {"capitalize", Capitalize},
                            {"title", Title}}) {
    if (name == method) {
      return Bind(self, name,
                  [fn](const Value& s, const CallArgs&) { return Value(fn(s.AsString())); });
    }
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    return Bind(self, name, [name = std::string(name)](const Value& s, const CallArgs& a) {
      return Value(
          Strip(s.AsString(), OptionalString(a, 0, "chars"), name != "rstrip", name != "lstrip"));
    });
  }
  if (name == "split") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      long max = static_cast<long>(OptionalArg(a, 1, "maxsplit", Value(-1)).AsInt());
      List out;
      for (auto& part : Split(s.AsString(), OptionalString(a, 0, "sep"), max))
        out.emplace_back(part);
      return Value(out);
    });
  }
  if (name == "replace") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      long count = static_cast<long>(OptionalArg(a, 2, "count", Value(-1)).AsInt());
      return Value(Replace(s.AsString(), StringArg(a, 0, "old", "replace"),
                           StringArg(a, 1, "new", "replace"), count));
    });
  }
  if (name == "startswith" || name == "endswith") {
    return Bind(self, name, [name = std::string(name)](const Value& s, const CallArgs& a) {
      const Value& arg = RequiredArg(a, 0, "prefix", name);
      List candidates = arg.IsList() ? arg.AsList() : List{arg};
      for (const Value& c : candidates) {
        const std::string& text = s.AsString();
        std::string affix = c.Str();
        if (name == "startswith" ? text.starts_with(affix) : text.ends_with(affix))
          return Value(true);
      }
      return Value(false);
    });
  }
  if (name == "join") {
    return Bind(self, name, [](const Value& s, const CallArgs& a) {
      std::string out;
      bool first = true;
      for (const Value& item : Iterate(RequiredArg(a, 0, "items", "join"))) {
        if (!first) out += s.AsString();
        out += item.Str();
        first = false;
      }
      return Value(out);
    });
  }
  if (name == "format") {
    return Bind(self, name,
                [](const Value& s, const CallArgs& a) { return Value(Format(s.AsString(), a)); });
  }
  return Value::MakeUndefined(std::string(name));
}

}  // namespace

Value BoundMethod(const Value& self, std::string_view name) {
  if (self.IsList()) return ListMethod(self, name);
  if (self.IsDict()) return DictMethod(self, name);
  if (self.IsString()) return StringMethod(self, name);
  return Value::MakeUndefined(std::string(name));
}

}  // namespace wharf::models::jinja
