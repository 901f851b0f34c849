-- statement: how many rows each indicator has among the previous snapshot's observations and the added
-- rows together (to merge them in batches of bounded size)
-- parameters: none
select
    indicator_id,
    count(*) as n
from (
    select previous.observation.indicator_id from previous.observation
    union all
    select added_file.indicator_id from added_file
) as rows_of
group by indicator_id
