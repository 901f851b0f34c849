-- statement: copy the whole publication of the attached previous snapshot (nothing was renewed)
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into published_observation
select * from previous.published_observation  -- noqa: AM04
