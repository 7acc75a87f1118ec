#pragma once
// Parses template source into a Template (an immutable syntax tree).
#include <string>
#include <string_view>

#include "models/jinja/ast.hpp"

namespace wharf::models::jinja {

// Throws wharf::Error (kConfig) "name:line:column: message" for a syntax error:
// an unclosed tag, an unknown tag, an unexpected token, a missing end tag.
Template Parse(std::string_view source, std::string name);

}  // namespace wharf::models::jinja
