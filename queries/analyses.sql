-- question: Which samlade analyser are there, per effektmål and follow-up year, newest year first?
-- grain: one row per effektmål and year
-- parameters: none
select
    a.target_id,
    t.title as target_title,
    t.goal_area_id,
    a.year,
    a.body,
    a.author,
    a.created_at,
    a.state
from analysis as a
inner join target as t on a.target_id = t.id
order by t.goal_area_id asc, t.sort_key asc, a.year desc
