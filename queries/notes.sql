-- question: Which analyst notes are there, on every indicator, newest first?
-- grain: one row per note
-- parameters: none
select
    n.id,
    n.indicator_id,
    i.title as indicator_title,
    n.area_code,
    a.name as area_name,
    n.year,
    n.body,
    n.author,
    n.created_at
from note as n
left join indicator as i on n.indicator_id = i.id
left join area as a on n.area_code = a.code
order by n.created_at desc, n.id asc
