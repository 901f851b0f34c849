-- statement: put the publication back from `sorted_publication` (made sorted just before) and drop that table
-- parameters: none
-- select *: whole rows of a table with the same columns, so the column count is known (AM04 off on that line)
delete from published_observation;

insert into published_observation
select * from sorted_publication;  -- noqa: AM04

drop table sorted_publication;
