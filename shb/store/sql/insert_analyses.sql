-- statement: add the registered frame `new_analyses` to the samlade analyser
-- parameters: none
insert into main.analysis by name
select
    target_id,
    year,
    body,
    author,
    created_at,
    state
from new_analyses
