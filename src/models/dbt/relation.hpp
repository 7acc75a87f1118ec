#pragma once
// A dbt Relation: database.schema.identifier, printed quoted as dbt-duckdb and
// dbt-postgres print it ("warehouse"."analytics"."orders"). An ephemeral model's
// relation is the bare name of the CTE it compiles into.
#include <string>

#include "models/dbt/db.hpp"
#include "models/jinja/value.hpp"

namespace wharf::models::dbt {

struct Relation {
  std::string database;  // "" : omitted when printed
  std::string schema;
  std::string identifier;
  RelKind kind = RelKind::kNone;  // kNone: unknown or not yet built
  bool cte = false;               // an ephemeral model: printed bare

  std::string Render() const;
};

// The template-facing object: attributes database, schema, identifier, name,
// table, type ("table"/"view"/None), is_table, is_view, and methods render(),
// include(database=, schema=, identifier=), incorporate(type=, path=),
// replace_path(...), quote(...); {{ relation }} prints Render().
jinja::Value RelationValue(const Relation& relation);
// Back from a template value (a relation object, or a "schema.name" string).
Relation RelationFromValue(const jinja::Value& value);

}  // namespace wharf::models::dbt
