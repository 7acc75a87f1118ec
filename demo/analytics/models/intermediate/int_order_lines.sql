{#- Order lines of the orders that count as sales (every status but cancelled),
    with the order's customer and date. Ephemeral: it compiles into the models
    that ref it as a CTE and never exists in the warehouse. -#}
{% set excluded_statuses = ['cancelled'] %}

with orders as (

    select * from {{ ref('stg_orders') }}

),

items as (

    select * from {{ ref('stg_order_items') }}

)

select
    items.order_id,
    items.line_no,
    items.product_id,
    orders.customer_id,
    orders.status,
    orders.order_date,
    items.quantity,
    items.gross_amount,
    items.discount_amount,
    items.net_amount

from items
join orders on orders.order_id = items.order_id
where orders.status not in (
    {%- for status in excluded_statuses %}'{{ status }}'{{ ", " if not loop.last }}{% endfor -%}
)
