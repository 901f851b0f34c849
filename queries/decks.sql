-- question: Which named decks have analysts saved, by title?
-- grain: one row per saved deck
-- parameters: none
select
    id,
    title,
    slides,
    author,
    created_at
from deck
order by title asc, id asc
