-- statement: every indicator that has observations, in id order
-- parameters: none
select distinct indicator_id
from observation
order by indicator_id
