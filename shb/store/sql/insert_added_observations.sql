-- statement: in a copied file, add the added rows after the stored ones, sorted among themselves in the
-- order of shb.store.schema.OBSERVATION_ORDER (each indicator's rows stay in few row groups)
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into observation by name
select * from added_file  -- noqa: AM04
order by indicator_id, level, group_dim, year, area_code, group_value
