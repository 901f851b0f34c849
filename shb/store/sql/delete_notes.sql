-- statement: leave out the notes with the given ids
-- parameters: $ids
delete from main.note
where list_contains($ids, id)
