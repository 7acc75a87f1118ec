with source as (

    select * from {{ source('shop', 'orders') }}

),

renamed as (

    select
        id as order_id,
        customer_id,
        status,
        total as order_total,
        note is not null as has_note,
        ordered_at,
        cast(ordered_at as date) as order_date,
        shipped_on,
        case
            when shipped_on is not null then {{ days_between('ordered_at', 'shipped_on') }}
        end as days_to_ship

    from source

)

select * from renamed
