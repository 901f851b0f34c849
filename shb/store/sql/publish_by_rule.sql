-- statement: publish the indicators in the registered frame `batch`, which need no secondary suppression
-- (no counts, or exempt from the rule): hidden where the source hid them or the rule hides them
-- read in the order observation is stored in and inserted in that order (the writer keeps insertion order
-- for this statement), so nothing is sorted again
-- the batch's ids lie between $first and $last: the range lets the scan skip other indicators' row groups
-- parameters: $min_count, $min_denominator, $first, $last
-- value: the column of observation and published_observation is called so (RF04 off on that line)
insert into published_observation
with judged as (
    select
        observation.*,
        observation.status = 'suppressed' as by_source,
        observation.status = 'ok'
        and observation.indicator_id not in (select exempt.indicator_id from exempt)
        and coalesce(
            observation.numerator < $min_count or observation.denominator < $min_denominator, false
        ) as by_rule
    from observation
    where
        observation.indicator_id between $first and $last
        and observation.indicator_id in (select batch.indicator_id from batch)
)

select
    indicator_id,
    level,
    year,
    area_code,
    group_dim,
    group_value,
    case when by_source or by_rule then null else value end as value,  -- noqa: RF04
    case when by_source or by_rule then null else numerator end as numerator,
    case when by_source or by_rule then null else denominator end as denominator,
    case when by_source or by_rule then null else population end as population,
    case when by_source or by_rule then null else ci_low end as ci_low,
    case when by_source or by_rule then null else ci_high end as ci_high,
    case when by_rule then 'suppressed' else status end as status,
    series_break,
    is_demo,
    source_version,
    case when by_source then 'källa' when by_rule then 'regel' else '' end as suppression
from judged
