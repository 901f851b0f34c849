-- question: Which RegSO make up each district?
-- grain: one row per district × RegSO
-- parameters: none
select
    d.district_code,
    a.name as district_name,
    d.regso_code
from district_member as d
inner join area as a on d.district_code = a.code
order by d.district_code, d.regso_code
