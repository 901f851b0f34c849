-- statement: copy every observation of the attached previous snapshot (already sorted)
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into observation
select * from previous.observation  -- noqa: AM04
