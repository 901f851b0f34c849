-- question: Which effektmål does each indicator belong to in a målbild period?
-- grain: one row per indicator the period follows
-- parameters: $period_id
select
    p.indicator_id,
    p.target_id
from period_indicator as p
inner join indicator as i on p.indicator_id = i.id
where p.period_id = $period_id
order by i.sort_key asc
