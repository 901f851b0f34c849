-- statement: add the registered frame `log_entry` (one row) to the import log
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into import_log by name
select * from log_entry  -- noqa: AM04
