{# An amount of money: the expression cast to numeric(12,2), i.e. rounded to cents.
   A plain macro (no dispatch): the cast is the same on DuckDB and PostgreSQL. #}
{% macro money(expression) -%}
    cast({{ expression }} as numeric(12, 2))
{%- endmacro %}
