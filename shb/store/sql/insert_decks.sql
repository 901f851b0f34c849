-- statement: add the registered frame `new_decks` to the saved decks
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
insert into main.deck by name
select * from new_decks  -- noqa: AM04
