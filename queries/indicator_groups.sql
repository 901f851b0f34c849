-- question: Which group values is each indicator broken down by, with Swedish labels?
-- grain: one row per indicator × group dimension × value (the total included)
-- parameters: none
select
    ig.indicator_id,
    ig.dimension,
    ig.value,
    g.dimension_label,
    g.label
from indicator_group as ig
inner join population_group as g on ig.dimension = g.dimension and ig.value = g.value
order by ig.indicator_id, ig.sort_key
