#pragma once
// Reading into values: attributes, items, slices, methods, iteration, and the
// binary operators. Pure functions over Values; errors are ValueErrors.
#include <string_view>

#include "models/jinja/value.hpp"

namespace wharf::models::jinja {

// `value.name`: a method (list.append, dict.items, str.lower, ...), an object
// attribute or a dict item; undefined when there is none (also on undefined).
Value GetAttr(const Value& value, std::string_view name);
// `value[key]`: a dict item, a list or string element (negative indexes count
// from the end), else as GetAttr; undefined when missing.
Value GetItem(const Value& value, const Value& key);
// `value[start:stop]` on a list or string; null bounds are open.
Value GetSlice(const Value& value, const Value* start, const Value* stop);
// The bound method `name` of a list, dict or string, or undefined (methods.cpp).
Value BoundMethod(const Value& self, std::string_view name);

// The items a `for` loop or a filter walks: list elements, dict keys, string
// characters; nothing for undefined. ValueError for anything else.
List Iterate(const Value& value);

// `op` is one of + - * / // % ** ~ == != < <= > >= in "not in" (not and/or,
// which short-circuit in the renderer).
Value BinaryOp(std::string_view op, const Value& left, const Value& right);
// Python's `item in container`.
bool Contains(const Value& container, const Value& item);

}  // namespace wharf::models::jinja
