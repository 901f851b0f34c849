-- statement: the RegSO each district is made of
-- parameters: none
select
    district_code,
    regso_code
from district_member
