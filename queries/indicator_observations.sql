-- question: What is stored for one indicator, every field of every observation (to compare an import with)?
-- grain: one row per area × year × group value for $indicator
-- parameters: $indicator
select
    indicator_id,
    level,
    area_code,
    year,
    group_dim,
    group_value,
    value,
    numerator,
    denominator,
    population,
    ci_low,
    ci_high,
    status,
    is_demo,
    source_version
from observation
where indicator_id = $indicator
order by year, area_code, group_dim, group_value
