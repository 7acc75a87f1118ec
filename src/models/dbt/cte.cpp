#include "models/dbt/cte.hpp"

#include <cctype>

namespace wharf::models::dbt {

namespace {

// Where the first keyword of `sql` starts, past whitespace and comments.
size_t FirstKeyword(const std::string& sql) {
  size_t i = 0;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.compare(i, 2, "--") == 0) {
      i = sql.find('\n', i);
      if (i == std::string::npos) return sql.size();
    } else if (sql.compare(i, 2, "/*") == 0) {
      i = sql.find("*/", i);
      if (i == std::string::npos) return sql.size();
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

bool StartsWithWord(const std::string& sql, size_t at, std::string_view word) {
  if (sql.size() < at + word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(sql[at + k])) != word[k]) return false;
  return at + word.size() == sql.size() || !(std::isalnum(static_cast<unsigned char>(sql[at + word.size()])) ||
                                             sql[at + word.size()] == '_');
}

}  // namespace

std::string WithCtes(const std::string& sql, const std::vector<std::pair<std::string, std::string>>& ctes) {
  if (ctes.empty()) return sql;
  std::string list;
  for (const auto& [name, body] : ctes) list += (list.empty() ? "" : ",\n") + name + " as (\n" + body + "\n)";
  size_t at = FirstKeyword(sql);
  if (StartsWithWord(sql, at, "with")) return sql.substr(0, at) + "with " + list + ",\n" + sql.substr(at + 4);
  return "with " + list + "\n" + sql;
}

}  // namespace wharf::models::dbt
