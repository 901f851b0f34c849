-- question: What are the title and slides of one saved deck?
-- grain: one row (none when there is no such deck)
-- parameters: $deck_id
select
    id,
    title,
    slides,
    author,
    created_at
from deck
where id = $deck_id
