{% set limit = var('top_products_limit') %}

with sales as (

    select
        product_id,
        count(distinct order_id) as orders,
        sum(quantity) as units_sold,
        sum(net_amount) as net_revenue

    from {{ ref('int_order_lines') }}
    group by product_id

),

ratings as (

    select
        product_id,
        count(*) as review_count,
        sum(rating) * 1.0 / count(*) as avg_rating

    from {{ ref('stg_reviews') }}
    group by product_id

),

products as (

    select * from {{ ref('stg_products') }}

),

targets as (

    select * from {{ ref('category_targets') }}

),

ranked as (

    select
        products.product_id,
        products.sku,
        products.product_name,
        products.category,
        targets.display_name as category_name,
        products.price,
        coalesce(sales.orders, 0) as orders,
        cast(coalesce(sales.units_sold, 0) as bigint) as units_sold,
        {{ money('coalesce(sales.net_revenue, 0)') }} as net_revenue,
        coalesce(ratings.review_count, 0) as review_count,
        cast(ratings.avg_rating as numeric(4, 2)) as avg_rating,
        coalesce(ratings.avg_rating >= targets.min_avg_rating, false) as meets_rating_target,
        row_number() over (
            order by coalesce(sales.net_revenue, 0) desc, products.product_id
        ) as revenue_rank,
        row_number() over (
            order by
                case
                    when ratings.review_count >= {{ var('min_reviews_for_rating') }}
                        then ratings.avg_rating
                end desc nulls last,
                ratings.review_count desc,
                products.product_id
        ) as rating_rank

    from products
    left join sales on sales.product_id = products.product_id
    left join ratings on ratings.product_id = products.product_id
    left join targets on targets.category = products.category

)

select * from ranked
where revenue_rank <= {{ limit }}
   or rating_rank <= {{ limit }}
