-- statement: a table for the parts of a publication (copied and renewed), stored sorted at the end and
-- dropped (a table of the file, which DuckDB can move out of memory; a temporary one cannot)
-- parameters: none
create or replace table publication_parts as
select * from published_observation  -- noqa: AM04
where false
