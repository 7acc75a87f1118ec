#include "models/jinja/access.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace wharf::models::jinja {

namespace {

// Hint for an undefined read of `name` from `value`, e.g. "config.alias".
std::string MissingHint(const Value& value, std::string_view name) {
  if (value.IsUndefined() && !value.UndefinedHint().empty()) {
    return fmt::format("{}.{}", value.UndefinedHint(), name);
  }
  return std::string(name);
}

// Python index semantics: negative counts from the end; nullopt when out of range.
std::optional<size_t> ResolveIndex(int64_t index, size_t size) {
  if (index < 0) index += static_cast<int64_t>(size);
  if (index < 0 || index >= static_cast<int64_t>(size)) return std::nullopt;
  return static_cast<size_t>(index);
}

size_t ClampBound(const Value* bound, size_t size, size_t fallback) {
  if (bound == nullptr || bound->IsNone()) return fallback;
  if (!bound->IsNumber()) ThrowValueError("slice bounds must be integers");
  int64_t i = bound->AsInt();
  if (i < 0) i += static_cast<int64_t>(size);
  return static_cast<size_t>(std::clamp<int64_t>(i, 0, static_cast<int64_t>(size)));
}

}  // namespace

Value GetAttr(const Value& value, std::string_view name) {
  if (value.IsObject()) {
    const Value* attr = value.AsObject().attributes.Find(name);
    return attr ? *attr : Value::MakeUndefined(MissingHint(value, name));
  }
  // Jinja tries the Python attribute first, so dict.items is the method.
  Value method = BoundMethod(value, name);
  if (!method.IsUndefined()) return method;
  if (value.IsDict()) {
    const Value* item = value.AsDict().Find(name);
    if (item) return *item;
  }
  return Value::MakeUndefined(MissingHint(value, name));
}

Value GetItem(const Value& value, const Value& key) {
  if (value.IsDict()) {
    const Value* item = value.AsDict().Find(KeyString(key));
    if (item) return *item;
  } else if ((value.IsList() || value.IsString()) && key.IsNumber() && !key.IsFloat()) {
    if (value.IsList()) {
      auto i = ResolveIndex(key.AsInt(), value.AsList().size());
      if (i) return value.AsList()[*i];
    } else {
      auto i = ResolveIndex(key.AsInt(), value.AsString().size());
      if (i) return Value(std::string(1, value.AsString()[*i]));
    }
    return Value::MakeUndefined(fmt::format("[{}]", key.AsInt()));
  }
  if (key.IsString()) return GetAttr(value, key.AsString());
  return Value::MakeUndefined(MissingHint(value, key.Str()));
}

Value GetSlice(const Value& value, const Value* start, const Value* stop) {
  if (value.IsList()) {
    const List& list = value.AsList();
    size_t b = ClampBound(start, list.size(), 0);
    size_t e = ClampBound(stop, list.size(), list.size());
    return b < e ? Value(List(list.begin() + b, list.begin() + e)) : Value(List{});
  }
  if (value.IsString()) {
    const std::string& s = value.AsString();
    size_t b = ClampBound(start, s.size(), 0);
    size_t e = ClampBound(stop, s.size(), s.size());
    return Value(b < e ? s.substr(b, e - b) : std::string());
  }
  if (value.IsUndefined()) return value;
  ThrowValueError(fmt::format("cannot slice a '{}'", value.TypeName()));
}

List Iterate(const Value& value) {
  if (value.IsList()) return value.AsList();
  if (value.IsUndefined()) return {};
  if (value.IsDict()) {
    List keys;
    for (const auto& [k, v] : value.AsDict()) keys.emplace_back(k);
    return keys;
  }
  if (value.IsString()) {
    List chars;
    for (char c : value.AsString()) chars.emplace_back(std::string(1, c));
    return chars;
  }
  ThrowValueError(
      fmt::format("a '{}' is not iterable: loop over a list, dict or string", value.TypeName()));
}

bool Contains(const Value& container, const Value& item) {
  if (container.IsString()) {
    if (!item.IsString()) {
      ThrowValueError(
          fmt::format("'in <string>' needs a string on the left, not a '{}'", item.TypeName()));
    }
    return container.AsString().find(item.AsString()) != std::string::npos;
  }
  if (container.IsDict()) return container.AsDict().Find(KeyString(item)) != nullptr;
  if (container.IsUndefined()) return false;
  const List items = Iterate(container);
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace wharf::models::jinja
