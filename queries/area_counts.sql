-- question: How many areas does each level have?
-- grain: one row per level
-- parameters: none
select
    level,
    count(*) as areas
from area
group by level
order by level
