-- statement: how many observations each indicator has (to publish them in batches of bounded size)
-- parameters: none
select
    indicator_id,
    count(*) as n
from observation
group by indicator_id
