#include "core/glob.hpp"

namespace wharf::core {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single-star backtracking: linear in practice, no recursion.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool TableSelected(const std::vector<std::string>& includes, const std::vector<std::string>& excludes,
                   std::string_view schema, std::string_view name) {
  std::string full = std::string(schema) + "." + std::string(name);
  bool included = false;
  for (const auto& g : includes) {
    if (GlobMatch(g, full)) {
      included = true;
      break;
    }
  }
  if (!included) return false;
  for (const auto& g : excludes)
    if (GlobMatch(g, full)) return false;
  return true;
}

}  // namespace wharf::core
