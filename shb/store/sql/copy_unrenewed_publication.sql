-- statement: copy into the publication the previous snapshot's publication of every indicator not in the
-- registered frame `renewed` (already sorted, so no sort)
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into published_observation
select * from previous.published_observation  -- noqa: AM04
where indicator_id not in (select renewed.indicator_id from renewed)
