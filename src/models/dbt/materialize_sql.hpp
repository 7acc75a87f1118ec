#pragma once
// The SQL of dbt's materializations, as pure functions of names and
// columns: what dbt-duckdb and dbt-postgres run, in statements both accept.
// The executor (materialize.cpp) asks the database what exists and runs them.
#include <optional>
#include <string>
#include <vector>

#include "models/dbt/relation.hpp"

namespace wharf::models::dbt::sql {

// `relation` with its identifier replaced (the __dbt_tmp and __dbt_backup twins).
Relation Twin(const Relation& relation, const std::string& suffix);
std::string CreateSchema(const std::string& adapter, const Relation& relation);
std::string Drop(const Relation& relation, RelKind kind);  // "drop view if exists ... cascade"
std::string CreateView(const Relation& relation, const std::string& select);
std::string CreateTableAs(const Relation& relation, const std::string& select, bool temporary = false);
// Renames `from` to the identifier of `to` (same schema).
std::string Rename(const Relation& from, RelKind kind, const Relation& to);




std::string InsertFrom(const Relation& target, const std::string& source, const std::vector<std::string>& columns);
std::string DeleteMatching(const Relation& target, const std::string& source, const std::vector<std::string>& keys);
// merge: matched rows updated (update_columns), the others inserted.
std::string MergeUpdate(const Relation& target, const std::string& source, const std::vector<std::string>& keys,
                        const std::vector<std::string>& update_columns);
std::string MergeInsert(const Relation& target, const std::string& source, const std::vector<std::string>& keys,
                        const std::vector<std::string>& columns);

// Seeds.
std::string CreateTable(const Relation& relation, const std::vector<std::string>& columns,
                        const std::vector<std::string>& types);
// INSERT ... VALUES of text literals, rows [begin, end).
std::string InsertValues(const Relation& relation, const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows, size_t begin, size_t end);

// Tests: dbt's wrapper around the test's select of failing rows.
std::string TestQuery(const std::string& select, const std::string& fail_calc, const std::string& warn_if,
                      const std::string& error_if, const std::string& limit);

}  // namespace wharf::models::dbt::sql
