-- question: What does every indicator show for one area in its latest published year, and the whole city then?
-- grain: one row per indicator with a total for the area or the kommun, ordered by indicator id
-- parameters: $area_code
-- The area's last year with a published value (null without one) and that value, the status of its
-- last row (what to say when nothing is published), and the kommun's published value in that year.
with totals as (
    select
        o.indicator_id,
        o.area_code,
        o.year,
        o.value,
        o.status
    from published_observation as o
    where
        o.group_dim = 'total'
        and (o.area_code = $area_code or o.level = 'municipality')
),

own as (
    select
        t.indicator_id,
        max(t.year) filter (where t.status = 'ok') as last_year,
        max_by(t.value, t.year) filter (where t.status = 'ok') as last_value,
        max_by(t.status, t.year) as last_status
    from totals as t
    where t.area_code = $area_code
    group by t.indicator_id
),

city as (
    select
        t.indicator_id,
        t.year,
        max(t.value) as city_value
    from totals as t
    where t.area_code != $area_code and t.status = 'ok'
    group by t.indicator_id, t.year
),

indicators as (
    select distinct t.indicator_id
    from totals as t
),

final as (
    select
        i.indicator_id,
        own.last_year,
        own.last_value,
        own.last_status,
        c.city_value
    from indicators as i
    left join own on i.indicator_id = own.indicator_id
    left join city as c on own.indicator_id = c.indicator_id and own.last_year = c.year
)

select * from final
order by indicator_id
