-- statement: the RegSO each DeSO lies in (secondary suppression works within a RegSO)
-- parameters: none
select
    code,
    parent_code
from area
where level = 'deso'
