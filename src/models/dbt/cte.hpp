#pragma once
// dbt's CTE injection, pure: the ephemeral models a node reads become
// `<name> as (<sql>)` entries ahead of its SQL, merged into the node's own
// WITH when it starts with one (past comments and whitespace).
#include <string>
#include <utility>
#include <vector>

namespace wharf::models::dbt {

// `ctes`: (name, sql) in the order they must appear (a CTE may read earlier ones).
std::string WithCtes(const std::string& sql, const std::vector<std::pair<std::string, std::string>>& ctes);

}  // namespace wharf::models::dbt
