-- question: Which indicators are there, with everything declared about them, in catalog order?
-- grain: one row per indicator
-- parameters: none
select
    i.id,
    i.title,
    i.target_id,
    t.goal_area_id,
    i.kind,
    i.unit,
    i.unit_label,
    i.direction,
    i.source,
    i.source_ref,
    i.source_ref_confirmed,
    i.licence,
    i.lowest_level,
    i.levels,
    i.group_dimensions,
    i.population,
    i.survey,
    i.frequency,
    i.definition,
    i.caveats,
    i.life_stages
from indicator as i
inner join target as t on i.target_id = t.id
order by i.sort_key
