-- question: What are a målbild period's målområden and effektmål, with how many indicators each has?
-- grain: one row per effektmål of the period (the columns of goal_structure)
-- parameters: $period_id
with indicator_counts as (
    select
        target_id,
        count(*) as indicators
    from period_indicator
    where period_id = $period_id
    group by target_id
),

final as (
    select
        t.goal_area_id,
        t.goal_area_title,
        t.goal_area_slug,
        t.goal_area_description,
        t.responsible,
        t.target_id,
        t.target_title,
        coalesce(c.indicators, 0) as indicators
    from period_target as t
    left join indicator_counts as c on t.target_id = c.target_id
    where t.period_id = $period_id
    order by t.goal_area_id asc, t.sort_key asc
)

select * from final
