-- question: Every published row of one indicator, at every level, year and group, with area names?
-- grain: one row per level × area × year × group value for $indicator
-- parameters: $indicator
select
    o.level,
    o.area_code,
    a.name as area_name,
    o.year,
    o.group_dim,
    o.group_value,
    o.value,
    o.numerator,
    o.denominator,
    o.population,
    o.ci_low,
    o.ci_high,
    o.status,
    o.series_break,
    o.is_demo
from published_observation as o
inner join area as a on o.area_code = a.code
where o.indicator_id = $indicator
order by o.level, o.group_dim, o.year, o.area_code, o.group_value
