-- statement: how many observations the attached previous snapshot holds
-- parameters: none
select count(*) as n from previous.observation
