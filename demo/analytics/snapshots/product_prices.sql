{% snapshot product_prices %}

{#- Price history of every product, one row per version (SCD type 2).
    products.updated_at is NULL until a product is first repriced, so the
    select falls back to created_at: the timestamp strategy needs a value on
    every row. Repricing (demo/workload/product_price.sql) always sets
    updated_at, so each price change opens a new version. -#}
{{
    config(
        target_schema='snapshots',
        unique_key='product_id',
        strategy='timestamp',
        updated_at='updated_at'
    )
}}

select
    id as product_id,
    sku,
    name as product_name,
    category,
    price,
    active as is_active,
    coalesce(updated_at, created_at) as updated_at

from {{ source('shop', 'products') }}

{% endsnapshot %}
