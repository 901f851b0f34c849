-- statement: in a copied file, remove the publication of the indicators in the registered frame `renewed`
-- (they are published anew)
-- parameters: none
delete from published_observation
where indicator_id in (select renewed.indicator_id from renewed)
