-- question: How many observations are there, over which years, and how many are demo data?
-- grain: one row
-- parameters: none
select
    count(*) as observations,
    min(year) as first_year,
    max(year) as last_year,
    count(*) filter (where is_demo) as demo_observations,
    count(*) filter (where status = 'suppressed') as suppressed,
    count(*) filter (where status = 'missing') as missing,
    count(*) filter (where status = 'not_applicable') as not_applicable
from observation
