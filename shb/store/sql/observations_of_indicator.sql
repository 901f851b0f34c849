-- statement: every observation of one indicator (published one indicator at a time)
-- parameters: $indicator
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
select * from observation  -- noqa: AM04
where indicator_id = $indicator
