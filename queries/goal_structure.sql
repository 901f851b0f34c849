-- question: What are the målområden and effektmål, with how many indicators each effektmål has?
-- grain: one row per effektmål
-- parameters: none
with indicator_counts as (
    select
        target_id,
        count(*) as indicators
    from indicator
    group by target_id
),

final as (
    select
        g.id as goal_area_id,
        g.title as goal_area_title,
        g.slug as goal_area_slug,
        g.description as goal_area_description,
        g.responsible,
        t.id as target_id,
        t.title as target_title,
        coalesce(c.indicators, 0) as indicators
    from target as t
    inner join goal_area as g on t.goal_area_id = g.id
    left join indicator_counts as c on t.id = c.target_id
    order by g.id, t.sort_key
)

select * from final
