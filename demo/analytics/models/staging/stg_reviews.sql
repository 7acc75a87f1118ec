with source as (

    select * from {{ source('shop', 'reviews') }}

),

renamed as (

    select
        id as review_id,
        product_id,
        customer_id,
        rating,
        title,
        body,
        verified as is_verified,
        helpful as helpful_votes,
        created_at,
        cast(created_at as date) as review_date

    from source

)

select * from renamed
