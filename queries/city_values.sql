-- question: What does the whole city (the kommun) show for every indicator, per year (totals only)?
-- grain: one row per indicator × year with a kommun total, in the order they are stored in
-- parameters: none
-- No order by: the readers group by indicator and sort by year themselves, and sorting 80 000 rows (at
-- a hundred times the catalog) adds some 10–20 % to the query's time (measured).
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
