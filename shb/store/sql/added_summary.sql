-- statement: how many rows the writer adds, and the indicators they touch
-- parameters: none
select
    count(*) as n,
    list(distinct indicator_id order by indicator_id) as touched
from added_file
