#pragma once
// Jinja values <-> JSON, for tojson/fromjson and the artifacts (manifest.json).
#include <nlohmann/json.hpp>

#include "models/jinja/value.hpp"

namespace wharf::models::dbt {

nlohmann::ordered_json ToJson(const jinja::Value& value);
jinja::Value FromJson(const nlohmann::json& json);

}  // namespace wharf::models::dbt
