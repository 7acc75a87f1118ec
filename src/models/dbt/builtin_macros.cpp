// dbt's own macros that projects call or override: schema and alias naming,
// the generic tests, and the cross-database helpers (dbt.date_trunc, ...).
// They are Jinja, registered before the project's macros so a project's
// generate_schema_name (or any other) replaces them, as in dbt.
#include "models/dbt/builtin_macros.hpp"

namespace wharf::models::dbt {

const char* BuiltinMacros() {
  return R"JINJA(
{% macro generate_schema_name(custom_schema_name=none, node=none) -%}
  {{ default__generate_schema_name(custom_schema_name, node) }}
{%- endmacro %}
{% macro default__generate_schema_name(custom_schema_name=none, node=none) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ target.schema }}_{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
{% macro generate_schema_name_for_env(custom_schema_name, node) -%}
  {%- if target.name == 'prod' and custom_schema_name is not none -%}{{ custom_schema_name | trim }}{%- else -%}{{ target.schema }}{%- endif -%}
{%- endmacro %}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
  {{ default__generate_alias_name(custom_alias_name, node) }}
{%- endmacro %}
{% macro default__generate_alias_name(custom_alias_name=none, node=none) -%}
  {%- if custom_alias_name -%}{{ custom_alias_name | trim }}
  {%- elif node.version -%}{{ node.name ~ "_v" ~ (node.version | string | replace(".", "_")) }}
  {%- else -%}{{ node.name }}{%- endif -%}
{%- endmacro %}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
  {{ default__generate_database_name(custom_database_name, node) }}
{%- endmacro %}
{% macro default__generate_database_name(custom_database_name=none, node=none) -%}
  {%- if custom_database_name is none -%}{{ target.database }}{%- else -%}{{ custom_database_name | trim }}{%- endif -%}
{%- endmacro %}

{% macro get_where_subquery(relation) -%}
  {%- set where = config.get('where') -%}
  {%- if where -%}(select * from {{ relation }} where {{ where }}) dbt_subquery{%- else -%}{{ relation }}{%- endif -%}
{%- endmacro %}

{% test unique(model, column_name) %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endtest %}

{% test not_null(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% endtest %}

{% test accepted_values(model, column_name, values, quote=True) %}
with all_values as (
    select
        {{ column_name }} as value_field,
        count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
)
select *
from all_values
where value_field not in (
    {% for value in values -%}
        {% if quote -%}'{{ value }}'{%- else -%}{{ value }}{%- endif -%}
        {%- if not loop.last -%},{%- endif %}
    {%- endfor %}
)
{% endtest %}

{% test relationships(model, column_name, to, field) %}
with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),
parent as (
    select {{ field }} as to_field
    from {{ to }}
)
select from_field
from child
left join parent
    on child.from_field = parent.to_field
where parent.to_field is null
{% endtest %}

{% macro current_timestamp() -%}now(){%- endmacro %}
{% macro date_trunc(datepart, date) -%}date_trunc('{{ datepart }}', {{ date }}){%- endmacro %}
{% macro dateadd(datepart, interval, from_date_or_timestamp) -%}
  ({{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }})))
{%- endmacro %}
{% macro datediff(first_date, second_date, datepart) -%}
  {%- if target.type == 'duckdb' -%}
    date_diff('{{ datepart }}', cast({{ first_date }} as timestamp), cast({{ second_date }} as timestamp))
  {%- elif datepart == 'day' -%}
    ((cast({{ second_date }} as date) - cast({{ first_date }} as date)))
  {%- elif datepart in ('year', 'month', 'quarter', 'week', 'hour', 'minute', 'second') -%}
    {%- set parts = {'year': "date_part('year', {b}) - date_part('year', {a})",
                     'month': "(date_part('year', {b}) - date_part('year', {a})) * 12 + date_part('month', {b}) - date_part('month', {a})",
                     'quarter': "(date_part('year', {b}) - date_part('year', {a})) * 4 + date_part('quarter', {b}) - date_part('quarter', {a})",
                     'week': "trunc((cast({b} as date) - cast({a} as date)) / 7)",
                     'hour': "trunc(extract(epoch from (cast({b} as timestamp) - cast({a} as timestamp))) / 3600)",
                     'minute': "trunc(extract(epoch from (cast({b} as timestamp) - cast({a} as timestamp))) / 60)",
                     'second': "trunc(extract(epoch from (cast({b} as timestamp) - cast({a} as timestamp))))"} -%}
    ({{ parts[datepart] | replace('{a}', first_date) | replace('{b}', second_date) }})
  {%- else -%}
    {{ exceptions.raise_compiler_error("datediff: unsupported datepart " ~ datepart) }}
  {%- endif -%}
{%- endmacro %}
{% macro safe_cast(field, type) -%}
  {%- if target.type == 'duckdb' -%}try_cast({{ field }} as {{ type }}){%- else -%}cast({{ field }} as {{ type }}){%- endif -%}
{%- endmacro %}
{% macro hash(field) -%}md5(cast({{ field }} as varchar)){%- endmacro %}
{% macro concat(fields) -%}{{ fields | join(' || ') }}{%- endmacro %}
{% macro split_part(string_text, delimiter_text, part_number) -%}split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }}){%- endmacro %}
{% macro any_value(expression) -%}
  {%- if target.type == 'duckdb' -%}any_value({{ expression }}){%- else -%}min({{ expression }}){%- endif -%}
{%- endmacro %}
{% macro bool_or(expression) -%}bool_or({{ expression }}){%- endmacro %}
{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}
  string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
{%- endmacro %}
{% macro cast_bool_to_text(field) -%}cast({{ field }} as varchar){%- endmacro %}
{% macro last_day(date, datepart) -%}
  cast(date_trunc('{{ datepart }}', {{ date }}) + (interval '1 {{ datepart }}') - (interval '1 day') as date)
{%- endmacro %}
{% macro length(expression) -%}length({{ expression }}){%- endmacro %}
{% macro position(substring_text, string_text) -%}position({{ substring_text }} in {{ string_text }}){%- endmacro %}
{% macro replace(field, old_chars, new_chars) -%}replace({{ field }}, {{ old_chars }}, {{ new_chars }}){%- endmacro %}
{% macro right(string_text, length_expression) -%}right({{ string_text }}, {{ length_expression }}){%- endmacro %}
{% macro escape_single_quotes(expression) -%}{{ expression | replace("'", "''") }}{%- endmacro %}
{% macro string_literal(value) -%}'{{ value }}'{%- endmacro %}
{% macro except() -%}except{%- endmacro %}
{% macro intersect() -%}intersect{%- endmacro %}
{% macro type_string() -%}varchar{%- endmacro %}
{% macro type_timestamp() -%}timestamp{%- endmacro %}
{% macro type_float() -%}float{%- endmacro %}
{% macro type_numeric() -%}numeric(28,6){%- endmacro %}
{% macro type_bigint() -%}bigint{%- endmacro %}
{% macro type_int() -%}integer{%- endmacro %}
{% macro type_boolean() -%}boolean{%- endmacro %}
)JINJA";
}

}  // namespace wharf::models::dbt
