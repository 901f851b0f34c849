-- statement: the version id of a snapshot
-- parameters: none
select version from snapshot
