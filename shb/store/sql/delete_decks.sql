-- statement: leave out the saved decks with the given ids
-- parameters: $ids
delete from main.deck
where list_contains($ids, id)
