with source as (

    select * from {{ source('shop', 'customers') }}

),

renamed as (

    select
        id as customer_id,
        email,
        full_name,
        country as country_code,
        birth_date,
        is_vip,
        created_at,
        -- updated_at stays NULL until a customer first edits the profile
        coalesce(updated_at, created_at) as updated_at

    from source

)

select * from renamed
