-- question: In which years does each indicator have a published whole-city value?
-- grain: one row per indicator × year
-- parameters: none
select distinct
    indicator_id,
    year
from published_observation
where
    level = 'municipality'
    and group_dim = 'total'
    and status != 'missing'
order by indicator_id, year
