-- question: What does the whole city (the kommun) show for every indicator, per year (totals only)?
-- grain: one row per indicator × year with a kommun total, in the order the observations are stored in
-- (by indicator id, then year)
-- parameters: none
-- No order by: a plain scan hands the rows over in the stored order, and sorting 80 000 rows (at a
-- hundred times the catalog) would cost more than reading them.
select
    o.indicator_id,
    o.year,
    o.value,
    o.numerator,
    o.denominator,
    o.population,
    o.ci_low,
    o.ci_high,
    o.status
from published_observation as o
where
    o.group_dim = 'total'
    and o.level = 'municipality'
