-- statement: a temporary table for the parts of a publication (copied and renewed), stored sorted at the end
-- parameters: none
create or replace temp table publication_parts as
select * from published_observation  -- noqa: AM04
where false
