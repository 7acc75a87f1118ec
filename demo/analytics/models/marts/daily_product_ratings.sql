with reviews as (

    select * from {{ ref('stg_reviews') }}

),

daily as (

    select
        product_id,
        review_date,
        count(*) as review_count,
        count(case when is_verified then 1 end) as verified_count,
        sum(rating) as rating_sum

    from reviews
    group by product_id, review_date

)

select
    product_id,
    review_date,
    review_count,
    verified_count,
    cast(rating_sum * 1.0 / review_count as numeric(4, 2)) as avg_rating,
    -- running average over every review of the product up to and including the day
    cast(
        sum(rating_sum) over running * 1.0 / sum(review_count) over running
        as numeric(4, 2)
    ) as cumulative_avg_rating,
    cast(sum(review_count) over running as bigint) as cumulative_review_count

from daily
window running as (partition by product_id order by review_date rows between unbounded preceding and current row)
