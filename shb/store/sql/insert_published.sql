-- statement: add the registered frame `published` (indicators after suppression) to the publication,
-- sorted in the order of shb.store.schema.OBSERVATION_ORDER
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into published_observation by name
select * from published  -- noqa: AM04
order by indicator_id, level, group_dim, year, area_code, group_value
