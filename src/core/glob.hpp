#pragma once
// Table selection globs: "schema.table" patterns with * and ?, matched
// case-sensitively against the unquoted names (so "public.Order*" selects
// "public"."Orders").
#include <string>
#include <string_view>
#include <vector>

namespace wharf::core {

bool GlobMatch(std::string_view pattern, std::string_view text);

// True when schema.name matches any include and no exclude.
bool TableSelected(const std::vector<std::string>& includes, const std::vector<std::string>& excludes,
                   std::string_view schema, std::string_view name);

}  // namespace wharf::core
