{% set statuses = ['new', 'paid', 'shipped', 'delivered'] %}

with lines as (

    select * from {{ ref('int_order_lines') }}

),

orders as (

    select
        order_id,
        order_date,
        status,
        sum(quantity) as units,
        sum(gross_amount) as gross_amount,
        sum(discount_amount) as discount_amount,
        sum(net_amount) as net_amount

    from lines
    group by order_id, order_date, status

)

select
    order_date,
    count(*) as orders,
    {% for status in statuses -%}
    count(case when status = '{{ status }}' then 1 end) as {{ status }}_orders,
    {% endfor -%}
    cast(sum(units) as bigint) as units_sold,
    {{ money('sum(gross_amount)') }} as gross_revenue,
    {{ money('sum(discount_amount)') }} as discounts,
    {{ money('sum(net_amount)') }} as net_revenue,
    {{ money('sum(net_amount) / count(*)') }} as avg_order_value,
    {{ money(median('net_amount')) }} as median_order_value

from orders
group by order_date
