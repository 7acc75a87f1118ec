{{ config(severity='warn') }}

-- The price snapshot keeps exactly one current version (dbt_valid_to is null)
-- of every product it has seen.
select
    product_id,
    count(*) as current_versions

from {{ ref('product_prices') }}
where dbt_valid_to is null
group by product_id
having count(*) <> 1
