#pragma once
// Splits a Jinja template into tokens: text between tags, tag delimiters, and
// the names, literals and operators inside `{{ }}` and `{% %}`.
//
// Whitespace control is applied here: `{{-`, `{%-` and `{#-` strip the
// whitespace (newlines included) before the tag, `-}}`, `-%}` and `-#}` the
// whitespace after it. Like dbt, no trim_blocks or lstrip_blocks: a newline
// after a block tag is kept. Comments vanish, and `{% raw %}...{% endraw %}`
// becomes a single text token.
#include <string>
#include <string_view>
#include <vector>

namespace wharf::models::jinja {

enum class TokenKind {
  kText,
  kVarBegin,    // {{
  kVarEnd,      // }}
  kBlockBegin,  // {%
  kBlockEnd,    // %}
  kName,
  kString,  // text holds the unescaped value
  kInt,
  kFloat,
  kOperator,
  kEnd,  // end of the template
};

struct Location {
  int line = 1;
  int column = 1;
};

struct Token {
  TokenKind kind;
  std::string text;
  Location location;
};

// Throws wharf::Error (kConfig) naming `name`, line and column for an unclosed
// tag, comment, string or raw block, or a character that starts no token.
std::vector<Token> Tokenize(std::string_view source, const std::string& name);

// "model.sql:3:7" for error messages.
std::string Where(const std::string& name, Location location);

}  // namespace wharf::models::jinja
