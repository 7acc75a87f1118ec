#include "models/dbt/json_value.hpp"

namespace wharf::models::dbt {

nlohmann::ordered_json ToJson(const jinja::Value& v) {
  if (v.IsNone() || v.IsUndefined()) return nullptr;
  if (v.IsBool()) return v.AsBool();
  if (v.IsInt()) return v.AsInt();
  if (v.IsFloat()) return v.AsDouble();
  if (v.IsString()) return v.AsString();
  if (v.IsList()) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& item : v.AsList()) out.push_back(ToJson(item));
    return out;
  }
  if (v.IsDict()) {
    auto out = nlohmann::ordered_json::object();
    for (const auto& [k, item] : v.AsDict()) out[k] = ToJson(item);
    return out;
  }
  return v.Str();  // relations and other objects: their printed form
}

jinja::Value FromJson(const nlohmann::json& j) {
  if (j.is_null()) return jinja::Value();
  if (j.is_boolean()) return jinja::Value(j.get<bool>());
  if (j.is_number_integer()) return jinja::Value(j.get<int64_t>());
  if (j.is_number()) return jinja::Value(j.get<double>());
  if (j.is_string()) return jinja::Value(j.get<std::string>());
  if (j.is_array()) {
    jinja::List out;
    for (const auto& item : j) out.push_back(FromJson(item));
    return jinja::Value(std::move(out));
  }
  jinja::Dict out;
  for (auto it = j.begin(); it != j.end(); ++it) out.Set(it.key(), FromJson(it.value()));
  return jinja::Value(std::move(out));
}

}  // namespace wharf::models::dbt
