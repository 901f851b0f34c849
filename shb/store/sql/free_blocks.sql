-- statement: the attached previous snapshot's blocks, and how many of them are free (left by deletes)
-- parameters: none
select
    total_blocks,
    free_blocks
from pragma_database_size()
where database_name = 'previous'
