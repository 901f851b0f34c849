-- question: How many of each indicator's values are generated (demo), how many are real, how many are per
--   area (below the kommun), and which source does the catalog name for it?
-- grain: one row per indicator, in catalog order
-- parameters: none
-- Reads only the tables every snapshot has, so it also answers for files made before source_record.
with observed as (
    select
        o.indicator_id,
        count(*) as observations,
        sum(o.is_demo::integer) as demo_observations,
        sum((o.level != 'municipality')::integer) as area_observations
    from observation as o
    group by o.indicator_id
),

final as (
    select
        i.id as indicator_id,
        i.source,
        i.source_ref,
        i.licence,
        i.sort_key,
        coalesce(ob.observations, 0) as observations,
        coalesce(ob.demo_observations, 0) as demo_observations,
        coalesce(ob.area_observations, 0) as area_observations
    from indicator as i
    left join observed as ob on i.id = ob.indicator_id
)

select * from final
order by sort_key
