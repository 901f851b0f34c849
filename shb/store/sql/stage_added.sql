-- statement: the observation rows a writer adds, from the registered frame or Arrow stream `added_stream`,
-- as a table of the new file (DuckDB can move it out of memory; a temporary table of ten million rows does
-- not fit in the writer's memory limit), each with the given source version when there is one; dropped
-- before the file is closed
-- parameters: $source_version
-- select *: whole observation rows (the stream's columns are the table's), so the count is known (AM04 off)
create table added_file as
select * replace (coalesce($source_version, source_version) as source_version)  -- noqa: AM04
from added_stream
