-- statement: how many observations each indicator in the registered frame `batch` has (to publish them in
-- batches of bounded size)
-- parameters: none
select
    indicator_id,
    count(*) as n
from observation
where indicator_id in (select batch.indicator_id from batch)
group by indicator_id
