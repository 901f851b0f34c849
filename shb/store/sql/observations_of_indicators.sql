-- statement: every observation of the indicators in the registered frame `batch` (published together)
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
select * from observation  -- noqa: AM04
where indicator_id in (select batch.indicator_id from batch)
