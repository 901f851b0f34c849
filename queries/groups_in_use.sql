-- question: Which population groups do the indicators use, with their Swedish labels?
-- grain: one row per group dimension × value
-- parameters: none
with used as (
    select distinct
        dimension,
        value
    from indicator_group
),

final as (
    select
        g.dimension,
        g.value,
        g.dimension_label,
        g.label,
        g.sort_key
    from population_group as g
    inner join used as u on g.dimension = u.dimension and g.value = u.value
    order by g.dimension, g.sort_key
)

select * from final
