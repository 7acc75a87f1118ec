#pragma once
// Python str methods shared by string methods ('a'.upper()) and filters
// ('a'|upper). ASCII case mapping: SQL identifiers and keywords are ASCII.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::models::jinja {

std::string Lower(std::string_view s);
std::string Upper(std::string_view s);
// First character upper, the rest lower.
std::string Capitalize(std::string_view s);
// Each word capitalized.
std::string Title(std::string_view s);
// Strips `chars` (whitespace when nullopt) from the chosen ends.
std::string Strip(std::string_view s, const std::optional<std::string>& chars, bool left = true,
                  bool right = true);
// Python split: on runs of whitespace when `sep` is nullopt, else on `sep`.
// `max_splits` < 0 means no limit.
std::vector<std::string> Split(std::string_view s, const std::optional<std::string>& sep,
                               long max_splits = -1);
// Replaces the first `count` occurrences (all when count < 0).
std::string Replace(std::string_view s, std::string_view from, std::string_view to,
                    long count = -1);

}  // namespace wharf::models::jinja
