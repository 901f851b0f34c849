-- question: What do all indicators show, per year, for the member areas of a set and for the whole city?
-- grain: one row per indicator × area (set members at RegSO level, and the kommun) × year, totals only
-- parameters: $set_id
with members as (
    select area_code
    from area_set_member
    where set_id = $set_id
),

final as (
    select
        o.indicator_id,
        o.level,
        o.area_code,
        o.year,
        'alla' as group_value,
        o.value,
        o.numerator,
        o.denominator,
        o.population,
        o.ci_low,
        o.ci_high,
        o.status
    from published_observation as o
    where
        o.group_dim = 'total'
        and (
            o.level = 'municipality'
            or (o.level = 'regso' and o.area_code in (select m.area_code from members as m))
        )
)

select * from final
-- The order the observations are stored in (indicator, level, year, area): sorting costs least.
order by indicator_id, level, year, area_code
