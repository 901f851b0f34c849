-- question: Which målvärden are there, per indicator and scope (the whole city or an area set)?
-- grain: one row per indicator and scope
-- parameters: none
select
    t.indicator_id,
    t.scope,
    t.value,
    t.year,
    t.origin,
    t.wording
from indicator_target as t
inner join indicator as i on t.indicator_id = i.id
order by i.sort_key, t.scope
