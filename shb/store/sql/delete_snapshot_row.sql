-- statement: in a copied file, remove the previous version's row (the new one is inserted after)
-- parameters: none
delete from snapshot
