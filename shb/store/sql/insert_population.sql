-- statement: add the registered frame `frame` of population figures
-- parameters: none
insert into area_population
select
    area_code,
    year,
    population,
    foreign_born,
    is_demo
from frame
