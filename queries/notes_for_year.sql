-- question: Which analyst notes are there for an indicator, up to a year (notes without a year included)?
-- grain: one row per note on $indicator
-- parameters: $indicator, $year
select
    n.id,
    n.area_code,
    a.name as area_name,
    n.year,
    n.body,
    n.author,
    n.created_at
from note as n
left join area as a on n.area_code = a.code
where
    n.indicator_id = $indicator
    and (n.year is null or n.year <= $year)
order by n.created_at
