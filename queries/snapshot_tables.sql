-- question: Which tables does this snapshot file hold (older files lack some, e.g. source_record)?
-- grain: one row per table
-- parameters: none
select table_name
from information_schema.tables
where table_catalog = current_database()
order by table_name
