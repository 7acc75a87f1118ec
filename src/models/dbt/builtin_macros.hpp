#pragma once
namespace wharf::models::dbt {
// Jinja source of the macros dbt itself provides (registered under `dbt`).
const char* BuiltinMacros();
}  // namespace wharf::models::dbt
