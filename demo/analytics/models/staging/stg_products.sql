with source as (

    select * from {{ source('shop', 'products') }}

),

renamed as (

    select
        id as product_id,
        sku,
        name as product_name,
        category,
        price,
        in_stock as units_in_stock,
        active as is_active,
        {{ json_text('attributes', 'color') }} as color,
        created_at,
        -- updated_at is NULL for a product that was never repriced
        coalesce(updated_at, created_at) as updated_at

    from source

)

select * from renamed
