-- question: Which styrdokument and processes does each effektmål relate to?
-- grain: one row per document × effektmål
-- parameters: none
select
    d.id as document_id,
    d.title as document_title,
    d.kind,
    d.basis,
    l.target_id,
    t.title as target_title,
    t.goal_area_id
from steering_link as l
inner join steering_document as d on l.document_id = d.id
inner join target as t on l.target_id = t.id
order by d.sort_key asc, t.goal_area_id asc, t.sort_key asc
