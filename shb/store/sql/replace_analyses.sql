-- statement: the registered frame `new_analyses` replaces the samlad analys of the same effektmål and year
-- parameters: none
delete from main.analysis as a
where exists (
    select 1 from new_analyses as n
    where n.target_id = a.target_id and n.year = a.year
);
