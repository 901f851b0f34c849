-- statement: the tables and columns of one attached catalog (a snapshot file, or the schema built in memory)
-- parameters: database
select
    table_name,
    column_name
from duckdb_columns()
where database_name = $database
