-- question: Which målbild periods does the snapshot hold, oldest first, and which is the current one?
-- grain: one row per period
-- parameters: none
select
    id,
    title,
    first_year,
    last_year,
    is_current
from period
order by first_year asc
