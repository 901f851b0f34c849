-- statement: add the registered frame `published` (one indicator after suppression) to the publication's parts
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into publication_parts by name
select * from published  -- noqa: AM04
