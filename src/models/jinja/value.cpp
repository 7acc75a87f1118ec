#include "models/jinja/value.hpp"

#include <fmt/format.h>

#include <cmath>

namespace wharf::models::jinja {

void ThrowValueError(std::string message) { throw ValueError(std::move(message)); }

Value::Value(List list) : v_(std::make_shared<List>(std::move(list))) {}
Value::Value(Dict dict) : v_(std::make_shared<Dict>(std::move(dict))) {}

Value Value::MakeUndefined(std::string hint) {
  Value v;
  v.v_ = Undefined{std::move(hint)};
  return v;
}

Value Value::MakeFunction(std::string name, Function fn) {
  Value v;
  v.v_ = std::make_shared<const Callable>(Callable{std::move(name), std::move(fn)});
  return v;
}

Value Value::MakeObject(Dict attributes) {
  Value v;
  auto object = std::make_shared<Object>();
  object->attributes = std::move(attributes);
  v.v_ = std::move(object);
  return v;
}

int64_t Value::AsInt() const {
  if (IsBool()) return AsBool() ? 1 : 0;
  return std::get<int64_t>(v_);
}

double Value::AsDouble() const {
  if (IsFloat()) return std::get<double>(v_);
  return static_cast<double>(AsInt());
}

bool Value::Truthy() const {
  if (IsUndefined() || IsNone()) return false;
  if (IsBool()) return AsBool();
  if (IsInt()) return AsInt() != 0;
  if (IsFloat()) return AsDouble() != 0.0;
  if (IsString()) return !AsString().empty();
  if (IsList()) return !AsList().empty();
  if (IsDict()) return !AsDict().empty();
  return true;  // callables and objects
}

std::string FormatFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", d);
  // fmt prints 1.0 as "1"; Python keeps the ".0" to show it is a float.
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

namespace {

std::string QuoteString(const std::string& s) {
  // Python prefers single quotes unless the string holds one and no double quote.
  char quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == quote || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace

std::string Value::Str() const {
  if (IsUndefined()) return "";
  if (IsString()) return AsString();
  return Repr();
}

std::string Value::Repr() const {
  if (IsUndefined()) return "";
  if (IsNone()) return "None";
  if (IsBool()) return AsBool() ? "True" : "False";
  if (IsInt()) return std::to_string(AsInt());
  if (IsFloat()) return FormatFloat(AsDouble());
  if (IsString()) return QuoteString(AsString());
  if (IsList()) {
    std::string out = "[";
    for (const auto& item : AsList()) out += (out.size() > 1 ? ", " : "") + item.Repr();
    return out + "]";
  }
  if (IsDict()) {
    std::string out = "{";
    for (const auto& [k, v] : AsDict()) {
      out += (out.size() > 1 ? ", " : "") + QuoteString(k) + ": " + v.Repr();
    }
    return out + "}";
  }
  if (IsCallable()) return "<function " + AsCallable().name + ">";
  if (AsObject().str) return AsObject().str();
  return "<Namespace>";
}

std::string_view Value::TypeName() const {
  if (IsUndefined()) return "Undefined";
  if (IsNone()) return "NoneType";
  if (IsBool()) return "bool";
  if (IsInt()) return "int";
  if (IsFloat()) return "float";
  if (IsString()) return "str";
  if (IsList()) return "list";
  if (IsDict()) return "dict";
  if (IsCallable()) return "function";
  if (!AsObject().type_name.empty()) return AsObject().type_name;
  return "Namespace";
}

const void* Value::Identity() const {
  return std::visit(
      [](const auto& alt) -> const void* {
        using T = std::decay_t<decltype(alt)>;
        if constexpr (std::is_same_v<T, std::shared_ptr<List>> ||
                      std::is_same_v<T, std::shared_ptr<Dict>> ||
                      std::is_same_v<T, std::shared_ptr<Object>> ||
                      std::is_same_v<T, std::shared_ptr<const Callable>>) {
          return alt.get();
        } else {
          return nullptr;
        }
      },
      v_);
}

Dict::Dict(std::initializer_list<Entry> entries) {
  for (const auto& [k, v] : entries) Set(k, v);
}

const Value* Dict::Find(std::string_view key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

Value* Dict::Find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Dict*>(this)->Find(key));
}

void Dict::Set(std::string key, Value value) {
  if (Value* existing = Find(key)) {
    *existing = std::move(value);
    return;
  }
  index_.emplace(key, entries_.size());
  entries_.emplace_back(std::move(key), std::move(value));
}

bool Dict::Erase(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  size_t position = it->second;
  index_.erase(it);
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(position));
  for (auto& [k, i] : index_) {
    if (i > position) --i;  // entries after the erased one moved down
  }
  return true;
}

const Value* CallArgs::Get(size_t index, std::string_view name) const {
  if (index < positional.size()) return &positional[index];
  return Keyword(name);
}

const Value* CallArgs::Keyword(std::string_view name) const {
  for (const auto& [k, v] : keyword) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool operator==(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsFloat() || b.IsFloat()) return a.AsDouble() == b.AsDouble();
    return a.AsInt() == b.AsInt();
  }
  if (a.IsUndefined() || b.IsUndefined()) return a.IsUndefined() && b.IsUndefined();
  if (a.IsNone() || b.IsNone()) return a.IsNone() && b.IsNone();
  if (a.IsString() && b.IsString()) return a.AsString() == b.AsString();
  if (a.IsList() && b.IsList()) return a.AsList() == b.AsList();
  if (a.IsDict() && b.IsDict()) {
    const Dict& x = a.AsDict();
    const Dict& y = b.AsDict();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      const Value* other = y.Find(k);
      if (!other || !(*other == v)) return false;
    }
    return true;
  }
  const void* id = a.Identity();
  return id != nullptr && id == b.Identity();
}

int Compare(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsFloat() || b.IsFloat()) {
      double x = a.AsDouble(), y = b.AsDouble();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    int64_t x = a.AsInt(), y = b.AsInt();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.IsString() && b.IsString()) {
    int c = a.AsString().compare(b.AsString());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.IsList() && b.IsList()) {
    const List& x = a.AsList();
    const List& y = b.AsList();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (int c = Compare(x[i], y[i]); c != 0) return c;
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  ThrowValueError(fmt::format("cannot compare a '{}' with a '{}'", a.TypeName(), b.TypeName()));
}

std::string KeyString(const Value& key) { return key.Str(); }

}  // namespace wharf::models::jinja
