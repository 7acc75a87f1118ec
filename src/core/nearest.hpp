#pragma once
// "Did you mean ...?" for names a user typed: the nearest candidate by edit distance.
#include <optional>
#include <string>
#include <vector>

namespace wharf::core {

size_t EditDistance(const std::string& a, const std::string& b);

// The candidate nearest to `word` if it is within `max_distance` edits.
std::optional<std::string> Nearest(const std::string& word,
                                   const std::vector<std::string>& candidates, size_t max_distance);

}  // namespace wharf::core
