// Builtin filters on strings and numbers. Sequence filters (join, map, sort,
// select, ...) are in filters_seq.cpp. Like Jinja, string filters apply str()
// to non-string input, so `{{ 42|replace('4', 'x') }}` works.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "models/jinja/access.hpp"
#include "models/jinja/args.hpp"
#include "models/jinja/environment.hpp"
#include "models/jinja/strings.hpp"

namespace wharf::models::jinja {

void RegisterSequenceFilters(Environment& env);  // filters_seq.cpp

namespace {

using StringFn = std::string (*)(std::string_view);

// Jinja's int filter: "42" -> 42, "3.7" -> 3, else the default.
Value ToInt(const Value& v, const CallArgs& a) {
  Value fallback = OptionalArg(a, 0, "default", Value(0));
  if (v.IsInt() || v.IsBool()) return Value(v.AsInt());
  if (v.IsFloat())
    return std::isfinite(v.AsDouble()) ? Value(static_cast<int64_t>(v.AsDouble())) : fallback;
  if (!v.IsString()) return fallback;
  std::string s = Strip(v.AsString(), std::nullopt);
  int64_t base = OptionalArg(a, 1, "base", Value(10)).AsInt();
  int64_t i = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), i, static_cast<int>(base));
  if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) return Value(i);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0' && std::isfinite(d)) return Value(static_cast<int64_t>(d));
  return fallback;
}

Value ToFloat(const Value& v, const CallArgs& a) {
  Value fallback = OptionalArg(a, 0, "default", Value(0.0));
  if (v.IsNumber()) return Value(v.AsDouble());
  if (!v.IsString()) return fallback;
  std::string s = Strip(v.AsString(), std::nullopt);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  return (!s.empty() && *end == '\0') ? Value(d) : fallback;
}

// round(value, precision=0, method='common'|'ceil'|'floor'): a float, except
// that 'common' leaves an int alone (as Python's round does).
Value Round(const Value& v, const CallArgs& a) {
  if (!v.IsNumber()) ThrowValueError(fmt::format("round needs a number, not a '{}'", v.TypeName()));
  int64_t precision = OptionalArg(a, 0, "precision", Value(0)).AsInt();
  std::string method = OptionalArg(a, 1, "method", Value("common")).Str();
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = v.AsDouble() * scale;
  if (method == "common") {
    if (v.IsInt()) return v;  // Python's round(3, 0) stays an int
    if (precision >= 0 && precision < 20 && std::isfinite(v.AsDouble())) {
      // Like Python, round the exact binary value: 2.675 is 2.67499999..., so
      // round(2.675, 2) is 2.67. printf does exactly that (ties to even).
      char buf[512];
      std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(precision), v.AsDouble());
      return Value(std::strtod(buf, nullptr));
    }
    // Python's round(): halves go to the even neighbour.
    double r = std::round(x);
    if (std::fabs(x - std::trunc(x)) == 0.5) r = 2.0 * std::round(x / 2.0);
    x = r;
  } else if (method == "ceil") {
    x = std::ceil(x);
  } else if (method == "floor") {
    x = std::floor(x);
  } else {
    ThrowValueError("round method must be 'common', 'ceil' or 'floor'");
  }
  return Value(x / scale);
}

Value Length(const Value& v) {
  if (v.IsString()) return Value(v.AsString().size());
  if (v.IsList()) return Value(v.AsList().size());
  if (v.IsDict()) return Value(v.AsDict().size());
  if (v.IsUndefined()) return Value(0);
  ThrowValueError(fmt::format("a '{}' has no length", v.TypeName()));
}

// Jinja's indent: every line but the first (and blank lines unless `blank`).
Value Indent(const Value& v, const CallArgs& a) {
  const Value width = OptionalArg(a, 0, "width", Value(4));
  std::string indentation = width.IsString() ? width.AsString() : std::string(width.AsInt(), ' ');
  bool first = OptionalArg(a, 1, "first", Value(false)).Truthy();
  bool blank = OptionalArg(a, 2, "blank", Value(false)).Truthy();
  std::vector<std::string> lines = Split(v.Str(), std::string("\n"));
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // splitlines drops the last ""
  std::string out = lines.empty() ? "" : lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    out += "\n";
    if (blank || !lines[i].empty()) out += indentation;
    out += lines[i];
  }
  if (first) out = indentation + out;
  return Value(out);
}

void AppendJson(const Value& v, std::string& out) {
  if (v.IsNone() || v.IsUndefined()) {
    out += "null";
  } else if (v.IsBool()) {
    out += v.AsBool() ? "true" : "false";
  } else if (v.IsNumber()) {
    out += v.Repr();
  } else if (v.IsString()) {
    out += '"';
    for (char c : v.AsString()) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        // Jinja's tojson is HTML-safe: these are escaped too.
        case '<':
          out += "\\u003c";
          break;
        case '>':
          out += "\\u003e";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '\'':
          out += "\\u0027";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<int>(c));
          } else {
            out += c;
          }
      }
    }
    out += '"';
  } else if (v.IsList()) {
    out += '[';
    for (size_t i = 0; i < v.AsList().size(); ++i) {
      if (i > 0) out += ", ";
      AppendJson(v.AsList()[i], out);
    }
    out += ']';
  } else if (v.IsDict()) {
    // Jinja's tojson sorts keys (json.dumps(sort_keys=True)).
    std::vector<const Dict::Entry*> entries;
    for (const auto& entry : v.AsDict()) entries.push_back(&entry);
    std::sort(entries.begin(), entries.end(), [](auto* x, auto* y) { return x->first < y->first; });
    out += '{';
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += ", ";
      AppendJson(Value(entries[i]->first), out);
      out += ": ";
      AppendJson(entries[i]->second, out);
    }
    out += '}';
  } else {
    ThrowValueError(fmt::format("a '{}' cannot be written as JSON", v.TypeName()));
  }
}

void AddSimple(Environment& env, std::string name,
               std::function<Value(const Value&, const CallArgs&)> fn) {
  env.AddFilter(std::move(name), [fn = std::move(fn)](const Environment&, const Value& v,
                                                      const CallArgs& a) { return fn(v, a); });
}

}  // namespace

void RegisterBuiltinFilters(Environment& env) {
  for (auto [name, fn] : {std::pair<const char*, StringFn>{"lower", Lower},
                          {"upper", Upper},
                          {"capitalize", Capitalize},
                          {"title", Title}}) {
    AddSimple(env, name, [fn](const Value& v, const CallArgs&) { return Value(fn(v.Str())); });
  }
  AddSimple(env, "trim", [](const Value& v, const CallArgs& a) {
    Value chars = OptionalArg(a, 0, "chars");
    return Value(Strip(v.Str(), chars.IsNone() ? std::nullopt : std::optional(chars.Str())));
  });
  AddSimple(env, "replace", [](const Value& v, const CallArgs& a) {
    long count = static_cast<long>(OptionalArg(a, 2, "count", Value(-1)).AsInt());
    return Value(Replace(v.Str(), RequiredArg(a, 0, "old", "replace").Str(),
                         RequiredArg(a, 1, "new", "replace").Str(), count));
  });
  for (const char* name : {"default", "d"}) {
    AddSimple(env, name, [](const Value& v, const CallArgs& a) {
      bool boolean = OptionalArg(a, 1, "boolean", Value(false)).Truthy();
      bool missing = v.IsUndefined() || (boolean && !v.Truthy());
      return missing ? OptionalArg(a, 0, "default_value", Value("")) : v;
    });
  }
  for (const char* name : {"length", "count"}) {
    AddSimple(env, name, [](const Value& v, const CallArgs&) { return Length(v); });
  }
  AddSimple(env, "int", ToInt);
  AddSimple(env, "float", ToFloat);
  AddSimple(env, "round", Round);
  AddSimple(env, "string", [](const Value& v, const CallArgs&) { return Value(v.Str()); });
  AddSimple(env, "abs", [](const Value& v, const CallArgs&) {
    if (!v.IsNumber()) ThrowValueError(fmt::format("abs needs a number, not a '{}'", v.TypeName()));
    return v.IsFloat() ? Value(std::fabs(v.AsDouble())) : Value(std::llabs(v.AsInt()));
  });
  AddSimple(env, "indent", Indent);
  AddSimple(env, "tojson", [](const Value& v, const CallArgs&) {
    std::string out;
    AppendJson(v, out);
    return Value(out);
  });
  AddSimple(env, "items", [](const Value& v, const CallArgs&) {
    if (v.IsUndefined()) return Value(List{});
    if (!v.IsDict()) ThrowValueError(fmt::format("items needs a dict, not a '{}'", v.TypeName()));
    return BoundMethod(v, "items").AsCallable().fn({});
  });
  RegisterSequenceFilters(env);
}

}  // namespace wharf::models::jinja
