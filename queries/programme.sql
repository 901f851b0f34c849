-- question: What is the programme called, for which period, and what is its overarching goal?
-- grain: one row
-- parameters: none
select
    title,
    period,
    goal_title,
    goal_description
from programme
