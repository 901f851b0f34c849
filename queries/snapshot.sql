-- question: Which data version is this, when was it built, from what, and is it demo data?
-- grain: one row (the snapshot)
-- parameters: none
select
    version,
    created_at,
    is_demo,
    built_from
from snapshot
