-- question: How many live in an area, and how many of them were born abroad, per year?
-- grain: one row per year for $area_code
-- parameters: $area_code
select
    year,
    population,
    foreign_born,
    is_demo
from area_population
where area_code = $area_code
order by year
