-- A day's revenue is never negative, and discounts never exceed what was sold.
-- Any row returned is a failure.
select
    order_date,
    gross_revenue,
    discounts,
    net_revenue

from {{ ref('daily_revenue') }}
where net_revenue < 0
   or discounts < 0
   or discounts > gross_revenue
