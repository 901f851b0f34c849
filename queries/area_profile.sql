-- question: What does every indicator show for one area and for the whole city, per year?
-- grain: one row per indicator × year × (the area, the kommun), totals only
-- parameters: $area_code
select
    o.indicator_id,
    o.area_code,
    o.year,
    o.value,
    o.numerator,
    o.denominator,
    o.population,
    o.status,
    o.series_break
from published_observation as o
where
    o.group_dim = 'total'
    and (o.area_code = $area_code or o.level = 'municipality')
order by o.indicator_id, o.year, o.area_code
