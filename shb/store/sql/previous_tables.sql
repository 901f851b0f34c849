-- statement: the tables the attached previous snapshot has (an older snapshot may lack newer tables)
-- parameters: none
select table_name
from duckdb_tables()
where database_name = 'previous'
