-- statement: empty the publication before it is filled anew
-- parameters: none
delete from published_observation
