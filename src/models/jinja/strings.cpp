#include "models/jinja/strings.hpp"

#include <cctype>

#include "models/jinja/value.hpp"

namespace wharf::models::jinja {

namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
char ToLower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
char ToUpper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToUpper(c);
  return out;
}

std::string Capitalize(std::string_view s) {
  std::string out = Lower(s);
  if (!out.empty()) out[0] = ToUpper(out[0]);
  return out;
}

std::string Title(std::string_view s) {
  std::string out(s);
  bool word_start = true;
  for (char& c : out) {
    bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
    c = word_start ? ToUpper(c) : ToLower(c);
    word_start = !alnum;
  }
  return out;
}

std::string Strip(std::string_view s, const std::optional<std::string>& chars, bool left,
                  bool right) {
  auto strip = [&](char c) { return chars ? chars->find(c) != std::string::npos : IsSpace(c); };
  while (left && !s.empty() && strip(s.front())) s.remove_prefix(1);
  while (right && !s.empty() && strip(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> Split(std::string_view s, const std::optional<std::string>& sep,
                               long max_splits) {
  std::vector<std::string> parts;
  if (!sep) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && IsSpace(s[i])) ++i;
      if (i >= s.size()) break;
      if (max_splits >= 0 && static_cast<long>(parts.size()) == max_splits) {
        parts.emplace_back(Strip(s.substr(i), std::nullopt, false, true));
        break;
      }
      size_t j = i;
      while (j < s.size() && !IsSpace(s[j])) ++j;
      parts.emplace_back(s.substr(i, j - i));
      i = j;
    }
    return parts;
  }
  if (sep->empty()) ThrowValueError("split() got an empty separator");
  size_t start = 0;
  while (max_splits < 0 || static_cast<long>(parts.size()) < max_splits) {
    size_t at = s.find(*sep, start);
    if (at == std::string_view::npos) break;
    parts.emplace_back(s.substr(start, at - start));
    start = at + sep->size();
  }
  parts.emplace_back(s.substr(start));
  return parts;
}

std::string Replace(std::string_view s, std::string_view from, std::string_view to, long count) {
  std::string out;
  size_t start = 0;
  long done = 0;
  while (count < 0 || done < count) {
    size_t at =
        from.empty() ? (start <= s.size() ? start : std::string_view::npos) : s.find(from, start);
    if (at == std::string_view::npos) break;
    out.append(s.substr(start, at - start));
    out.append(to);
    ++done;
    if (from.empty()) {
      // Python inserts `to` between every character: "ab".replace("", "-") == "-a-b-".
      if (at < s.size()) out += s[at];
      start = at + 1;
      if (start > s.size()) return out;
    } else {
      start = at + from.size();
    }
  }
  if (start <= s.size()) out.append(s.substr(start));
  return out;
}

}  // namespace wharf::models::jinja
