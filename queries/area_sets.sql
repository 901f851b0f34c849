-- question: Which named area sets are there, and which RegSO belong to each?
-- grain: one row per set × member area
-- parameters: none
select
    s.id as set_id,
    s.title,
    s.description,
    s.is_default,
    m.area_code,
    a.name as area_name
from area_set as s
inner join area_set_member as m on s.id = m.set_id
inner join area as a on m.area_code = a.code
order by s.is_default desc, s.id asc, m.area_code asc
