-- statement: the indicators in the registered frame `batch` with a numerator anywhere (secondary suppression
-- applies to them unless they are exempt)
-- parameters: none
select indicator_id
from observation
where indicator_id in (select batch.indicator_id from batch)
group by indicator_id
having count(numerator) > 0
