{#- Small helpers whose SQL differs between DuckDB and PostgreSQL. Each goes through
    adapter.dispatch: dbt picks duckdb__<name> or postgres__<name> for the target's
    type and falls back to default__<name>. -#}

{# Whole days from one date or timestamp to another (later minus earlier). #}
{% macro days_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('days_between')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__days_between(start_expr, end_expr) -%}
    (cast({{ end_expr }} as date) - cast({{ start_expr }} as date))
{%- endmacro %}

{% macro duckdb__days_between(start_expr, end_expr) -%}
    date_diff('day', cast({{ start_expr }} as date), cast({{ end_expr }} as date))
{%- endmacro %}

{# The median of a column: its lower middle value when the count is even (no
   interpolation), so the result is one of the values, of the column's type, and
   the same on both engines. #}
{% macro median(column) -%}
    {{ return(adapter.dispatch('median')(column)) }}
{%- endmacro %}

{% macro default__median(column) -%}
    percentile_disc(0.5) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__median(column) -%}
    quantile_disc({{ column }}, 0.5)
{%- endmacro %}

{# A top-level text value of a JSON document, by key (NULL when absent). #}
{% macro json_text(column, key) -%}
    {{ return(adapter.dispatch('json_text')(column, key)) }}
{%- endmacro %}

{% macro default__json_text(column, key) -%}
    ({{ column }} ->> '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}
