-- question: What does one indicator show for every area at a level in one year (totals only)?
-- grain: one row per area at $level, for $indicator in $year, group total
-- parameters: $indicator, $level, $year
select
    o.area_code,
    a.name as area_name,
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
    and o.year = $year
    and o.group_dim = 'total'
order by o.area_code
