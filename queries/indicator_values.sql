-- question: What does one indicator show for every area at a level, per year and group value?
-- grain: one row per area × year × group value of $group_dim, for $indicator at $level
-- parameters: $indicator, $level, $group_dim
select
    o.area_code,
    a.name as area_name,
    o.year,
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
where
    o.indicator_id = $indicator
    and o.level = $level
    and o.group_dim = $group_dim
order by o.year, o.area_code, o.group_value
