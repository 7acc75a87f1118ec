{{
    config(
        materialized='incremental',
        unique_key='review_id',
        on_schema_change='append_new_columns'
    )
}}

with reviews as (

    select * from {{ ref('stg_reviews') }}

    {% if is_incremental() %}
    -- Only reviews written since the last run, plus a lookback window: rows that
    -- arrive late, or whose helpful votes changed, are merged again on review_id.
    where created_at >= (
        select max(created_at) from {{ this }}
    ) - interval '{{ var("reviews_lookback_days") }} days'
    {% endif %}

),

products as (

    select product_id, category from {{ ref('stg_products') }}

)

select
    reviews.review_id,
    reviews.product_id,
    products.category,
    reviews.customer_id,
    reviews.rating,
    reviews.rating >= 4 as is_positive,
    reviews.is_verified,
    reviews.helpful_votes,
    coalesce(length(reviews.body), 0) as body_length,
    reviews.created_at,
    reviews.review_date

from reviews
join products on products.product_id = reviews.product_id
