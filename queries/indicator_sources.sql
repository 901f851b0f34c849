-- question: Which source record does each indicator cite?
-- grain: one row per indicator
-- parameters: none
-- Real or demo is counted from the observations by indicator_value_kinds; this reads the catalog and the
-- source records only, so it costs the same for any number of observations.
select
    i.id as indicator_id,
    r.citation,
    r.licence,
    r.origin,
    r.retrieved,
    r.transformation
from indicator as i
left join source_record as r on i.id = r.subject
order by i.id
