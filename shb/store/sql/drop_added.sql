-- statement: drop the added rows' table before the file is closed
-- parameters: none
drop table if exists added_file
