-- statement: add the registered frame `new_notes` to the notes
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into main.note by name
select * from new_notes  -- noqa: AM04
