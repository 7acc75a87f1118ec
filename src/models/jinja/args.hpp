#pragma once
// Argument helpers for builtin filters, tests, methods and functions.
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "models/jinja/value.hpp"

namespace wharf::models::jinja {

// Argument `index` (or keyword `name`) of `fn`; ValueError when missing.
inline const Value& RequiredArg(const CallArgs& args, size_t index, std::string_view name,
                                std::string_view fn) {
  const Value* v = args.Get(index, name);
  if (v == nullptr) ThrowValueError(fmt::format("{}() needs the argument '{}'", fn, name));
  return *v;
}

inline Value OptionalArg(const CallArgs& args, size_t index, std::string_view name,
                         Value fallback = Value()) {
  const Value* v = args.Get(index, name);
  return v ? *v : fallback;
}

inline std::string StringArg(const CallArgs& args, size_t index, std::string_view name,
                             std::string_view fn) {
  const Value& v = RequiredArg(args, index, name, fn);
  if (!v.IsString()) {
    ThrowValueError(
        fmt::format("{}() needs a string for '{}', not a '{}'", fn, name, v.TypeName()));
  }
  return v.AsString();
}

// CallArgs holding `args` minus the first `skip` positional arguments.
inline CallArgs DropPositional(const CallArgs& args, size_t skip) {
  CallArgs rest;
  for (size_t i = skip; i < args.positional.size(); ++i)
    rest.positional.push_back(args.positional[i]);
  rest.keyword = args.keyword;
  return rest;
}

}  // namespace wharf::models::jinja
